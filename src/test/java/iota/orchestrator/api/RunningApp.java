package iota.orchestrator.api;

import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.embedded.Ports;
import iota.orchestrator.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * One app instance as production wires it ({@link AppNode}), with its own state directory and HTTP
 * port advertised as {@code application.server}. Several with the same application id form a
 * scaled-out app.
 */
final class RunningApp implements AutoCloseable {
  final OrchestratorConfig config;
  private final AppNode node;
  final KafkaStreams streams;
  final ApiServer server;
  final Http http;
  final String hostPort;

  private RunningApp(OrchestratorConfig config, int port) {
    this.config = config;
    this.hostPort = "127.0.0.1:" + port;
    this.node = AppNode.start(config);
    this.streams = node.streams().streams();
    this.server = node.api();
    this.http = new Http(server.port());
  }

  /**
   * Starts an instance.
   *
   * @param stateDir this instance's own state directory
   * @param advertise whether to set {@code iota.application.server} (false: the single-instance,
   *     embedded-mode setup)
   */
  static RunningApp start(String bootstrap, String applicationId, Path stateDir, boolean advertise, Map<String, String> overrides) {
    int port = Ports.free();
    Map<String, String> flags = new HashMap<>();
    flags.put("iota.bootstrap.servers", bootstrap);
    flags.put("iota.application.id", applicationId);
    flags.put("iota.state.dir", stateDir.toString());
    flags.put("iota.http.host", "127.0.0.1");
    flags.put("iota.http.port", Integer.toString(port));
    flags.put("iota.commit.interval", "100ms");
    flags.put("iota.api.request.timeout", "20s");
    if (advertise) {
      flags.put("iota.application.server", "127.0.0.1:" + port);
    }
    // Rebalances and session expiry on the scale of a test, not of a production deployment.
    flags.put("kafka.session.timeout.ms", "6000");
    flags.put("kafka.heartbeat.interval.ms", "500");
    flags.putAll(overrides);
    return new RunningApp(OrchestratorConfig.of(flags), port);
  }

  boolean running() {
    return streams.state() == KafkaStreams.State.RUNNING;
  }

  @Override
  public void close() {
    node.close(Duration.ofSeconds(30));
  }

  // ---- cluster helpers

  static KafkaProducer<String, byte[]> producer(String bootstrap) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
  }

  /** Publishes a bulk create of {@code ids} in {@code table} as the config service would. */
  static void bulkCreate(KafkaProducer<String, byte[]> producer, String table, List<String> ids) {
    StringBuilder keys = new StringBuilder();
    for (String id : ids) {
      keys.append(keys.length() == 0 ? "" : ",").append("{\"id\":\"").append(id).append("\"}");
    }
    String json = "{\"o\":\"bc\",\"t\":\"" + table + "\",\"keys\":[" + keys + "]}";
    try {
      producer.send(new ProducerRecord<>(Topics.CM_NOTIFY.name(), "cm/notify", json.getBytes(StandardCharsets.UTF_8))).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot publish", e.getCause());
    }
  }
}
