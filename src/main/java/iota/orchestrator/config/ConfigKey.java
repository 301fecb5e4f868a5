package iota.orchestrator.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One configuration key: its name, its type, its default and how a value is checked. Every key is
 * declared once, in {@link ConfigKeys}; code reads {@code config.get(HEARTBEAT_TIMEOUT)}.
 *
 * <p>A key without a default reads as null when unset; {@link OrchestratorConfig#require} says which
 * variable sets it. A blank value is a value: a blank duration fails at start like any other bad
 * one, since an empty {@code IOTA_HEARTBEAT_TIMEOUT=} is a mistake, not a wish for the default. The
 * keys of a {@link TypeKey} are the exception: blank there means the type's default.
 *
 * @param <T> the type of the value
 */
public final class ConfigKey<T> {
  /** Turns the text of a value into its typed value; throws a {@link ConfigException} naming the key. */
  @FunctionalInterface
  public interface Parser<T> {
    T parse(String key, String raw);
  }

  private final String name;
  private final T defaultValue;
  private final Parser<T> parser;
  private final Function<T, String> format;
  private final boolean blankIsUnset;

  private ConfigKey(String name, T defaultValue, Parser<T> parser, Function<T, String> format, boolean blankIsUnset) {
    this.name = Objects.requireNonNull(name);
    this.defaultValue = defaultValue;
    this.parser = parser;
    this.format = format;
    this.blankIsUnset = blankIsUnset;
  }

  /** A key whose values are turned into {@code T} by the parser and written back by the format. */
  public static <T> ConfigKey<T> of(String name, T defaultValue, Parser<T> parser, Function<T, String> format) {
    return new ConfigKey<>(name, defaultValue, parser, format, false);
  }

  /** A positive duration: {@code 250ms}, {@code 90s}, {@code 5m}, {@code 1h} or ISO-8601. */
  public static ConfigKey<Duration> duration(String name, Duration defaultValue) {
    return of(name, defaultValue, ConfigKey::parseDuration, ConfigKey::formatDuration);
  }

  /** An integer in {@code [min, max]}. */
  public static ConfigKey<Integer> integer(String name, int defaultValue, int min, int max) {
    return of(name, defaultValue, (key, raw) -> parseInt(key, raw, min, max), String::valueOf);
  }

  /** A decimal number in {@code [min, max]}, e.g. a utilization {@code 0.7}. */
  public static ConfigKey<Double> decimal(String name, double defaultValue, double min, double max) {
    return of(name, defaultValue, (key, raw) -> parseDecimal(key, raw, min, max), String::valueOf);
  }

  /** {@code true} or {@code false}, in any case. */
  public static ConfigKey<Boolean> bool(String name, boolean defaultValue) {
    return of(name, defaultValue, ConfigKey::parseBool, String::valueOf);
  }

  /** Any text; a null default means the key has none. */
  public static ConfigKey<String> string(String name, String defaultValue) {
    return string(name, defaultValue, (key, raw) -> raw);
  }

  /** Text the parser checks (and returns, possibly normalised). */
  public static ConfigKey<String> string(String name, String defaultValue, Parser<String> check) {
    return of(name, defaultValue, check, Function.identity());
  }

  /** A comma-separated list; blank entries are dropped. */
  public static ConfigKey<List<String>> list(String name, List<String> defaultValue) {
    return of(name, defaultValue == null ? null : List.copyOf(defaultValue), (key, raw) -> parseList(raw), v -> String.join(",", v));
  }

  public String name() {
    return name;
  }

  /** The value when the key is unset, or null when it has none. */
  public T defaultValue() {
    return defaultValue;
  }

  /** The default as it is written in a file or a variable, or null when the key has none. */
  public String defaultText() {
    return defaultValue == null ? null : format.apply(defaultValue);
  }

  /** The environment variable that sets this key: {@code iota.http.port} is {@code IOTA_HTTP_PORT}. */
  public String environmentVariable() {
    return name.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  /** The value of the raw text; the default when it is null (or blank, for a type's key). */
  T valueOf(String raw) {
    return raw == null || (blankIsUnset && raw.isBlank()) ? defaultValue : parser.parse(name, raw);
  }

  /** The same key under another name and default, for the instances of a {@link TypeKey}. */
  ConfigKey<T> forType(String otherName, T otherDefault) {
    return new ConfigKey<>(otherName, otherDefault, parser, format, true);
  }

  @Override
  public String toString() {
    return name;
  }

  // ---- the parsers every key type shares; each message starts with the key

  static List<String> parseList(String raw) {
    List<String> out = new ArrayList<>();
    if (raw == null) {
      return out;
    }
    for (String s : raw.split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return List.copyOf(out);
  }

  static boolean parseBool(String key, String raw) {
    if ("true".equalsIgnoreCase(raw)) return true;
    if ("false".equalsIgnoreCase(raw)) return false;
    throw new ConfigException(key + ": expected true or false, got '" + raw + "'");
  }

  static double parseDecimal(String key, String raw, double min, double max) {
    double v;
    try {
      v = Double.parseDouble(raw.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key + ": expected a number, got '" + raw + "'");
    }
    if (!(v >= min && v <= max)) {
      throw new ConfigException(key + ": must be in [" + min + ", " + max + "], got " + raw);
    }
    return v;
  }

  static int parseInt(String key, String raw, int min, int max) {
    int v;
    try {
      v = Integer.parseInt(raw.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key + ": expected an integer, got '" + raw + "'");
    }
    if (v < min || v > max) {
      throw new ConfigException(key + ": must be in [" + min + ", " + max + "], got " + v);
    }
    return v;
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

  /** Parses {@code 250ms}, {@code 90s}, {@code 5m}, {@code 1h} or ISO-8601 ({@code PT90S}). */
  static Duration parseDuration(String key, String raw) {
    String s = raw.trim();
    Matcher m = DURATION.matcher(s);
    Duration d;
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d = switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    } else {
      try {
        d = Duration.parse(s);
      } catch (DateTimeParseException e) {
        throw new ConfigException(key + ": expected a duration such as 90s, 250ms or 5m, got '" + raw + "'");
      }
    }
    if (d.isNegative() || d.isZero()) {
      throw new ConfigException(key + ": must be positive, got '" + raw + "'");
    }
    return d;
  }

  /** The shortest form {@link #parseDuration} reads back: {@code 5m} rather than {@code 300s}. */
  static String formatDuration(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
    if (ms % 60_000 == 0) return ms / 60_000 + "m";
    if (ms % 1000 == 0) return ms / 1000 + "s";
    return ms + "ms";
  }
}
