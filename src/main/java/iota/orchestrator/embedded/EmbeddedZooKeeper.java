package iota.orchestrator.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A standalone ZooKeeper server in this JVM ({@link ZooKeeperServerEmbedded}), for {@code embedded}
 * mode and integration tests.
 *
 * <p>Snapshots and transaction logs live under the data directory, so {@link #start(Path, int)} on
 * the same directory brings every znode back. To simulate an outage, {@link #close()} it and start
 * it again with the previous {@link #port()}: clients keep their connect string and reconnect (a
 * session survives if the outage is shorter than its timeout). The AdminServer (an HTTP port of its
 * own) is off, and the server never calls {@code System.exit}.
 */
public final class EmbeddedZooKeeper extends LocalServer {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedZooKeeper.class);
  private static final long START_TIMEOUT_MS = 30_000;

  private final int port;
  private final ZooKeeperServerEmbedded server;

  private EmbeddedZooKeeper(Path dataDir, int port, ZooKeeperServerEmbedded server) {
    super(dataDir);
    this.port = port;
    this.server = server;
  }

  /** Starts ZooKeeper with its data in {@code dir}, listening on {@code port} (0 = a free port). */
  public static EmbeddedZooKeeper start(Path dir, int port) {
    long began = System.nanoTime();
    Path base = dir.toAbsolutePath();
    int clientPort = Ports.orFree(port);
    Properties config = new Properties();
    config.setProperty("clientPort", String.valueOf(clientPort));
    config.setProperty("clientPortAddress", Ports.HOST);
    config.setProperty("dataDir", base.resolve("data").toString());
    config.setProperty("tickTime", "2000");
    config.setProperty("admin.enableServer", "false");
    // A laptop server: a killed process loses nothing without an fsync per transaction (the page
    // cache survives it); only a crash of the machine itself could lose the last writes.
    config.setProperty("forceSync", "no");
    ZooKeeperServerEmbedded server;
    try {
      Files.createDirectories(base.resolve("data"));
      server = ZooKeeperServerEmbedded.builder()
          .baseDir(base)
          .configuration(config)
          .exitHandler(ExitHandler.LOG_ONLY)
          .build();
      server.start(START_TIMEOUT_MS);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start ZooKeeper in " + base, e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot start ZooKeeper on port " + clientPort + " in " + base, e);
    }
    LOG.info("ZooKeeper up on {}:{} with data in {} after {} ms",
        Ports.HOST, clientPort, base, (System.nanoTime() - began) / 1_000_000);
    return new EmbeddedZooKeeper(base, clientPort, server);
  }

  /** {@code 127.0.0.1:port}, the connect string for Curator or the ZooKeeper client. */
  public String connectString() {
    return Ports.HOST + ":" + port;
  }

  /** The client port; pass it to {@link #start(Path, int)} to restart on the same address. */
  public int port() {
    return port;
  }

  /** Stops the server; connected clients see a disconnect, exactly as with a real outage. */
  @Override
  protected void stop() {
    server.close();
    LOG.info("ZooKeeper on port {} stopped", port);
  }
}
