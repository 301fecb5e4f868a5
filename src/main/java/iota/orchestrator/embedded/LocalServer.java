package iota.orchestrator.embedded;

import java.nio.file.Path;

/**
 * An in-JVM server on loopback with its state in one directory: the common part of the embedded
 * servers. Closing is idempotent, so the platform, a test and a shutdown hook may all close it.
 */
public abstract class LocalServer implements AutoCloseable {
  private final Path dataDir;
  private boolean closed;

  protected LocalServer(Path dataDir) {
    this.dataDir = dataDir;
  }

  /** Where the server keeps its state; a start on the same directory continues from it. */
  public Path dataDir() {
    return dataDir;
  }

  /** Stops the server the first time; later calls do nothing. */
  @Override
  public final synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop();
  }

  /** Stops the server; called once. */
  protected abstract void stop();
}
