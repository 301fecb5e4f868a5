package iota.orchestrator.e2e;

import iota.orchestrator.cli.Main;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One command of {@link Main} in a JVM of its own, on this JVM's classpath, as a pod runs it: so a
 * test can kill it with a real SIGKILL ({@link #kill}) or stop it with SIGTERM ({@link #stop}),
 * which no in-JVM object can stand in for (no shutdown hook, no close, sockets dropped by the OS).
 */
final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final Path log;

  private ChildJvm(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * The command line of {@code Main <args>} in a child JVM with the shipped logging (INFO for our
   * own lines), so its log shows where a start spent its time; {@code maxHeap} as for {@code -Xmx}.
   */
  static ProcessBuilder mainCommand(String maxHeap, List<String> args) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + maxHeap,
        "-Dlogback.configurationFile=" + Path.of("src/main/resources/logback.xml").toAbsolutePath(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(args);
    return new ProcessBuilder(command);
  }

  /**
   * Starts {@code Main <command> --config <file> <args>}, the file holding {@code config} (iota.*
   * and kafka.* keys) and {@code env} added to this JVM's environment; stdout and stderr go to
   * {@code <dir>/<name>.log}.
   */
  static ChildJvm start(Path dir, String name, String command, Map<String, String> config, Map<String, String> env, String... args) {
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve(name + ".properties");
      Properties p = new Properties();
      p.putAll(new TreeMap<>(config));
      try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        p.store(w, null);
      }
      List<String> line = new ArrayList<>(List.of(command, "--config", file.toString()));
      line.addAll(List.of(args));
      Path log = dir.resolve(name + ".log");
      ProcessBuilder builder = mainCommand("384m", line);
      builder.environment().putAll(env);
      Process process = builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      return new ChildJvm(process, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command + " " + name, e);
    }
  }

  /** SIGKILL, as {@code kill -9}: nothing is closed, no group is left, no transaction ended. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    awaitExit();
  }

  /** SIGTERM: the shutdown hook closes the process's clients as a pod's stop does. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      awaitExit();
    }
  }

  boolean alive() {
    return process.isAlive();
  }

  /** The last lines of the child's log, for an assertion message. */
  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private void awaitExit() throws InterruptedException {
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("pid " + process.pid() + " did not exit within 30 s of SIGKILL");
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop();
    }
  }
}
