package iota.orchestrator.bench;

import iota.orchestrator.cli.Main;
import iota.orchestrator.embedded.EmbeddedPlatform;
import iota.orchestrator.embedded.Ports;
import iota.orchestrator.model.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@code embedded} command in a child JVM, started as a user starts it: same classpath as this
 * JVM, one data directory and fixed ports for every start, so that after a {@link #kill} (a real
 * SIGKILL: {@link Process#destroyForcibly}) the next {@link #start} continues on the same state with
 * the same addresses. Its output goes to a log file next to the data directory; a start that fails
 * reports the end of that log.
 */
final class ChildPlatform implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(10);

  private final Path dataDir;
  private final Path readyFile;
  private final Path log;
  private final List<String> command;
  private Process process;

  ChildPlatform(Path dataDir, Path log) {
    this.dataDir = dataDir;
    this.readyFile = dataDir.resolve("ready.json");
    this.log = log;
    String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command = new ArrayList<>(List.of(
        java, "-cp", System.getProperty("java.class.path"), Main.class.getName(), "embedded",
        "--data-dir", dataDir.toString(),
        "--ready-file", readyFile.toString(),
        "--http-port", String.valueOf(Ports.free()),
        "--mqtt-port", String.valueOf(Ports.free()),
        "--kafka-port", String.valueOf(Ports.free()),
        "--zookeeper-port", String.valueOf(Ports.free()),
        "--kubernetes-port", String.valueOf(Ports.free())));
  }

  /** The command line every start runs. */
  List<String> command() {
    return List.copyOf(command);
  }

  /**
   * Starts the child (after removing a ready file a killed child left behind) and returns {@link
   * System#nanoTime} just before the process was created.
   */
  long start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("the child platform is already running");
    }
    try {
      Files.createDirectories(dataDir);
      Files.deleteIfExists(readyFile);
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      // The executor logs every znode it writes at INFO: hundreds of thousands of lines at this size,
      // which would be measured as if they were the platform's work.
      if (System.getenv("IOTA_LOG_LEVEL") == null) {
        builder.environment().put("IOTA_LOG_LEVEL", "WARN");
      }
      long t0 = System.nanoTime();
      process = builder.start();
      return t0;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  /**
   * Waits for the ready file the child writes when it prints READY, and returns its addresses and
   * {@link System#nanoTime} when the file was seen (it is polled every 10 ms).
   */
  Started awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (Files.exists(readyFile)) {
        long seen = System.nanoTime();
        try {
          return new Started(Json.MAPPER.readValue(Files.readAllBytes(readyFile), EmbeddedPlatform.Ready.class), seen);
        } catch (IOException e) {
          throw new UncheckedIOException("unreadable " + readyFile, e);
        }
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("the child platform exited with " + process.exitValue() + " before READY; its log ends:\n" + logTail());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the child platform was not READY within " + timeout + "; its log ends:\n" + logTail());
      }
      LockSupport.parkNanos(POLL.toNanos());
    }
  }

  /** The READY addresses, and when they were seen. */
  record Started(EmbeddedPlatform.Ready ready, long nanos) {}

  /** SIGKILL, as {@code kill -9}: no shutdown hook runs, nothing is flushed or closed. */
  void kill() {
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(30));
  }

  /** Resident memory of the child JVM, from {@code /proc/<pid>/status} (VmRSS); -1 where there is none. */
  long residentBytes() {
    Path status = Path.of("/proc", String.valueOf(process.pid()), "status");
    try {
      for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private void awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("the child platform (pid " + process.pid() + ") did not exit within " + timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * SIGKILL, like {@link #kill}: the benchmark throws the data dir away afterwards, and a graceful
   * stop of a platform with many pods takes up to half a minute that would only add waiting to every run.
   */
  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      kill();
    }
  }
}
