package iota.orchestrator.embedded;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * When each part of a start was done, in milliseconds since the JVM started (so the JVM's own
 * start and the command line count too): the one line {@code embedded} logs at READY, saying where
 * a start after a crash spent its time. Parts that start side by side overlap; the line lists them
 * in the order they finished.
 */
final class StartTimeline {
  private final long jvmStartMillis;
  private final List<String> marks = new ArrayList<>();

  private StartTimeline(long jvmStartMillis) {
    this.jvmStartMillis = jvmStartMillis;
  }

  /** A timeline of this JVM. */
  static StartTimeline ofThisJvm() {
    return new StartTimeline(ManagementFactory.getRuntimeMXBean().getStartTime());
  }

  /** Milliseconds since the JVM started. */
  long now() {
    return System.currentTimeMillis() - jvmStartMillis;
  }

  /** Records that {@code part} is done now; returns the time recorded. */
  synchronized long done(String part) {
    long at = now();
    marks.add(part + " " + at);
    return at;
  }

  /** {@code "ms after the JVM started: a 812, b 4020, ..."}. */
  synchronized String summary() {
    return "ms after the JVM started: " + marks.stream().collect(Collectors.joining(", "));
  }
}
