package iota.orchestrator.executor;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * A {@link MockConsumer} that behaves like a broker-backed one where the executor relies on it: the
 * records stay in a log, so a {@code seek} back re-delivers them (MockConsumer forgets what it has
 * delivered), and {@code poll} waits for records up to its timeout instead of spinning, ending early
 * on {@code wakeup()} or a new record.
 */
final class ReplayingConsumer extends MockConsumer<byte[], byte[]> {
  private final List<ConsumerRecord<byte[], byte[]>> log = new ArrayList<>();
  private final Map<TopicPartition, Long> nextOffset = new HashMap<>();
  private final Map<TopicPartition, Long> lastCommitted = new HashMap<>();

  ReplayingConsumer() {
    super("earliest");
  }

  /** Appends a record to the log at the partition's next offset; returns that offset. */
  synchronized long append(String topic, int partition, String key, byte[] value) {
    return append(topic, partition, key, value, new RecordHeaders());
  }

  /** As {@link #append(String, int, String, byte[])}, with headers. */
  synchronized long append(String topic, int partition, String key, byte[] value, Headers headers) {
    TopicPartition tp = new TopicPartition(topic, partition);
    long offset = nextOffset.merge(tp, 1L, Long::sum) - 1;
    byte[] keyBytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    log.add(new ConsumerRecord<>(topic, partition, offset, ConsumerRecord.NO_TIMESTAMP, TimestampType.NO_TIMESTAMP_TYPE,
        keyBytes == null ? -1 : keyBytes.length, value == null ? -1 : value.length, keyBytes, value, headers, Optional.empty()));
    notifyAll();
    return offset;
  }

  @Override
  public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      feed();
      ConsumerRecords<byte[], byte[]> records = super.poll(Duration.ZERO);
      long left = deadline - System.nanoTime();
      if (!records.isEmpty() || left <= 0) {
        return records;
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return records;
      }
    }
  }

  @Override
  public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
    super.commitSync(offsets);
    offsets.forEach((tp, o) -> lastCommitted.put(tp, o.offset()));
  }

  @Override
  public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
    super.commitSync(offsets, timeout);
    offsets.forEach((tp, o) -> lastCommitted.put(tp, o.offset()));
  }

  /** The offset last committed for {@code tp}, or null; unlike {@code committed()}, also after close. */
  synchronized Long lastCommitted(TopicPartition tp) {
    return lastCommitted.get(tp);
  }

  @Override
  public synchronized void wakeup() {
    super.wakeup();
    notifyAll();
  }

  /** Hands MockConsumer every logged record at or after each assigned partition's position. */
  private void feed() {
    for (TopicPartition tp : assignment()) {
      if (paused().contains(tp)) {
        continue;
      }
      long position = position(tp);
      for (ConsumerRecord<byte[], byte[]> r : log) {
        if (r.topic().equals(tp.topic()) && r.partition() == tp.partition() && r.offset() >= position) {
          super.addRecord(r);
        }
      }
    }
  }
}
