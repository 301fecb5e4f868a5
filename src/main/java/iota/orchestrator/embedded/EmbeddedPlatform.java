package iota.orchestrator.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.admin.TopicApplier;
import iota.orchestrator.admin.TopicSpec;
import iota.orchestrator.api.ApiServer;
import iota.orchestrator.api.AppNode;
import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.executor.Executor;
import iota.orchestrator.executor.PodMetricsPoller;
import iota.orchestrator.executor.ZooKeeperClients;
import iota.orchestrator.model.Json;
import iota.orchestrator.topology.StreamsApp;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole system in one JVM, for {@code embedded} mode and for integration tests: a real KRaft
 * Kafka broker, ZooKeeper, an MQTT broker, Kafka Connect running the MQTT bridge, the topology,
 * the executor with its pod metrics poller and the REST server — plus stand-ins, said plainly: a
 * SIMULATED Kubernetes API (fabric8's mock server in CRUD mode; no real API server can run here)
 * and, optionally, a SIMULATED worker fleet that runs created pods, heartbeats for them, and
 * whose usage a SIMULATED metrics.k8s.io reports ({@link SimulatedLoad}).
 *
 * <p>All state lives under one data directory; a start on the same directory continues where the
 * last one stopped (except the simulated Kubernetes API, which keeps pods in memory: after a
 * restart the executor's pod inventory shows them missing and the topology recreates them).
 */
public final class EmbeddedPlatform implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPlatform.class);
  public static final String CONNECTOR_NAME = "iota-mqtt-source";
  private static final Duration READY_REPORT_INTERVAL = Duration.ofSeconds(5);
  /** The simulated load's noise is seeded, so two runs given the same inputs see the same usage. */
  private static final long SIMULATED_LOAD_SEED = 12;

  /** What to start, and where. Port 0 means any free port. */
  public record Options(
      Path dataDir,
      int httpPort,
      int mqttPort,
      int kafkaPort,
      int zookeeperPort,
      int kubernetesPort,
      Duration heartbeatTimeout,
      boolean simulateWorkers,
      String apiToken) {

    public static Options defaults(Path dataDir) {
      return new Options(dataDir, 0, 0, 0, 0, 0, Duration.ofSeconds(90), true, null);
    }

    public Options withHeartbeatTimeout(Duration timeout) {
      return new Options(dataDir, httpPort, mqttPort, kafkaPort, zookeeperPort, kubernetesPort, timeout, simulateWorkers, apiToken);
    }

    public Options withSimulatedWorkers(boolean simulate) {
      return new Options(dataDir, httpPort, mqttPort, kafkaPort, zookeeperPort, kubernetesPort, heartbeatTimeout, simulate, apiToken);
    }

    public Options withApiToken(String token) {
      return new Options(dataDir, httpPort, mqttPort, kafkaPort, zookeeperPort, kubernetesPort, heartbeatTimeout, simulateWorkers, token);
    }

    public Options withPorts(int http, int mqtt, int kafka, int zookeeper, int kubernetes) {
      return new Options(dataDir, http, mqtt, kafka, zookeeper, kubernetes, heartbeatTimeout, simulateWorkers, apiToken);
    }
  }

  /** The addresses a user or test needs, printed as the {@code READY} line. */
  public record Ready(String http, String mqtt, String kafka, String zookeeper, String kubernetes, String kubeconfig) {}

  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final List<CompletableFuture<?>> pending = new CopyOnWriteArrayList<>();
  private final Options options;
  private final StartTimeline timeline = StartTimeline.ofThisJvm();
  private OrchestratorConfig config;
  private EmbeddedZooKeeper zookeeper;
  private EmbeddedKafka kafka;
  private EmbeddedMqttBroker mqtt;
  private SimulatedKubernetes kubernetes;
  private EmbeddedConnect connect;
  private AppNode node;
  private Executor executor;
  private SimulatedWorkers workers;
  private SimulatedLoad load;
  private String apiToken;
  private boolean tokenGenerated;
  private Ready ready;
  private String bridgeClientId;

  private EmbeddedPlatform(Options options) {
    this.options = options;
  }

  /**
   * Starts everything and returns once the topology and the MQTT bridge run.
   *
   * @param base configuration (resource types, ZooKeeper root, ...); its Kafka, ZooKeeper, state and
   *     HTTP keys are replaced by the embedded servers'
   */
  public static EmbeddedPlatform start(Options options, OrchestratorConfig base) {
    EmbeddedPlatform p = new EmbeddedPlatform(options);
    try {
      p.startAll(base);
      return p;
    } catch (RuntimeException | Error e) {
      p.settleAndClose();
      throw e;
    } catch (Exception e) {
      p.settleAndClose();
      throw new IllegalStateException("embedded platform failed to start: " + e.getMessage(), e);
    }
  }

  private void startAll(OrchestratorConfig base) throws Exception {
    Path data = options.dataDir().toAbsolutePath().normalize();
    Files.createDirectories(data);
    long t0 = System.nanoTime();
    timeline.done("command line");
    // Kafka is the long pole of a start (log recovery, the controller, the broker's registration),
    // so the servers that do not need it start meanwhile, and so does the bridge next to the
    // topology and the executor: started one after the other they made a restart 28 s long.
    CompletableFuture<EmbeddedKafka> kafkaStarted = inBackground("kafka", () -> EmbeddedKafka.start(data.resolve("kafka"), options.kafkaPort()));
    zookeeper = keep(EmbeddedZooKeeper.start(data.resolve("zookeeper"), options.zookeeperPort()));
    timeline.done("zookeeper");
    mqtt = keep(EmbeddedMqttBroker.start(data.resolve("mqtt"), options.mqttPort()));
    timeline.done("mqtt");
    kubernetes = keep(SimulatedKubernetes.start(options.kubernetesPort()));
    timeline.done("kubernetes");
    Path kubeconfig = kubernetes.writeKubeconfig(data.resolve("kubeconfig"));
    kafka = join(kafkaStarted);

    int httpPort = Ports.orFree(options.httpPort());
    apiToken = resolveToken(data);
    Map<String, String> overrides = new HashMap<>();
    overrides.put(ConfigKeys.BOOTSTRAP_SERVERS.name(), kafka.bootstrapServers());
    overrides.put(ConfigKeys.ZOOKEEPER_CONNECT.name(), zookeeper.connectString());
    overrides.put(ConfigKeys.STATE_DIR.name(), data.resolve("streams").toString());
    overrides.put(ConfigKeys.HTTP_HOST.name(), Ports.HOST);
    overrides.put(ConfigKeys.HTTP_PORT.name(), String.valueOf(httpPort));
    overrides.put(ConfigKeys.APPLICATION_SERVER.name(), Ports.HOST + ":" + httpPort);
    overrides.put(ConfigKeys.HEARTBEAT_TIMEOUT.name(), options.heartbeatTimeout().toMillis() + "ms");
    overrides.put(ConfigKeys.TEMPLATES_DIR.name(), templatesDir(base, data).toString());
    overrides.put(ConfigKeys.API_TOKEN.name(), apiToken);
    if (base.get(ConfigKeys.INSTANCE_ID) == null) {
      overrides.put(ConfigKeys.INSTANCE_ID.name(), instanceId(data));
    }
    if (base.get(ConfigKeys.COMMIT_INTERVAL).equals(ConfigKeys.COMMIT_INTERVAL.defaultValue())) {
      // A change waits for two commits (the repartition, then the outputs), so commit more often
      // than the default; but each exactly-once commit blocks the stream thread for several ms on
      // this machine, and at 10-20 ms the thread spent most of its time committing (measured with
      // the e2e benchmark at 1,000 events/s: p50 1.7 s at 10 ms, 0.5 s at 20 ms, 0.17 s at 50 ms).
      overrides.put(ConfigKeys.COMMIT_INTERVAL.name(), "50ms");
    }
    // A restart takes its partitions back at once (static membership, the identity kept in the
    // data dir); a member that does not come back holds them this long: on a laptop 10 s rather
    // than the default 45 s.
    overrides.put("kafka.consumer.session.timeout.ms", "10000");
    overrides.put("kafka.consumer.heartbeat.interval.ms", "2000");
    config = base.with(overrides);

    applyTopics();
    timeline.done("topics");
    // The bridge acknowledges an MQTT message only once Kafka has it, and the broker keeps only a
    // few messages in flight per subscriber (Moquette: 10), so every producer round trip gates the
    // next messages: Kafka 4's default linger.ms of 5 ms alone capped the bridge near 1,300 msg/s.
    Map<String, String> bridge = bridgeConfig();
    CompletableFuture<EmbeddedConnect> connectStarted = inBackground("connect", () -> {
      EmbeddedConnect c = EmbeddedConnect.start(data.resolve("connect"), kafka.bootstrapServers(), 0, Map.of("producer.linger.ms", "0"));
      try {
        c.putConnector(CONNECTOR_NAME, bridge);
      } catch (RuntimeException e) {
        c.close();
        throw e;
      }
      return c;
    });

    load = options.simulateWorkers() ? new SimulatedLoad(SIMULATED_LOAD_SEED, SimulatedLoad.DEFAULT_NOISE) : null;
    if (config.get(ConfigKeys.PROCESSING_GUARANTEE).startsWith("exactly_once")) {
      List<String> wiped = UncheckpointedTasks.remove(Path.of(config.get(ConfigKeys.STATE_DIR)).resolve(config.get(ConfigKeys.APPLICATION_ID)));
      if (!wiped.isEmpty()) {
        LOG.info("tasks {} have no checkpoint (the last run did not stop cleanly): their local state is removed and restored from the changelogs", wiped);
      }
    }
    // The REST server (Javalin, the result waiter's consumer) took 1-17 s to start after the rest.
    CompletableFuture<AppNode> nodeStarted = inBackground("app", () -> AppNode.start(config));

    CuratorFramework curator = keep(ZooKeeperClients.create(config));
    KubernetesClient k8s = keep(kubernetes.newClient(config.get(ConfigKeys.KUBERNETES_NAMESPACE)));
    executor = keep(new Executor(config, k8s, curator));
    executor.start();
    executor.assigned().thenRun(() -> timeline.done("executor partitions"));
    connect = join(connectStarted);

    if (options.simulateWorkers()) {
      Duration interval = Duration.ofMillis(Math.max(200, options.heartbeatTimeout().toMillis() / 3));
      workers = keep(new SimulatedWorkers(kubernetes.newClient(config.get(ConfigKeys.KUBERNETES_NAMESPACE)),
          config.get(ConfigKeys.KUBERNETES_NAMESPACE), config.resourceTypes(), kafka.bootstrapServers(), interval).start());
      // Without simulated workers nothing serves metrics.k8s.io (404), as in a cluster without metrics-server.
      kubernetes.serveMetrics(new SimulatedMetrics(workers::pods, SimulatedMetrics.InstanceResources.zooKeeper(curator, config.get(ConfigKeys.ZOOKEEPER_ROOT)),
          load, java.time.Clock.systemUTC()));
      LOG.info("SIMULATED metrics.k8s.io: pod usage = idle {}m / {} MiB + per resource {}m / {} MiB (change it with PUT /v1/api/simulation/load/...)",
          SimulatedLoad.IDLE_CPU_MILLIS, SimulatedLoad.IDLE_MEMORY_MIB, SimulatedLoad.DEFAULT_CPU_MILLIS, SimulatedLoad.DEFAULT_MEMORY_MIB);
    }
    keep(PodMetricsPoller.create(config, k8s)).start();

    node = join(nodeStarted);
    node.api().simulation(load);
    awaitReady();
    ready = new Ready("http://" + Ports.HOST + ":" + node.api().port(), mqtt.uri(), kafka.bootstrapServers(),
        zookeeper.connectString(), kubernetes.url(), kubeconfig.toString());
    LOG.info("embedded platform up in {} ms; parts done at {}", (System.nanoTime() - t0) / 1_000_000, timeline.summary());
  }

  private <T extends AutoCloseable> T keep(T resource) {
    synchronized (started) {
      started.push(resource);
    }
    return resource;
  }

  /** Starts a part on its own thread; once started it is kept (closed with the platform). */
  private <T extends AutoCloseable> CompletableFuture<T> inBackground(String name, Callable<T> start) {
    CompletableFuture<T> future = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        T part = keep(start.call());
        timeline.done(name);
        future.complete(part);
      } catch (Throwable e) {
        future.completeExceptionally(e);
      }
    }, "embedded-start-" + name);
    t.setDaemon(true);
    t.start();
    pending.add(future);
    return future;
  }

  private static <T> T join(CompletableFuture<T> future) throws Exception {
    try {
      return future.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** After a failed start: lets the parts still starting finish (so they are kept), then closes all. */
  private void settleAndClose() {
    for (CompletableFuture<?> f : pending) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException ignored) {
        // that part failed to start; the cause is reported by whoever joined it
      }
    }
    close();
  }

  /**
   * This installation's identity in its consumer groups, made once and kept in the data dir: a
   * restart after kill -9 rejoins as the same static member and takes its partitions back at once.
   */
  private static String instanceId(Path data) throws IOException {
    Path file = data.resolve("instance-id");
    if (Files.exists(file)) {
      String id = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (!id.isEmpty()) {
        return id;
      }
    }
    byte[] bytes = new byte[6];
    new SecureRandom().nextBytes(bytes);
    String id = "embedded-" + HexFormat.of().formatHex(bytes);
    Path tmp = Files.createTempFile(data, ".instance-id", ".tmp");
    Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return id;
  }

  private void applyTopics() throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      // One partition per topic: one broker, one stream thread. With six, every exactly-once
      // commit wrote markers to some thirty partitions, and commits took most of the thread's time.
      TopicApplier.Report report = new TopicApplier(admin).apply(TopicSpec.bundled().withReplicationFactor(1).withPartitionsAtMost(1));
      if (!report.created().isEmpty()) {
        LOG.info("created topics {}", report.created());
      }
      report.differences().forEach(d -> LOG.warn("topic differs from its spec: {}", d));
      // Before any producer of ours starts: a kill -9 of this JVM can leave one behind (see the class).
      int aborted = HangingTransactions.abortAll(admin);
      if (aborted > 0) {
        LOG.warn("aborted {} hanging transaction(s) left by the last run", aborted);
      }
    }
  }

  /** Our connector's shipped config, pointed at the embedded MQTT broker. */
  private Map<String, String> bridgeConfig() throws IOException {
    Map<String, String> config = new LinkedHashMap<>();
    try (InputStream in = EmbeddedPlatform.class.getResourceAsStream("/connectors/iota-mqtt-source.json")) {
      if (in == null) {
        throw new IllegalStateException("connectors/iota-mqtt-source.json is not in the jar");
      }
      JsonNode root = Json.MAPPER.readTree(in);
      root.get("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
    }
    config.put("mqtt.server.uri", mqtt.uri());
    bridgeClientId = config.get("mqtt.client.id");
    return config;
  }

  /**
   * The pod templates: the configured directory when it exists (running from the source tree),
   * otherwise the copies shipped in the jar, written under the data directory once.
   */
  private static Path templatesDir(OrchestratorConfig base, Path data) throws IOException {
    Path configured = Path.of(base.get(ConfigKeys.TEMPLATES_DIR));
    if (Files.isDirectory(configured)) {
      return configured.toAbsolutePath();
    }
    Path dir = data.resolve("templates");
    for (var type : base.resourceTypes()) {
      String name = type.instanceName() + "/pod-template.yml";
      Path file = dir.resolve(name);
      try (InputStream in = EmbeddedPlatform.class.getResourceAsStream("/templates/" + name)) {
        if (in != null && !Files.exists(file)) {
          Files.createDirectories(file.getParent());
          Files.copy(in, file);
        }
      }
    }
    return dir;
  }

  /** The given token, else the one kept in the data dir, else a new one kept there (0600). */
  private String resolveToken(Path data) throws IOException {
    if (options.apiToken() != null && !options.apiToken().isBlank()) {
      return options.apiToken();
    }
    Path file = data.resolve("api-token");
    if (Files.exists(file)) {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    }
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system: the data dir's own permissions apply
    }
    tokenGenerated = true;
    return token;
  }

  /**
   * Waits until a change published now is applied without a wait: the topology RUNNING, the
   * executor holding its partitions, and the bridge's task running (a task runs once its start()
   * returned, and the bridge's returns subscribed, see MqttSourceTask) and connected to the broker
   * as the broker sees it (a task whose first connect failed runs too, and retries from poll()). A long restore or a
   * rebalance after a corrupted task is waited out, however long it takes, saying every few seconds
   * what is still missing; only a topology or an executor that failed for good ends the start.
   */
  private void awaitReady() throws InterruptedException {
    long began = System.nanoTime();
    long nextReport = began + READY_REPORT_INTERVAL.toNanos();
    boolean topologySeen = false;
    boolean bridgeSeen = false;
    while (true) {
      KafkaStreams.State state = node.streams().state();
      if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR || state == KafkaStreams.State.NOT_RUNNING) {
        throw new IllegalStateException("the topology stopped while starting (state " + state + "); see the errors above");
      }
      if (executor.termination().isDone()) {
        throw new IllegalStateException("the executor stopped while starting; see the errors above");
      }
      List<String> waiting = new ArrayList<>();
      // Polled, so "by" that time: the topology's own log line has the moment of its transition.
      if (state == KafkaStreams.State.RUNNING && !topologySeen) {
        topologySeen = true;
        timeline.done("topology RUNNING by");
      }
      boolean bridgeConnected = mqtt.connectedClientIds().contains(bridgeClientId);
      if (bridgeConnected && !bridgeSeen) {
        bridgeSeen = true;
        timeline.done("bridge connected by");
      }
      if (state != KafkaStreams.State.RUNNING) {
        String restore = node.streams().restoreProgress();
        waiting.add("the topology (" + state + (restore.isEmpty() ? ", waiting for its tasks" : ", restoring " + restore) + ")");
      }
      if (!executor.assigned().isDone()) {
        waiting.add("the executor's partitions (its consumer group is rebalancing)");
      }
      if (!bridgeConnected) {
        waiting.add("the MQTT bridge's connection to the broker (client " + bridgeClientId + ")");
      }
      if (waiting.isEmpty()) {
        break;
      }
      long now = System.nanoTime();
      if (now >= nextReport) {
        LOG.info("not ready after {} s: waiting for {}", (now - began) / 1_000_000_000, String.join(" and ", waiting));
        nextReport = now + READY_REPORT_INTERVAL.toNanos();
      }
      Thread.sleep(20);
    }
    connect.awaitRunning(CONNECTOR_NAME, Duration.ofSeconds(60));
  }

  public Ready ready() {
    return ready;
  }

  public String readyJson() {
    return Json.string(ready);
  }

  public OrchestratorConfig config() {
    return config;
  }

  public String apiToken() {
    return apiToken;
  }

  /** True when this start generated the API token (so it should be shown to the user). */
  public boolean tokenGenerated() {
    return tokenGenerated;
  }

  public EmbeddedKafka kafka() {
    return kafka;
  }

  public EmbeddedZooKeeper zookeeper() {
    return zookeeper;
  }

  public EmbeddedMqttBroker mqtt() {
    return mqtt;
  }

  public SimulatedKubernetes kubernetes() {
    return kubernetes;
  }

  public EmbeddedConnect connect() {
    return connect;
  }

  public StreamsApp streams() {
    return node.streams();
  }

  public Executor executor() {
    return executor;
  }

  public SimulatedWorkers workers() {
    return workers;
  }

  /** The simulated fleet's load model; null without simulated workers. */
  public SimulatedLoad simulatedLoad() {
    return load;
  }

  public ApiServer api() {
    return node.api();
  }

  /** Stops everything, newest first; each part gets its own chance even if another fails. */
  @Override
  public synchronized void close() {
    while (true) {
      AutoCloseable c;
      synchronized (started) {
        if (started.isEmpty()) {
          break;
        }
        c = started.pop();
      }
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("stopping {} failed: {}", c.getClass().getSimpleName(), e.toString());
      }
    }
  }
}
