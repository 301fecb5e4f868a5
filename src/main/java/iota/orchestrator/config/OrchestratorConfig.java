package iota.orchestrator.config;

import iota.orchestrator.model.Ids;
import iota.orchestrator.model.KubernetesNames;
import iota.orchestrator.model.OrchestrationParams;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * <p>Every value is checked here, at start, with a message that names the key. An unknown {@code
 * iota.*} key in a file or a flag is an error (a typo must not pass silently); in the environment
 * it is ignored, since other platform processes share the {@code IOTA_} prefix.
 */
public final class OrchestratorConfig {
  public static final String PREFIX = "iota.";

  /**
   * Default byte budget of one instance's {@code resources} znode. The whole assignment record adds
   * a few hundred bytes (data, _reload, key, sequence) and a dead-lettered copy adds headers; Kafka
   * refuses a batch over {@code max.message.bytes} (1,048,588) and a producer a request over {@code
   * max.request.size} (1,048,576); ZooKeeper refuses a packet over {@code jute.maxbuffer} (1 MiB)
   * for the multi-op transaction of an instance and its children. 900,000 leaves about 148 KB for
   * all of that.
   */
  public static final int ASSIGNMENT_MAX_BYTES_DEFAULT = 900_000;

  /** The smallest budget: an empty instance must take the longest id the edge accepts, escaped. */
  public static final int ASSIGNMENT_MAX_BYTES_MIN = 4096;

  /** The largest budget accepted, for sites that raised every limit above. */
  public static final int ASSIGNMENT_MAX_BYTES_MAX = 64 * 1024 * 1024;

  /** Every scalar key with its default; null means no default. */
  private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

  static {
    DEFAULTS.put("iota.config.file", null);
    DEFAULTS.put("iota.bootstrap.servers", null);
    DEFAULTS.put("iota.application.id", "iota-orchestrator");
    DEFAULTS.put("iota.instance.id", null);
    DEFAULTS.put("iota.state.dir", "data/streams");
    DEFAULTS.put("iota.processing.guarantee", "exactly_once_v2");
    DEFAULTS.put("iota.num.standby.replicas", "0");
    DEFAULTS.put("iota.commit.interval", "100ms");
    DEFAULTS.put("iota.heartbeat.timeout", "90s");
    DEFAULTS.put("iota.pod.start.timeout", "5m");
    DEFAULTS.put("iota.assignment.flush.interval", "20ms");
    DEFAULTS.put("iota.assignment.max.bytes", String.valueOf(ASSIGNMENT_MAX_BYTES_DEFAULT));
    DEFAULTS.put("iota.resources", "Thing,Rule");
    DEFAULTS.put("iota.http.host", "0.0.0.0");
    DEFAULTS.put("iota.http.port", "7070");
    DEFAULTS.put("iota.application.server", null);
    DEFAULTS.put("iota.api.token", null);
    DEFAULTS.put("iota.api.token.file", null);
    DEFAULTS.put("iota.api.protect.reads", "false");
    DEFAULTS.put("iota.api.request.timeout", "10s");
    DEFAULTS.put("iota.api.forward.max.bytes", Integer.toString(64 << 20));
    DEFAULTS.put("iota.cors.origins", "");
    DEFAULTS.put("iota.zookeeper.connect", null);
    DEFAULTS.put("iota.zookeeper.root", "/iota/orchestration");
    DEFAULTS.put("iota.zookeeper.auth", null);
    DEFAULTS.put("iota.kubernetes.namespace", "iota");
    DEFAULTS.put("iota.templates.dir", "templates");
    DEFAULTS.put("iota.executor.group.id", "iota-orchestrator-executor");
    DEFAULTS.put("iota.executor.max.attempts", "8");
    DEFAULTS.put("iota.executor.zookeeper.writers", "4");
    DEFAULTS.put("iota.orphans.interval", "5m");
    DEFAULTS.put("iota.orphans.grace", "10m");
    DEFAULTS.put("iota.orphans.purge", "true");
    DEFAULTS.put("iota.record.max.bytes", "1000000");
    DEFAULTS.put("iota.health.failure.window", "2m");
  }

  private static final Pattern TYPE_KEY =
      Pattern.compile("iota\\.resource\\.([^.]+)\\.(instance\\.name|heart|depends\\.on|init\\.instances|max\\.instances|resource\\.per\\.instance)");

  private final Map<String, String> values;
  private final Map<String, String> kafka;
  private final List<ResourceType> resourceTypes;

