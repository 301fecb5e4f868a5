package iota.orchestrator.embedded;

import io.moquette.broker.ClientDescriptor;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.commons.io.FileUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MQTT 3.1.1 broker (Moquette) in this JVM, standing in for the platform broker on which the
 * config service publishes {@code cm/notify}.
 *
 * <p>Persistence is on, in the data directory: subscriptions of persistent sessions ({@code
 * cleanSession=false}) and the QoS 1 messages queued for them survive a restart on the same
 * directory (the test proves it). Stopping takes about two seconds: Moquette flushes its store.
 * Anonymous clients are allowed. Only plain TCP on 127.0.0.1 is opened, no websocket.
 *
 * <p>Two defects of Moquette 0.17 (still in its 0.18 line) weaken at-least-once delivery to a
 * persistent session for a message the broker has sent but the subscriber has not yet acknowledged
 * (for the bridge: received, not yet written to Kafka). MQTT 3.1.1 [MQTT-4.4.0-1] asks the broker
 * to resend such a message, with its packet id, when the session resumes. Moquette keeps it in an
 * in-memory window under the id of the old connection, while the new connection numbers its
 * messages from 1 again; a queued message given the same id replaces it, and it is never sent.
 * The window is not persisted either, so a broker restart drops it too. Both were reproduced
 * against this class with two Paho clients. The bridge acknowledges only what Kafka stored, so with
 * a broker that resends as MQTT asks nothing is lost; with this one, a message in flight to the
 * bridge at the moment the bridge stops is at risk.
 *
 * <p>A third defect makes a store left by a crash unusable: Moquette writes the directory of its
 * segmented queues ({@code checkpoint.properties}) only when it stops cleanly, so after {@code kill
 * -9} the queue pages and the directory disagree. Seen here: the restarted broker failed every
 * publish to the bridge's session ({@code IllegalArgumentException: increment : 0} in {@code
 * PostOffice.publish2Subscribers}) and never completed the bridge's CONNECT again, so nothing
 * reached Kafka after the restart. A start therefore uses the store only when the last stop was
 * clean (a marker written after the store is flushed); otherwise it starts on an empty store and
 * says what that costs: the messages that were queued for the bridge at the crash. The bridge
 * subscribes again when it connects.
 */
public final class EmbeddedMqttBroker extends LocalServer {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMqttBroker.class);

  /** The largest MQTT message the broker accepts (packet, topic and payload): 512 KiB. */
  public static final int MAX_MESSAGE_BYTES = 512 * 1024;

  private final int port;
  private final Server server;

  private EmbeddedMqttBroker(Path dataDir, int port, Server server) {
    super(dataDir);
    this.port = port;
    this.server = server;
  }

  /** Starts a broker with its store in {@code dir}, listening on {@code port} (0 = a free port). */
  public static EmbeddedMqttBroker start(Path dir, int port) {
    long began = System.nanoTime();
    Path base = dir.toAbsolutePath();
    int mqttPort = Ports.orFree(port);
    Properties props = new Properties();
    props.setProperty("host", Ports.HOST);
    props.setProperty("port", String.valueOf(mqttPort));
    props.setProperty("websocket_port", "disabled");
    props.setProperty("allow_anonymous", "true");
    // mosquitto_pub and other clients connect with an empty id and let the broker assign one.
    props.setProperty("allow_zero_byte_client_id", "true");
    props.setProperty("persistence_enabled", "true");
    props.setProperty("data_path", base.toString());
    // Moquette otherwise reports usage to a remote endpoint at start; nothing here may call out.
    props.setProperty("telemetry_enabled", "false");
    // Moquette closes the connection of a client that sends more than 8,092 bytes in one message,
    // which a bulk event of a few hundred ids already is. Allow MAX_MESSAGE_BYTES, which stays below
    // what the bridge's Kafka producer takes in one record (max.request.size, 1 MiB).
    props.setProperty("netty.mqtt.message_size", String.valueOf(MAX_MESSAGE_BYTES));
    // Flush every write at once: a QoS 1 acknowledgement then really means delivered to the client.
    props.setProperty("immediate_buffer_flush", "true");
    Server server = new Server();
    try {
      discardStoreOfUncleanStop(base);
      server.startServer(new MemoryConfig(props));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start MQTT broker on port " + mqttPort + " in " + base, e);
    }
    LOG.info("MQTT broker up on {}:{} with data in {} after {} ms",
        Ports.HOST, mqttPort, base, (System.nanoTime() - began) / 1_000_000);
    return new EmbeddedMqttBroker(base, mqttPort, server);
  }

  /** Written once the store is flushed by a clean stop; removed while the broker runs. */
  static final String CLEAN_STOP_MARKER = "clean-stop";

  private static void discardStoreOfUncleanStop(Path base) throws IOException {
    Path marker = base.resolve(CLEAN_STOP_MARKER);
    if (Files.isDirectory(base) && !Files.exists(marker)) {
      try (var entries = Files.list(base)) {
        if (entries.findAny().isPresent()) {
          LOG.warn("the MQTT broker in {} did not stop cleanly last time (killed or crashed); Moquette cannot"
              + " resume from the store it left, so it starts empty: QoS 1 messages that were queued for the"
              + " bridge at that moment are lost (everything that had reached Kafka is safe)", base);
          FileUtils.deleteDirectory(base.toFile());
        }
      }
    }
    Files.createDirectories(base);
    Files.deleteIfExists(marker);
  }

  /** {@code tcp://127.0.0.1:port}, the server URI for MQTT clients. */
  public String uri() {
    return "tcp://" + Ports.HOST + ":" + port;
  }

  /** The MQTT port; pass it to {@link #start(Path, int)} to restart on the same address. */
  public int port() {
    return port;
  }

  /** The ids of the clients connected right now. */
  public Set<String> connectedClientIds() {
    return server.listConnectedClients().stream().map(ClientDescriptor::getClientID).collect(Collectors.toSet());
  }

  /** Stops the broker, flushing its store; connected clients are disconnected. */
  @Override
  protected void stop() {
    server.stopServer();
    try {
      Files.createFile(dataDir().resolve(CLEAN_STOP_MARKER));
    } catch (IOException e) {
      LOG.warn("could not mark the MQTT store as cleanly stopped; the next start discards it", e);
    }
    LOG.info("MQTT broker on port {} stopped", port);
  }
}
