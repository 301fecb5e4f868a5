package iota.orchestrator.config;

import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * A key every resource type has: {@code iota.resource.<type>.<suffix>}, the type in lower case. Its
 * default may depend on the type (Thing's workers heartbeat, Rule's do not), so {@link #of} gives
 * the plain {@link ConfigKey} of one type with that type's default.
 *
 * @param <T> the type of the value
 */
public final class TypeKey<T> {
  /** Where the type's name goes in {@link #template()}. */
  public static final String TYPE = "<type>";

  private static final String PREFIX = "iota.resource.";

  private final String suffix;
  private final ConfigKey<T> shape;
  private final Function<String, T> defaultFor;

  private TypeKey(String suffix, ConfigKey<T> shape, Function<String, T> defaultFor) {
    this.suffix = Objects.requireNonNull(suffix);
    this.shape = shape;
    this.defaultFor = defaultFor;
  }

  /**
   * A key of every type, parsed as {@code shape} parses (its name and default are not used) and
   * defaulting to {@code defaultFor.apply(typeName)}, which may be null.
   */
  public static <T> TypeKey<T> of(String suffix, ConfigKey<T> shape, Function<String, T> defaultFor) {
    return new TypeKey<>(suffix, shape, defaultFor);
  }

  /** What follows the type in the key's name, e.g. {@code max.instances}. */
  public String suffix() {
    return suffix;
  }

  /** The name with {@value #TYPE} for the type, as the README lists it. */
  public String template() {
    return PREFIX + TYPE + "." + suffix;
  }

  /** The key of one resource type, with that type's default. */
  public ConfigKey<T> of(String typeName) {
    return shape.forType(PREFIX + typeName.toLowerCase(Locale.ROOT) + "." + suffix, defaultFor.apply(typeName));
  }

  @Override
  public String toString() {
    return template();
  }
}
