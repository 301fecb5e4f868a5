package iota.orchestrator.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka cluster (one KRaft process acting as broker and controller) running in
 * this JVM, for {@code embedded} mode and integration tests.
 *
 * <p>The log directory is formatted on first start only; a later {@link #start(Path, int)} on the
 * same directory keeps every topic, offset and transaction. Pass the {@link #port()} of the previous
 * run to come back on the same address, so clients' {@code bootstrap.servers} stay valid.
 *
 * <p>All internal topics (consumer offsets, transaction state, share-group state) have replication
 * factor and min ISR 1, so transactional producers and {@code exactly_once_v2} Kafka Streams work
 * on a single node. Listeners bind to 127.0.0.1 only.
 */
public final class EmbeddedKafka extends LocalServer {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final int NODE_ID = 1;
  private static final String CONTROLLER_LISTENER = "CONTROLLER";

  private final int port;
  private final KafkaRaftServer server;

  private EmbeddedKafka(Path dataDir, int port, KafkaRaftServer server) {
    super(dataDir);
    this.port = port;
    this.server = server;
  }

  /** Starts a broker on {@code dir} listening on {@code port} (0 = a free port). */
  public static EmbeddedKafka start(Path dir, int port) {
    return start(dir, port, Map.of());
  }

  /**
   * Starts a broker on {@code dir} listening on {@code port} (0 = a free port), with broker
   * properties in {@code overrides} replacing the defaults chosen here (for example {@code
   * auto.create.topics.enable=false}).
   */
  public static EmbeddedKafka start(Path dir, int port, Map<String, String> overrides) {
    long began = System.nanoTime();
    Path logDir = dir.toAbsolutePath();
    int brokerPort = Ports.orFree(port);
    int controllerPort = Ports.orFree(0);
    Map<String, Object> props = brokerProperties(logDir, brokerPort, controllerPort);
    props.putAll(overrides);
    try {
      Files.createDirectories(logDir);
      if (!Files.exists(logDir.resolve("meta.properties"))) {
        format(logDir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare Kafka log dir " + logDir, e);
    }
    KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
    try {
      server.startup();
    } catch (RuntimeException e) {
      shutdownQuietly(server, e);
      throw e;
    }
    LOG.info("Kafka (KRaft) up on {}:{} with data in {} after {} ms",
        Ports.HOST, brokerPort, logDir, (System.nanoTime() - began) / 1_000_000);
    return new EmbeddedKafka(logDir, brokerPort, server);
  }

  private static Map<String, Object> brokerProperties(Path logDir, int brokerPort, int controllerPort) {
    Map<String, Object> p = new HashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(NODE_ID));
    p.put("controller.quorum.voters", NODE_ID + "@" + Ports.HOST + ":" + controllerPort);
    p.put("listeners", "PLAINTEXT://" + Ports.HOST + ":" + brokerPort
        + "," + CONTROLLER_LISTENER + "://" + Ports.HOST + ":" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + Ports.HOST + ":" + brokerPort);
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    p.put("log.dirs", logDir.toString());
    p.put("metadata.log.dir", logDir.toString());
    // One node: every internal topic must be satisfiable by it, or transactions and groups hang.
    p.put("offsets.topic.replication.factor", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    // Laptop sizes: the defaults (50 partitions per internal topic, a 128 MB cleaner buffer,
    // 8 I/O threads) cost seconds and memory for nothing on one node.
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.num.partitions", "4");
    p.put("share.coordinator.state.topic.num.partitions", "1");
    p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
    p.put("num.io.threads", "2");
    p.put("num.network.threads", "2");
    p.put("background.threads", "2");
    // Tests and a fresh embedded start should not wait 3 s for the first consumer group to form.
    p.put("group.initial.rebalance.delay.ms", "0");
    // After a kill -9 the controller keeps the dead broker's registration until its session
    // expires, counted from the controller's own start, and refuses the restarted broker
    // (DUPLICATE_BROKER_REGISTRATION) until then: 9 s by default, measured as 10 s of a 13 s start;
    // at 3 s it was still 2.7 s of a 6 s Kafka start. Broker and controller are this one process,
    // so a short session costs nothing; eight missed heartbeats in a row still fence it, and each
    // step of the registration (registered, caught up, unfenced) waits one heartbeat less.
    p.put("broker.heartbeat.interval.ms", "250");
    p.put("broker.session.timeout.ms", "2000");
    return p;
  }

  private static void format(Path logDir) throws IOException {
    try {
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setNodeId(NODE_ID)
          .setClusterId(Uuid.randomUuid().toString())
          .setDirectories(List.of(logDir.toString()))
          .setMetadataLogDirectory(logDir.toString())
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .setControllerListenerName(CONTROLLER_LISTENER)
          .run();
      LOG.info("Formatted new KRaft log dir {}", logDir);
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot format Kafka log dir " + logDir, e);
    }
  }

  private static void shutdownQuietly(KafkaRaftServer server, RuntimeException cause) {
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  /** {@code 127.0.0.1:port}, the value for clients' {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return Ports.HOST + ":" + port;
  }

  /** The port clients connect to; pass it to {@link #start(Path, int)} to restart on the same address. */
  public int port() {
    return port;
  }

  /** Stops the broker and controller cleanly, so the next start on the same directory recovers nothing. */
  @Override
  protected void stop() {
    server.shutdown();
    server.awaitShutdown();
    LOG.info("Kafka on port {} stopped", port);
  }
}
