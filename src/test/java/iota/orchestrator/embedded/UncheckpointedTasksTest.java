package iota.orchestrator.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UncheckpointedTasksTest {
  @TempDir Path appDir;

  @Test
  void removesOnlyTheTasksThatHaveNoCheckpoint() throws IOException {
    Path killed = store(appDir.resolve("0_0"));
    Path closedCleanly = store(appDir.resolve("1_0"));
    Files.writeString(closedCleanly.resolve(".checkpoint"), "0\n1\nplacements-changelog 0 42\n");
    Path global = store(appDir.resolve("global"));
    Path metadata = Files.writeString(appDir.resolve("kafka-streams-process-metadata"), "{}");

    assertEquals(List.of("0_0"), UncheckpointedTasks.remove(appDir));

    assertFalse(Files.exists(killed), "the task without a checkpoint is still there");
    assertTrue(Files.exists(closedCleanly.resolve("rocksdb/placements/CURRENT")), "a cleanly closed task lost its state");
    assertTrue(Files.exists(global.resolve("rocksdb/placements/CURRENT")), "the global stores were removed");
    assertTrue(Files.exists(metadata), "the process metadata (the stream app's process id) was removed");
  }

  @Test
  void aFirstStartHasNothingToRemove() throws IOException {
    assertEquals(List.of(), UncheckpointedTasks.remove(appDir.resolve("not-there-yet")));
  }

  /** A task directory holding one RocksDB store, as Kafka Streams lays it out. */
  private static Path store(Path task) throws IOException {
    Files.createDirectories(task.resolve("rocksdb/placements"));
    Files.writeString(task.resolve("rocksdb/placements/CURRENT"), "MANIFEST-000005\n");
    return task;
  }
}
