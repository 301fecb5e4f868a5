package iota.orchestrator.config;

import iota.orchestrator.model.Ids;
import iota.orchestrator.model.KubernetesNames;
import iota.orchestrator.model.OrchestrationParams;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one typed configuration of every process, built from a plain map of keys so that tests
 * never touch the environment.
 *
 * <p>Sources, lowest precedence first: built-in defaults, a properties file ({@code
 * iota.config.file} / {@code IOTA_CONFIG_FILE} / {@code --config}), environment variables and
 * command-line flags. Keys are dotted lower case ({@code iota.heartbeat.timeout}); the environment
 * spells them upper case with underscores ({@code IOTA_HEARTBEAT_TIMEOUT}). {@code KAFKA_*}
 * variables and {@code kafka.*} properties pass through as Kafka client properties ({@code
 * KAFKA_SECURITY_PROTOCOL=SSL} becomes {@code security.protocol=SSL}), so TLS and SASL need no code.
 *
 * <p>The keys, their types, defaults and checks are declared once, in {@link ConfigKeys}; code reads
 * {@code config.get(ConfigKeys.HEARTBEAT_TIMEOUT)}. Every value is checked here, at start, with a
 * message that names the key. An unknown {@code iota.*} key in a file or a flag is an error (a typo
 * must not pass silently); in the environment it is ignored, since other platform processes share
 * the {@code IOTA_} prefix.
 */
public final class OrchestratorConfig {
  public static final String PREFIX = "iota.";

  private static final Pattern TYPE_KEY = Pattern.compile("iota\\.resource\\.([^.]+)\\.("
      + ConfigKeys.perType().stream().map(k -> Pattern.quote(k.suffix())).collect(Collectors.joining("|")) + ")");

  /** The keys that were set, as text; unset keys read as their default. */
  private final Map<String, String> values;
  private final Map<String, String> kafka;
  private final List<ResourceType> resourceTypes;

  private OrchestratorConfig(Map<String, String> values, Map<String, String> kafka) {
    this.values = values;
    this.kafka = kafka;
    this.resourceTypes = parseResourceTypes();
    validate();
  }

  /** Configuration from the process environment, the file it names and the given flags. */
  public static OrchestratorConfig load(Map<String, String> flags) {
    return from(System.getenv(), flags);
  }

  /**
   * Builds the configuration from environment-style variables and flags (canonical keys). The file
   * named by {@code iota.config.file} in either is read in between.
   */
  public static OrchestratorConfig from(Map<String, String> env, Map<String, String> flags) {
    Map<String, String> fromEnv = new HashMap<>();
    Map<String, String> kafka = new TreeMap<>();
    env.forEach(
        (k, v) -> {
          if (k.startsWith("IOTA_")) {
            fromEnv.put(k.toLowerCase(Locale.ROOT).replace('_', '.'), v);
          } else if (k.startsWith("KAFKA_") && k.length() > 6) {
            kafka.put(k.substring(6).toLowerCase(Locale.ROOT).replace('_', '.'), v);
          }
        });
    String file = flags.getOrDefault(ConfigKeys.CONFIG_FILE.name(), fromEnv.get(ConfigKeys.CONFIG_FILE.name()));
    Map<String, String> fromFile = file == null || file.isBlank() ? Map.of() : readFile(Path.of(file));

    Map<String, String> merged = new HashMap<>();
    for (var e : fromFile.entrySet()) {
      if (e.getKey().startsWith("kafka.")) {
        kafka.put(e.getKey().substring(6), e.getValue());
      } else {
        requireKnown(e.getKey(), "in " + file);
        merged.put(e.getKey(), e.getValue());
      }
    }
    for (var e : fromEnv.entrySet()) {
      if (isKnown(e.getKey())) {
        merged.put(e.getKey(), e.getValue());
      }
    }
    for (var e : flags.entrySet()) {
      if (e.getKey().startsWith("kafka.")) {
        kafka.put(e.getKey().substring(6), e.getValue());
      } else if (e.getValue() != null) {
        requireKnown(e.getKey(), "given on the command line");
        merged.put(e.getKey(), e.getValue());
      }
    }
    return new OrchestratorConfig(Collections.unmodifiableMap(merged), Collections.unmodifiableMap(kafka));
  }

  /** The built-in defaults with the given overrides, for tests and tools. */
  public static OrchestratorConfig of(Map<String, String> flags) {
    return from(Map.of(), flags);
  }