  private OrchestratorConfig(Map<String, String> values, Map<String, String> kafka, List<ResourceType> types) {
    this.values = values;
    this.kafka = kafka;
    this.resourceTypes = types;
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
    String file = flags.getOrDefault("iota.config.file", fromEnv.get("iota.config.file"));
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
    Map<String, String> values = new HashMap<>();
    DEFAULTS.forEach((k, v) -> {
      if (v != null) values.put(k, v);
    });
    values.putAll(merged);
    List<ResourceType> types = resourceTypes(values);
    OrchestratorConfig config = new OrchestratorConfig(Collections.unmodifiableMap(values), Collections.unmodifiableMap(kafka), types);
    config.validate();
    return config;
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
      throw new ConfigException("iota.config.file: cannot read " + path + ": " + e.getMessage());
    }
    Map<String, String> m = new HashMap<>();
    p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).trim()));
    return m;
  }

  private static boolean isKnown(String key) {
    return DEFAULTS.containsKey(key) || TYPE_KEY.matcher(key).matches();
  }

  private static void requireKnown(String key, String where) {
    if (!isKnown(key)) {
      throw new ConfigException(key + ": unknown configuration key " + where);
    }
  }

  private static List<ResourceType> resourceTypes(Map<String, String> values) {
    List<String> names = list(values.get("iota.resources"));
    if (names.isEmpty()) {
      throw new ConfigException("iota.resources: at least one resource type is required");
    }
    Map<String, String> byLower = new HashMap<>();
    for (String n : names) {
      String problem = Ids.problem(n);
      if (problem != null || n.contains(".")) {
        throw new ConfigException("iota.resources: '" + n + "' is not a usable type name" + (problem == null ? " (contains '.')" : ": " + problem));
      }
      if (!KubernetesNames.isLabelValue(n)) {
        throw new ConfigException("iota.resources: '" + n + "' is not usable as a Kubernetes label value (letters, digits, '-', '_', at most 63, starting and ending with a letter or digit)");
      }
      if (byLower.put(n.toLowerCase(Locale.ROOT), n) != null) {
        throw new ConfigException("iota.resources: '" + n + "' is listed twice");
      }
    }
    for (String key : values.keySet()) {
      Matcher m = TYPE_KEY.matcher(key);
      if (m.matches() && !byLower.containsKey(m.group(1).toLowerCase(Locale.ROOT))) {
        throw new ConfigException(key + ": '" + m.group(1) + "' is not in iota.resources (" + String.join(",", names) + ")");
      }
    }
    List<ResourceType> types = new ArrayList<>();
    for (String name : names) {
      ResourceType base =
          switch (name) {
            case "Thing" -> ResourceType.thing();
            case "Rule" -> ResourceType.rule();
            default -> null;
          };
      String prefix = "iota.resource." + name.toLowerCase(Locale.ROOT) + ".";
      String instanceName = typeValue(values, prefix + "instance.name", base == null ? null : base.instanceName());
      if (instanceName == null) {
        throw new ConfigException(prefix + "instance.name: required for resource type " + name);
      }
      if (!KubernetesNames.isInstanceName(instanceName)) {
        throw new ConfigException(prefix + "instance.name: '" + instanceName + "' is not a DNS label prefix (lower case letters, digits, '-')");
      }
      boolean heart = bool(prefix + "heart", typeValue(values, prefix + "heart", base != null && base.heart() ? "true" : "false"));
      String dependsRaw = typeValue(values, prefix + "depends.on", base == null ? "" : String.join(",", base.dependsOn()));
      List<String> dependsOn = list(dependsRaw);
      for (String d : dependsOn) {
        if (Ids.problem(d) != null) {
          throw new ConfigException(prefix + "depends.on: '" + d + "' is not a usable table name");
        }
        if (byLower.containsKey(d.toLowerCase(Locale.ROOT))) {
          throw new ConfigException(prefix + "depends.on: '" + d + "' is itself a resource type");
        }
      }
      OrchestrationParams.Sizing def = base == null ? ResourceType.DEFAULT_SIZING : base.defaults();
      int init = intIn(prefix + "init.instances", typeValue(values, prefix + "init.instances", null), def.initInstances(), 1, OrchestrationParams.INIT_INSTANCES_LIMIT - 1);
      int max = intIn(prefix + "max.instances", typeValue(values, prefix + "max.instances", null), def.maxInstances(), OrchestrationParams.MAX_INSTANCES_MIN, OrchestrationParams.MAX_INSTANCES_LIMIT);
      int rpi = intIn(prefix + "resource.per.instance", typeValue(values, prefix + "resource.per.instance", null), def.resourcePerInstance(), 1, OrchestrationParams.RESOURCE_PER_INSTANCE_LIMIT);
      if (init > max) {
        throw new ConfigException(prefix + "init.instances: " + init + " is more than " + prefix + "max.instances (" + max + ")");
      }
      types.add(new ResourceType(name, instanceName, heart, dependsOn, new OrchestrationParams.Sizing(init, max, rpi)));
    }
    return List.copyOf(types);
  }

  private static String typeValue(Map<String, String> values, String key, String fallback) {
    String v = values.get(key);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  private void validate() {
    duration("iota.heartbeat.timeout");
    duration("iota.pod.start.timeout");
    duration("iota.assignment.flush.interval");
    duration("iota.commit.interval");
    duration("iota.api.request.timeout");
    String guarantee = get("iota.processing.guarantee");
    if (!guarantee.equals("exactly_once_v2") && !guarantee.equals("at_least_once")) {
      throw new ConfigException("iota.processing.guarantee: must be exactly_once_v2 or at_least_once, got '" + guarantee + "'");
    }
    intIn("iota.num.standby.replicas", get("iota.num.standby.replicas"), 0, 0, 10);
    intIn("iota.http.port", get("iota.http.port"), 7070, 0, 65535);
    intIn("iota.executor.max.attempts", get("iota.executor.max.attempts"), 8, 1, 1000);
    intIn("iota.executor.zookeeper.writers", get("iota.executor.zookeeper.writers"), 4, 1, 64);
    intIn("iota.assignment.max.bytes", get("iota.assignment.max.bytes"), ASSIGNMENT_MAX_BYTES_DEFAULT, ASSIGNMENT_MAX_BYTES_MIN, ASSIGNMENT_MAX_BYTES_MAX);
    intIn("iota.record.max.bytes", get("iota.record.max.bytes"), 1_000_000, 16 * 1024, 64 * 1024 * 1024);
    duration("iota.health.failure.window");
    bool("iota.api.protect.reads", get("iota.api.protect.reads"));
    duration("iota.orphans.interval");
    duration("iota.orphans.grace");
    bool("iota.orphans.purge", get("iota.orphans.purge"));
    String root = get("iota.zookeeper.root");
    if (!root.startsWith("/") || root.endsWith("/") || root.contains("//")) {
      throw new ConfigException("iota.zookeeper.root: must be an absolute ZooKeeper path without a trailing '/', got '" + root + "'");
    }
    String auth = get("iota.zookeeper.auth");
    if (auth != null && !auth.matches("[^:]+:.+")) {
      throw new ConfigException("iota.zookeeper.auth: expected user:password for digest authentication");
    }
    String instance = get("iota.instance.id");
    if (instance != null && !instance.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,199}")) {
      throw new ConfigException("iota.instance.id: expected letters, digits, '.', '_' or '-' (at most 200, e.g. a pod name), got '" + instance + "'");
    }
    String server = get("iota.application.server");
    if (server != null) {
      try {
        HostPort.parse(server);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("iota.application.server: " + e.getMessage());
      }
    }
    intIn("iota.api.forward.max.bytes", get("iota.api.forward.max.bytes"), 64 << 20, 1024, Integer.MAX_VALUE);
  }

  // ---- accessors

  /** The raw value of a key, or null. */
  public String get(String key) {
    return values.get(key);
  }

  /** The value of a key that must be set for the command at hand. */
  public String require(String key) {
    String v = values.get(key);
    if (v == null || v.isBlank()) {
      throw new ConfigException(key + ": required (environment " + key.toUpperCase(Locale.ROOT).replace('.', '_') + ")");
    }
    return v;
  }

  public Duration duration(String key) {
    return parseDuration(key, require(key));
  }

  public int integer(String key) {
    return Integer.parseInt(require(key));
  }

  public boolean bool(String key) {
    return bool(key, require(key));
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
      if (!k.equals("iota.config.file")) flags.put(k, v);
    });
    flags.putAll(overrides);
    kafka.forEach((k, v) -> flags.putIfAbsent("kafka." + k, v));
    return from(Map.of(), flags);
  }

  /**
   * This process's stable identity in its consumer groups (Kafka static membership, {@code
   * group.instance.id}), or null for a dynamic member. A process restarted with the same identity
   * takes its partitions back at once instead of waiting for the old member's session to expire.
   */
  public String instanceId() {
    String v = get("iota.instance.id");
    return v == null || v.isBlank() ? null : v.trim();
  }

  public String bootstrapServers() {
    return require("iota.bootstrap.servers");
  }

  /** {@code iota.assignment.max.bytes}: the byte budget of one instance's {@code resources} znode. */
  public int assignmentMaxBytes() {
    return integer("iota.assignment.max.bytes");
  }

  public Duration heartbeatTimeout() {
    return duration("iota.heartbeat.timeout");
  }

  // ---- parsing helpers

  static List<String> list(String raw) {
    List<String> out = new ArrayList<>();
    if (raw == null) {
      return out;
    }
    for (String s : raw.split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return out;
  }

  private static boolean bool(String key, String raw) {
    if ("true".equalsIgnoreCase(raw)) return true;
    if ("false".equalsIgnoreCase(raw)) return false;
    throw new ConfigException(key + ": expected true or false, got '" + raw + "'");
  }

  private static int intIn(String key, String raw, int fallback, int min, int max) {
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
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
  public static Duration parseDuration(String key, String raw) {
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
}
