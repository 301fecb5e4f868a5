package iota.orchestrator.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Removes, before the stream app starts, the local state of every task that a killed run left
 * without a checkpoint under exactly-once.
 *
 * <p>Under exactly-once Kafka Streams deletes a task's {@code .checkpoint} file while the task runs
 * and writes it again only when the task closes cleanly, so after {@code kill -9} every task's
 * stores are there without one. Kafka Streams then cannot tell committed from uncommitted data in
 * them: it opens them, fails the task as corrupted, wipes it, and asks its group for a rebalance
 * before it restores the task from its changelogs. That detour (the stores opened for nothing, the
 * corrupted task closed and revived, the extra rebalance) took 2-3 s of a restart on the two cores;
 * removing the same state before the start leaves Kafka Streams only the restore, from the same
 * changelogs, as for a task it never had. A task that closed cleanly keeps its checkpoint and its
 * state. The {@code global} directory is left alone: global stores are not transactional and keep
 * their own checkpoint.
 */
final class UncheckpointedTasks {
  /** Kafka Streams' name for a task's checkpoint file (StateManagerUtil.CHECKPOINT_FILE_NAME). */
  private static final String CHECKPOINT = ".checkpoint";
  /** A task directory: {@code <subtopology>_<partition>}, possibly with a named-topology prefix. */
  private static final Pattern TASK_DIR = Pattern.compile("(.+__)?\\d+_\\d+");

  private UncheckpointedTasks() {}

  /**
   * Deletes the task directories under {@code appStateDir} ({@code <state.dir>/<application.id>})
   * that have no checkpoint; returns the tasks removed.
   */
  static List<String> remove(Path appStateDir) throws IOException {
    List<String> removed = new ArrayList<>();
    if (!Files.isDirectory(appStateDir)) {
      return removed;
    }
    try (Stream<Path> dirs = Files.list(appStateDir)) {
      for (Path task : dirs.filter(Files::isDirectory).filter(d -> TASK_DIR.matcher(d.getFileName().toString()).matches()).toList()) {
        if (!Files.exists(task.resolve(CHECKPOINT))) {
          deleteTree(task);
          removed.add(task.getFileName().toString());
        }
      }
    }
    return removed;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
