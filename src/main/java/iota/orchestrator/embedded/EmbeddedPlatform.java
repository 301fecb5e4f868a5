package iota.orchestrator.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.admin.TopicApplier;
import iota.orchestrator.admin.TopicSpec;
import iota.orchestrator.api.ApiServer;
import iota.orchestrator.api.OrchestratorMetrics;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.executor.Executor;
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
import java.util.ArrayDeque;
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
 * the executor and the REST server — plus two stand-ins, said plainly: a SIMULATED Kubernetes API
 * (fabric8's mock server in CRUD mode; no real API server can run here) and, optionally, a
 * SIMULATED worker fleet that runs created pods and heartbeats for them.
 *
 * <p>All state lives under one data directory; a start on the same directory continues where the
 * last one stopped (except the simulated Kubernetes API, which keeps pods in memory: after a
 * restart the executor's pod inventory shows them missing and the topology recreates them).
 */
public final class EmbeddedPlatform implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPlatform.class);
  public static final String CONNECTOR_NAME = "iota-mqtt-source";

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
  private final Options options;
  private OrchestratorConfig config;
  private EmbeddedZooKeeper zookeeper;
  private EmbeddedKafka kafka;
  private EmbeddedMqttBroker mqtt;
  private SimulatedKubernetes kubernetes;
  private EmbeddedConnect connect;
  private StreamsApp streams;
  private Executor executor;
  private SimulatedWorkers workers;
  private ApiServer api;
  private String apiToken;
  private boolean tokenGenerated;
  private Ready ready;

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
      p.close();
      throw e;
    } catch (Exception e) {
      p.close();
      throw new IllegalStateException("embedded platform failed to start: " + e.getMessage(), e);
    }
  }

  private void startAll(OrchestratorConfig base) throws Exception {
    Path data = options.dataDir().toAbsolutePath().normalize();
    Files.createDirectories(data);
    long t0 = System.nanoTime();
    zookeeper = keep(EmbeddedZooKeeper.start(data.resolve("zookeeper"), options.zookeeperPort()));
    kafka = keep(EmbeddedKafka.start(data.resolve("kafka"), options.kafkaPort()));
    mqtt = keep(EmbeddedMqttBroker.start(data.resolve("mqtt"), options.mqttPort()));
    kubernetes = keep(SimulatedKubernetes.start(options.kubernetesPort()));
    Path kubeconfig = kubernetes.writeKubeconfig(data.resolve("kubeconfig"));

    int httpPort = Ports.orFree(options.httpPort());
    apiToken = resolveToken(data);
    Map<String, String> overrides = new HashMap<>();
    overrides.put("iota.bootstrap.servers", kafka.bootstrapServers());
    overrides.put("iota.zookeeper.connect", zookeeper.connectString());
    overrides.put("iota.state.dir", data.resolve("streams").toString());
    overrides.put("iota.http.host", Ports.HOST);
    overrides.put("iota.http.port", String.valueOf(httpPort));
    overrides.put("iota.application.server", Ports.HOST + ":" + httpPort);
    overrides.put("iota.heartbeat.timeout", options.heartbeatTimeout().toMillis() + "ms");
    overrides.put("iota.templates.dir", templatesDir(base, data).toString());
    overrides.put("iota.api.token", apiToken);
    if (base.get("iota.commit.interval").equals("100ms")) {
      // A change waits for two commits (the repartition, then the outputs), so commit more often
      // than the default; but each exactly-once commit blocks the stream thread for several ms on
      // this machine, and at 10-20 ms the thread spent most of its time committing (measured with
      // the e2e benchmark at 1,000 events/s: p50 1.7 s at 10 ms, 0.5 s at 20 ms, 0.17 s at 50 ms).
      overrides.put("iota.commit.interval", "50ms");
    }
    // After a kill -9 the dead member keeps its tasks until its session times out: on a laptop,
    // 10 s rather than the default 45 s before a restart resumes.
    overrides.put("kafka.consumer.session.timeout.ms", "10000");
    overrides.put("kafka.consumer.heartbeat.interval.ms", "2000");
    config = base.with(overrides);

    applyTopics();
    // The bridge acknowledges an MQTT message only once Kafka has it, and the broker keeps only a
    // few messages in flight per subscriber (Moquette: 10), so every producer round trip gates the
    // next messages: Kafka 4's default linger.ms of 5 ms alone capped the bridge near 1,300 msg/s.
    connect = keep(EmbeddedConnect.start(data.resolve("connect"), kafka.bootstrapServers(), 0, Map.of("producer.linger.ms", "0")));
    connect.putConnector(CONNECTOR_NAME, bridgeConfig());

    streams = keep(new StreamsApp(config));
    streams.start();

    CuratorFramework curator = keep(ZooKeeperClients.create(config));
    KubernetesClient k8s = keep(kubernetes.newClient(config.get("iota.kubernetes.namespace")));
    executor = keep(new Executor(config, k8s, curator));
    executor.start();

    if (options.simulateWorkers()) {
      Duration interval = Duration.ofMillis(Math.max(200, options.heartbeatTimeout().toMillis() / 3));
      workers = keep(new SimulatedWorkers(kubernetes.newClient(config.get("iota.kubernetes.namespace")),
          config.get("iota.kubernetes.namespace"), config.resourceTypes(), kafka.bootstrapServers(), interval).start());
    }

    OrchestratorMetrics metrics = keep(new OrchestratorMetrics());
    api = keep(ApiServer.forStreams(config, streams, metrics).start());
    awaitRunning(Duration.ofSeconds(60));
    ready = new Ready("http://" + Ports.HOST + ":" + api.port(), mqtt.uri(), kafka.bootstrapServers(),
        zookeeper.connectString(), kubernetes.url(), kubeconfig.toString());
    LOG.info("embedded platform up in {} ms", (System.nanoTime() - t0) / 1_000_000);
  }

  private <T extends AutoCloseable> T keep(T resource) {
    started.push(resource);
    return resource;
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
    return config;
  }

  /**
   * The pod templates: the configured directory when it exists (running from the source tree),
   * otherwise the copies shipped in the jar, written under the data directory once.
   */
  private static Path templatesDir(OrchestratorConfig base, Path data) throws IOException {
    Path configured = Path.of(base.get("iota.templates.dir"));
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
   * Waits for the topology to run and for the bridge's task to run. A task runs once its start()
   * returned, and the bridge's returns subscribed (see MqttSourceTask), so after this a change
   * published on {@code cm/notify} is delivered or queued for the bridge, even on the first start.
   */
  private void awaitRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (streams.state() == KafkaStreams.State.ERROR || System.nanoTime() > deadline) {
        throw new IllegalStateException("the topology did not reach RUNNING (state " + streams.state() + ")");
      }
      Thread.sleep(50);
    }
    connect.awaitRunning(CONNECTOR_NAME, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
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
    return streams;
  }

  public Executor executor() {
    return executor;
  }

  public SimulatedWorkers workers() {
    return workers;
  }

  public ApiServer api() {
    return api;
  }

  /** Stops everything, newest first; each part gets its own chance even if another fails. */
  @Override
  public synchronized void close() {
    while (!started.isEmpty()) {
      AutoCloseable c = started.pop();
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("stopping {} failed: {}", c.getClass().getSimpleName(), e.toString());
      }
    }
  }
}