  private static Map<String, String> readFile(Path path) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(path)) {
      p.load(in);
    } catch (IOException e) {
      throw new ConfigException(ConfigKeys.CONFIG_FILE.name() + ": cannot read " + path + ": " + e.getMessage());
    }
    Map<String, String> m = new HashMap<>();
    p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).trim()));
    return m;
  }

  private static boolean isKnown(String key) {
    return ConfigKeys.scalar(key) != null || TYPE_KEY.matcher(key).matches();
  }

  private static void requireKnown(String key, String where) {
    if (!isKnown(key)) {
      throw new ConfigException(key + ": unknown configuration key " + where);
    }
  }

  private List<ResourceType> parseResourceTypes() {
    String key = ConfigKeys.RESOURCES.name();
    List<String> names = get(ConfigKeys.RESOURCES);
    if (names.isEmpty()) {
      throw new ConfigException(key + ": at least one resource type is required");
    }
    Map<String, String> byLower = new HashMap<>();
    for (String n : names) {
      String problem = Ids.problem(n);
      if (problem != null || n.contains(".")) {
        throw new ConfigException(key + ": '" + n + "' is not a usable type name" + (problem == null ? " (contains '.')" : ": " + problem));
      }
      if (!KubernetesNames.isLabelValue(n)) {
        throw new ConfigException(key + ": '" + n + "' is not usable as a Kubernetes label value (letters, digits, '-', '_', at most 63, starting and ending with a letter or digit)");
      }
      if (byLower.put(n.toLowerCase(Locale.ROOT), n) != null) {
        throw new ConfigException(key + ": '" + n + "' is listed twice");
      }
    }
    for (String set : values.keySet()) {
      Matcher m = TYPE_KEY.matcher(set);
      if (m.matches() && !byLower.containsKey(m.group(1).toLowerCase(Locale.ROOT))) {
        throw new ConfigException(set + ": '" + m.group(1) + "' is not in " + key + " (" + String.join(",", names) + ")");
      }
    }
    List<ResourceType> types = new ArrayList<>();
    for (String name : names) {
      ConfigKey<String> instanceNameKey = ConfigKeys.INSTANCE_NAME.of(name);
      String instanceName = get(instanceNameKey);
      if (instanceName == null) {
        throw new ConfigException(instanceNameKey.name() + ": required for resource type " + name);
      }
      boolean heart = get(ConfigKeys.HEART.of(name));
      ConfigKey<List<String>> dependsOnKey = ConfigKeys.DEPENDS_ON.of(name);
      List<String> dependsOn = get(dependsOnKey);
      for (String d : dependsOn) {
        if (Ids.problem(d) != null) {
          throw new ConfigException(dependsOnKey.name() + ": '" + d + "' is not a usable table name");
        }
        if (byLower.containsKey(d.toLowerCase(Locale.ROOT))) {
          throw new ConfigException(dependsOnKey.name() + ": '" + d + "' is itself a resource type");
        }
      }
      ConfigKey<Integer> initKey = ConfigKeys.INIT_INSTANCES.of(name);
      ConfigKey<Integer> maxKey = ConfigKeys.MAX_INSTANCES.of(name);
      int init = get(initKey);
      int max = get(maxKey);
      int rpi = get(ConfigKeys.RESOURCE_PER_INSTANCE.of(name));
      get(ConfigKeys.SCALE_DOWN_STABILIZATION.of(name));
      if (init > max) {
        throw new ConfigException(initKey.name() + ": " + init + " is more than " + maxKey.name() + " (" + max + ")");
      }
      types.add(new ResourceType(name, instanceName, heart, dependsOn, new OrchestrationParams.Sizing(init, max, rpi)));
    }
    return List.copyOf(types);
  }

  /** Parses every set key once, so that a bad value fails the start rather than a later read. */
  private void validate() {
    ConfigKeys.scalar().forEach(this::get);
  }

  // ---- accessors

  /** The value of a key: as set, else its default, else null. */
  public <T> T get(ConfigKey<T> key) {
    return key.valueOf(values.get(key.name()));
  }

  /** The value of a key that must be set (and not blank) for the command at hand. */
  public <T> T require(ConfigKey<T> key) {
    T v = get(key);
    if (v == null || v instanceof String s && s.isBlank()) {
      throw new ConfigException(key.name() + ": required (environment " + key.environmentVariable() + ")");
    }
    return v;
  }

  public List<ResourceType> resourceTypes() {
    return resourceTypes;
  }

  public Map<String, String> kafkaOverrides() {
    return kafka;
  }

  /** A copy with more keys set, for one process deriving another's configuration (embedded mode). */
  public OrchestratorConfig with(Map<String, String> overrides) {
    Map<String, String> flags = new HashMap<>();
    values.forEach((k, v) -> {
      if (!k.equals(ConfigKeys.CONFIG_FILE.name())) flags.put(k, v);
    });
    flags.putAll(overrides);
    kafka.forEach((k, v) -> flags.putIfAbsent("kafka." + k, v));
    return from(Map.of(), flags);
  }

  /** Parses {@code 250ms}, {@code 90s}, {@code 5m}, {@code 1h} or ISO-8601 ({@code PT90S}). */
  public static Duration parseDuration(String key, String raw) {
    return ConfigKey.parseDuration(key, raw);
  }
}
