package iota.orchestrator.topology;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each store restore from its changelog (records and milliseconds), and keeps the progress of
 * the ones under way so a start that waits for RUNNING can say what it waits for. After a crash
 * under exactly-once a task has no checkpoint and is restored whole, so these lines are the
 * restore time of a recovery.
 */
final class RestoreLog implements StateRestoreListener {
  private static final Logger LOG = LoggerFactory.getLogger(RestoreLog.class);

  private static final class Progress {
    final long start;
    final long total;
    final long began = System.nanoTime();
    volatile long restored;

    Progress(long start, long end) {
      this.start = start;
      this.total = Math.max(0, end - start);
    }
  }

  private final Map<String, Progress> underWay = new ConcurrentHashMap<>();

  @Override
  public void onRestoreStart(TopicPartition partition, String store, long startOffset, long endOffset) {
    underWay.put(key(store, partition), new Progress(startOffset, endOffset));
    LOG.info("restoring store {} from {}: offsets {} to {}", store, partition, startOffset, endOffset);
  }

  @Override
  public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
    Progress p = underWay.get(key(store, partition));
    if (p != null) {
      p.restored += numRestored;
    }
  }

  @Override
  public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
    Progress p = underWay.remove(key(store, partition));
    long ms = p == null ? -1 : (System.nanoTime() - p.began) / 1_000_000;
    LOG.info("restored store {} from {}: {} records in {} ms", store, partition, totalRestored, ms);
  }

  @Override
  public void onRestoreSuspended(TopicPartition partition, String store, long totalRestored) {
    underWay.remove(key(store, partition));
    LOG.info("restoring store {} from {} suspended after {} records (the task moved)", store, partition, totalRestored);
  }

  String progress() {
    return underWay.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(e -> e.getKey() + " " + e.getValue().restored + "/" + e.getValue().total)
        .collect(Collectors.joining(", "));
  }

  private static String key(String store, TopicPartition partition) {
    return store + "@" + partition.partition();
  }
}
