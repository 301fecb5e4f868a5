package iota.orchestrator.embedded;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MQTT 3.1.1 broker (Moquette) in this JVM, standing in for the platform broker on which the
 * config service publishes {@code cm/notify}.
 *
 * <p>Persistence is on, in the data directory: subscriptions of persistent sessions ({@code
 * cleanSession=false}) and the QoS 1 messages queued for them survive a restart on the same
 * directory (the test proves it). Stopping takes about two seconds: Moquette flushes its store. Anonymous clients are allowed; client ids must not be empty
 * (Moquette rejects them). Only plain TCP on 127.0.0.1 is opened, no websocket.
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
      Files.createDirectories(base);
      server.startServer(new MemoryConfig(props));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start MQTT broker on port " + mqttPort + " in " + base, e);
    }
    LOG.info("MQTT broker up on {}:{} with data in {} after {} ms",
        Ports.HOST, mqttPort, base, (System.nanoTime() - began) / 1_000_000);
    return new EmbeddedMqttBroker(base, mqttPort, server);
  }

  /** {@code tcp://127.0.0.1:port}, the server URI for MQTT clients. */
  public String uri() {
    return "tcp://" + Ports.HOST + ":" + port;
  }

  /** The MQTT port; pass it to {@link #start(Path, int)} to restart on the same address. */
  public int port() {
    return port;
  }

  /** Stops the broker, flushing its store; connected clients are disconnected. */
  @Override
  protected void stop() {
    server.stopServer();
    LOG.info("MQTT broker on port {} stopped", port);
  }
}
