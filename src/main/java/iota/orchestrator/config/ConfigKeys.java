package iota.orchestrator.config;

import iota.orchestrator.model.KubernetesNames;
import iota.orchestrator.model.OrchestrationParams;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Every configuration key, each declared once with its type, default and check. The README's
 * configuration table lists the same keys with the same defaults ({@code ReadmeConfigTableTest}
 * holds them together).
 */
public final class ConfigKeys {
  private static final Map<String, ConfigKey<?>> SCALAR = new LinkedHashMap<>();
  private static final Map<String, TypeKey<?>> PER_TYPE = new LinkedHashMap<>();

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

  public static final ConfigKey<String> CONFIG_FILE = declare(ConfigKey.string("iota.config.file", null));
  public static final ConfigKey<String> BOOTSTRAP_SERVERS = declare(ConfigKey.string("iota.bootstrap.servers", null));
  public static final ConfigKey<String> APPLICATION_ID = declare(ConfigKey.string("iota.application.id", "iota-orchestrator"));

  /**
   * This process's stable identity in its consumer groups (Kafka static membership, {@code
   * group.instance.id}); unset for a dynamic member. A process restarted with the same identity
   * takes its partitions back at once instead of waiting for the old member's session to expire.
   */
  public static final ConfigKey<String> INSTANCE_ID = declare(ConfigKey.string("iota.instance.id", null, (key, raw) -> {
    if (!raw.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,199}")) {
      throw new ConfigException(key + ": expected letters, digits, '.', '_' or '-' (at most 200, e.g. a pod name), got '" + raw + "'");
    }
    return raw;
  }));

  public static final ConfigKey<String> STATE_DIR = declare(ConfigKey.string("iota.state.dir", "data/streams"));
  public static final ConfigKey<String> PROCESSING_GUARANTEE = declare(ConfigKey.string("iota.processing.guarantee", "exactly_once_v2", (key, raw) -> {
    if (!raw.equals("exactly_once_v2") && !raw.equals("at_least_once")) {
      throw new ConfigException(key + ": must be exactly_once_v2 or at_least_once, got '" + raw + "'");
    }
    return raw;
  }));
  public static final ConfigKey<Integer> NUM_STANDBY_REPLICAS = declare(ConfigKey.integer("iota.num.standby.replicas", 0, 0, 10));
  public static final ConfigKey<Duration> COMMIT_INTERVAL = declare(ConfigKey.duration("iota.commit.interval", Duration.ofMillis(100)));
  public static final ConfigKey<Duration> HEARTBEAT_TIMEOUT = declare(ConfigKey.duration("iota.heartbeat.timeout", Duration.ofSeconds(90)));
  public static final ConfigKey<Duration> POD_START_TIMEOUT = declare(ConfigKey.duration("iota.pod.start.timeout", Duration.ofMinutes(5)));
  public static final ConfigKey<Duration> ASSIGNMENT_FLUSH_INTERVAL = declare(ConfigKey.duration("iota.assignment.flush.interval", Duration.ofMillis(20)));

  /** The byte budget of one instance's {@code resources} znode. */
  public static final ConfigKey<Integer> ASSIGNMENT_MAX_BYTES = declare(ConfigKey.integer("iota.assignment.max.bytes",
      ASSIGNMENT_MAX_BYTES_DEFAULT, ASSIGNMENT_MAX_BYTES_MIN, ASSIGNMENT_MAX_BYTES_MAX));

  /** The resource types, in order; each must be usable as a table name and a pod label value. */
  public static final ConfigKey<List<String>> RESOURCES = declare(ConfigKey.list("iota.resources", List.of("Thing", "Rule")));

  public static final ConfigKey<String> HTTP_HOST = declare(ConfigKey.string("iota.http.host", "0.0.0.0"));
  public static final ConfigKey<Integer> HTTP_PORT = declare(ConfigKey.integer("iota.http.port", 7070, 0, 65535));

  /** The {@code host:port} other app instances reach this one at. */
  public static final ConfigKey<String> APPLICATION_SERVER = declare(ConfigKey.string("iota.application.server", null, (key, raw) -> {
    try {
      HostPort.parse(raw);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key + ": " + e.getMessage());
    }
    return raw;
  }));

  public static final ConfigKey<String> API_TOKEN = declare(ConfigKey.string("iota.api.token", null));
  public static final ConfigKey<String> API_TOKEN_FILE = declare(ConfigKey.string("iota.api.token.file", null));
  public static final ConfigKey<Boolean> API_PROTECT_READS = declare(ConfigKey.bool("iota.api.protect.reads", false));
  public static final ConfigKey<Duration> API_REQUEST_TIMEOUT = declare(ConfigKey.duration("iota.api.request.timeout", Duration.ofSeconds(10)));
  public static final ConfigKey<Integer> API_FORWARD_MAX_BYTES = declare(ConfigKey.integer("iota.api.forward.max.bytes", 64 << 20, 1024, Integer.MAX_VALUE));
  public static final ConfigKey<String> CORS_ORIGINS = declare(ConfigKey.string("iota.cors.origins", ""));
  public static final ConfigKey<String> ZOOKEEPER_CONNECT = declare(ConfigKey.string("iota.zookeeper.connect", null));
  public static final ConfigKey<String> ZOOKEEPER_ROOT = declare(ConfigKey.string("iota.zookeeper.root", "/iota/orchestration", (key, raw) -> {
    if (!raw.startsWith("/") || raw.endsWith("/") || raw.contains("//")) {
      throw new ConfigException(key + ": must be an absolute ZooKeeper path without a trailing '/', got '" + raw + "'");
    }
    return raw;
  }));

  /** {@code user:password} for digest authentication; unset leaves the znodes world-writable. */
  public static final ConfigKey<String> ZOOKEEPER_AUTH = declare(ConfigKey.string("iota.zookeeper.auth", null, (key, raw) -> {
    if (!raw.matches("[^:]+:.+")) {
      throw new ConfigException(key + ": expected user:password for digest authentication");
    }
    return raw;
  }));

  public static final ConfigKey<String> KUBERNETES_NAMESPACE = declare(ConfigKey.string("iota.kubernetes.namespace", "iota"));
  public static final ConfigKey<String> TEMPLATES_DIR = declare(ConfigKey.string("iota.templates.dir", "templates"));
  public static final ConfigKey<String> EXECUTOR_GROUP_ID = declare(ConfigKey.string("iota.executor.group.id", "iota-orchestrator-executor"));
  public static final ConfigKey<Integer> EXECUTOR_MAX_ATTEMPTS = declare(ConfigKey.integer("iota.executor.max.attempts", 8, 1, 1000));
  public static final ConfigKey<Integer> EXECUTOR_ZOOKEEPER_WRITERS = declare(ConfigKey.integer("iota.executor.zookeeper.writers", 4, 1, 64));
  /**
   * How long the executor holds back a command whose preconditions (a load move's receivers, a
   * scale-down's emptied assignment) are not in ZooKeeper before it dead-letters it.
   */
  public static final ConfigKey<Duration> PRECONDITION_TIMEOUT = declare(ConfigKey.duration("iota.precondition.timeout", Duration.ofMinutes(2)));
  public static final ConfigKey<Duration> ORPHANS_INTERVAL = declare(ConfigKey.duration("iota.orphans.interval", Duration.ofMinutes(5)));
  public static final ConfigKey<Duration> ORPHANS_GRACE = declare(ConfigKey.duration("iota.orphans.grace", Duration.ofMinutes(10)));
  public static final ConfigKey<Boolean> ORPHANS_PURGE = declare(ConfigKey.bool("iota.orphans.purge", true));
  /** Executor: time between pod usage samples (metrics.k8s.io) published on {@code iota.orchestrator.pod-metrics}. */
  public static final ConfigKey<Duration> METRICS_INTERVAL = declare(ConfigKey.duration("iota.metrics.interval", Duration.ofSeconds(15)));
  public static final ConfigKey<Integer> RECORD_MAX_BYTES = declare(ConfigKey.integer("iota.record.max.bytes", 1_000_000, 16 * 1024, 64 * 1024 * 1024));
  public static final ConfigKey<Duration> HEALTH_FAILURE_WINDOW = declare(ConfigKey.duration("iota.health.failure.window", Duration.ofMinutes(2)));

  // ---- per resource type: the built-in types' own values, else the same for every type

  /** The pod template folder and pod name prefix; required for a type that is not built in. */
  public static final TypeKey<String> INSTANCE_NAME = declare(TypeKey.of("instance.name", ConfigKey.string("", null, (key, raw) -> {
    if (!KubernetesNames.isInstanceName(raw)) {
      throw new ConfigException(key + ": '" + raw + "' is not a DNS label prefix (lower case letters, digits, '-')");
    }
    return raw;
  }), builtin(ResourceType::instanceName, null)));

  public static final TypeKey<Boolean> HEART = declare(TypeKey.of("heart", ConfigKey.bool("", false), builtin(ResourceType::heart, false)));
  public static final TypeKey<List<String>> DEPENDS_ON = declare(TypeKey.of("depends.on", ConfigKey.list("", List.of()), builtin(ResourceType::dependsOn, List.of())));
  public static final TypeKey<Integer> INIT_INSTANCES = declare(TypeKey.of("init.instances",
      ConfigKey.integer("", 0, 1, OrchestrationParams.INIT_INSTANCES_LIMIT - 1), builtin(t -> t.defaults().initInstances(), ResourceType.DEFAULT_SIZING.initInstances())));
  public static final TypeKey<Integer> MAX_INSTANCES = declare(TypeKey.of("max.instances",
      ConfigKey.integer("", 0, OrchestrationParams.MAX_INSTANCES_MIN, OrchestrationParams.MAX_INSTANCES_LIMIT), builtin(t -> t.defaults().maxInstances(), ResourceType.DEFAULT_SIZING.maxInstances())));
  public static final TypeKey<Integer> RESOURCE_PER_INSTANCE = declare(TypeKey.of("resource.per.instance",
      ConfigKey.integer("", 0, 1, OrchestrationParams.RESOURCE_PER_INSTANCE_LIMIT), builtin(t -> t.defaults().resourcePerInstance(), ResourceType.DEFAULT_SIZING.resourcePerInstance())));

  /** A scale-down goes no lower than the highest recommendation of this window (issue 12 §3). */
  public static final TypeKey<Duration> SCALE_DOWN_STABILIZATION = declare(TypeKey.of("scale.down.stabilization",
      ConfigKey.duration("", Duration.ofMinutes(5)), type -> Duration.ofMinutes(5)));

  // Autoscaling on pod usage (issue 12 §3), as Kubernetes' HorizontalPodAutoscaler decides.
  public static final TypeKey<Boolean> AUTOSCALE = declare(TypeKey.of("autoscale", ConfigKey.bool("", false), builtin(t -> t.name().equals("Thing"), false)));
  public static final TypeKey<Double> TARGET_CPU_UTILIZATION = declare(TypeKey.of("target.cpu.utilization", ConfigKey.decimal("", 0.70, 0.01, 1), type -> 0.70));
  public static final TypeKey<Double> TARGET_MEMORY_UTILIZATION = declare(TypeKey.of("target.memory.utilization", ConfigKey.decimal("", 0.80, 0.01, 1), type -> 0.80));
  public static final TypeKey<Double> SCALE_TOLERANCE = declare(TypeKey.of("scale.tolerance", ConfigKey.decimal("", 0.10, 0, 0.99), type -> 0.10));
  /** A scale-up adds at most this many instances or 100 % of the pool, whichever is more. */
  public static final TypeKey<Integer> SCALE_UP_MAX_STEP = declare(TypeKey.of("scale.up.max.step", ConfigKey.integer("", 4, 1, OrchestrationParams.MAX_INSTANCES_LIMIT), type -> 4));
  /** Samples of a pod younger than this are not used: a starting worker's usage says nothing of its load. */
  public static final TypeKey<Duration> METRICS_WARMUP = declare(TypeKey.of("metrics.warmup", ConfigKey.duration("", Duration.ofSeconds(30)), type -> Duration.ofSeconds(30)));
  /** CPU millicores a worker uses with no resources; only usage above it is divided among its resources. */
  public static final TypeKey<Integer> LOAD_IDLE_CPU = declare(TypeKey.of("load.idle.cpu", ConfigKey.integer("", 50, 0, 1_000_000), type -> 50));

  private ConfigKeys() {}

  /** Every key that is not per resource type, in declaration order. */
  public static Collection<ConfigKey<?>> scalar() {
    return Collections.unmodifiableCollection(SCALAR.values());
  }

  /** Every per-type key, in declaration order. */
  public static Collection<TypeKey<?>> perType() {
    return Collections.unmodifiableCollection(PER_TYPE.values());
  }

  /** The scalar key of that name, or null. */
  static ConfigKey<?> scalar(String name) {
    return SCALAR.get(name);
  }

  /** The per-type key of that suffix, or null. */
  static TypeKey<?> perType(String suffix) {
    return PER_TYPE.get(suffix);
  }

  private static <T> ConfigKey<T> declare(ConfigKey<T> key) {
    if (SCALAR.put(key.name(), key) != null) {
      throw new IllegalStateException(key.name() + " is declared twice");
    }
    return key;
  }

  private static <T> TypeKey<T> declare(TypeKey<T> key) {
    if (PER_TYPE.put(key.suffix(), key) != null) {
      throw new IllegalStateException(key.template() + " is declared twice");
    }
    return key;
  }

  private static <T> Function<String, T> builtin(Function<ResourceType, T> value, T otherwise) {
    return type -> ResourceType.builtin(type).map(value).orElse(otherwise);
  }
}
