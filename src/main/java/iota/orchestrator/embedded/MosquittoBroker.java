package iota.orchestrator.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Debian {@code mosquitto} 2 broker as a child process, for the bridge's tests and benchmark
 * against a production broker (sites run mosquitto or EMQX, not Moquette). Not in-JVM: it needs the
 * {@code mosquitto} package ({@link #available()}).
 *
 * <p>The generated config listens on 127.0.0.1 only, allows anonymous clients, keeps persistence
 * on in the given directory, lets a persistent session queue up to a million messages while its
 * client is away (the default, 1,000, would drop the rest of a longer outage) and sets {@code
 * max_inflight_messages}, the window of unacknowledged QoS 1 messages per client that bounds the
 * bridge's single-message rate.
 */
public final class MosquittoBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MosquittoBroker.class);
  private static final List<Path> BINARIES = List.of(Path.of("/usr/sbin/mosquitto"), Path.of("/usr/local/sbin/mosquitto"));
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

  private final Process process;
  private final int port;
  private final Path dir;

  private MosquittoBroker(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** The broker binary, or null when mosquitto is not installed. */
  public static Path binary() {
    return BINARIES.stream().filter(Files::isExecutable).findFirst().orElse(null);
  }

  public static boolean available() {
    return binary() != null;
  }

  /**
   * Writes {@code dir/mosquitto.conf}, starts the broker on {@code port} (0 = a free port) and
   * waits until it accepts connections.
   */
  public static MosquittoBroker start(Path dir, int port, int maxInflightMessages) {
    Path binary = binary();
    if (binary == null) {
      throw new IllegalStateException("mosquitto is not installed (apt-get install mosquitto)");
    }
    int mqttPort = Ports.orFree(port);
    Path base = dir.toAbsolutePath();
    Path conf = base.resolve("mosquitto.conf");
    try {
      Files.createDirectories(base.resolve("data"));
      Files.writeString(conf, String.join("\n",
          "listener " + mqttPort + " " + Ports.HOST,
          "allow_anonymous true",
          "persistence true",
          "persistence_location " + base.resolve("data") + "/",
          "max_inflight_messages " + maxInflightMessages,
          "max_queued_messages 1000000",
          // Started as root it would switch to the mosquitto user, who cannot write our directory.
          "user " + System.getProperty("user.name"),
          "log_dest stdout",
          ""), StandardCharsets.UTF_8);
      Process process = new ProcessBuilder(binary.toString(), "-c", conf.toString())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(base.resolve("mosquitto.log").toFile()))
          .start();
      MosquittoBroker broker = new MosquittoBroker(process, mqttPort, base);
      broker.awaitListening();
      LOG.info("mosquitto up on {}:{} (max_inflight_messages {}) with data in {}", Ports.HOST, mqttPort, maxInflightMessages, base);
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start mosquitto in " + base, e);
    }
  }

  private void awaitListening() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(Ports.HOST, port), 200);
        return;
      } catch (IOException notYet) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          process.destroyForcibly();
          throw new IllegalStateException("mosquitto did not listen on " + port + " within " + START_TIMEOUT
              + " (exit " + (process.isAlive() ? "none" : process.exitValue()) + "; log in " + dir.resolve("mosquitto.log") + ")");
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      }
    }
  }

  /** {@code tcp://127.0.0.1:port}. */
  public String uri() {
    return "tcp://" + Ports.HOST + ":" + port;
  }

  /** Stops the broker with SIGTERM (it saves its store), or SIGKILL if it does not end in 10 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
