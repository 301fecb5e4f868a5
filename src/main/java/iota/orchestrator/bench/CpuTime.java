package iota.orchestrator.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * CPU time in nanoseconds, the benchmarks' figure beside the wall clock: on a machine shared with
 * other work the elapsed time includes waiting for a core, the CPU time does not. Every reading is
 * -1 (or, per thread, absent) where the JVM cannot tell, so a difference of two readings is 0.
 */
final class CpuTime {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private CpuTime() {}

  /** The calling thread's CPU time. */
  static long currentThread() {
    return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
  }

  /** This whole process's CPU time: every thread, user and system. */
  static long process() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean hotspot ? hotspot.getProcessCpuTime() : -1;
  }

  /** The summed CPU time of the live threads whose name {@code name} accepts. */
  static long threads(Predicate<String> name) {
    long sum = 0;
    for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info != null && name.test(info.getThreadName())) {
        sum += Math.max(0, THREADS.getThreadCpuTime(info.getThreadId()));
      }
    }
    return sum;
  }

  /**
   * CPU time per kind of thread (names that differ only in digits and ids summed). On Linux from
   * {@code /proc/self/task}, which also shows the JVM's own threads (JIT compilers, GC) that {@link
   * ThreadMXBean} hides, at the kernel's 10 ms tick; elsewhere from the MXBean.
   */
  static Map<String, Long> byThreadKind() {
    Map<String, Long> byKind = new HashMap<>();
    Path tasks = Path.of("/proc/self/task");
    if (Files.isDirectory(tasks)) {
      long nanosPerTick = 1_000_000_000L / 100; // USER_HZ, 100 on every Linux this runs on
      try (Stream<Path> threads = Files.list(tasks)) {
        threads.forEach(t -> {
          try {
            String stat = Files.readString(t.resolve("stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            byKind.merge(kind(Files.readString(t.resolve("comm")).strip()), ticks * nanosPerTick, Long::sum);
          } catch (IOException | RuntimeException e) {
            // the thread ended meanwhile
          }
        });
        return byKind;
      } catch (IOException e) {
        byKind.clear();
      }
    }
    for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info != null) {
        byKind.merge(kind(info.getThreadName()), Math.max(0, THREADS.getThreadCpuTime(info.getThreadId())), Long::sum);
      }
    }
    return byKind;
  }

  private static String kind(String threadName) {
    return threadName.replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "*").replaceAll("[0-9]+", "N");
  }
}
