package iota.orchestrator.executor;

import iota.orchestrator.model.InvalidRecordException;
import iota.orchestrator.topics.Topics;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what becomes of a record that was not applied, and how long the loop waits before the
 * next round.
 *
 * <ul>
 *   <li>A record that cannot be read is dead-lettered at once: trying it again cannot help.
 *   <li>A command failure counts an attempt; after {@code maxAttempts} the record is dead-lettered
 *       and the executor goes on.
 *   <li>An outage ({@link DependencyUnavailableException}) is never counted here: the rounds leave
 *       the record unfinished and mark the {@link Round}, so it waits however long the outage lasts.
 * </ul>
 *
 * The wait grows with the worst attempt of the round and with the number of rounds in a row that
 * met an outage ({@link Executor.Settings#backoff}). Attempts are counted per record (partition and
 * offset) in memory only: a restart, or the partition moving to another executor, starts afresh.
 * Used by the loop thread only.
 */
final class Retries {
  private static final Logger log = LoggerFactory.getLogger(Retries.class);

  private record RecordId(TopicPartition partition, long offset) {
    static RecordId of(ConsumerRecord<?, ?> r) {
      return new RecordId(new TopicPartition(r.topic(), r.partition()), r.offset());
    }
  }

  private final Executor.Settings settings;
  private final DeadLetterSender deadLetters;
  private final Map<RecordId, Integer> attempts = new HashMap<>();
  private int outageRounds;

  Retries(Executor.Settings settings, DeadLetterSender deadLetters) {
    this.settings = settings;
    this.deadLetters = deadLetters;
  }

  /** The record was applied (or found already applied or stale): its failed attempts are forgotten. */
  void applied(ConsumerRecord<byte[], byte[]> record) {
    attempts.remove(RecordId.of(record));
  }

  /** Dead-letters a record that cannot be read; true when it is finished with, false when the DLQ did not take it. */
  boolean unreadable(ConsumerRecord<byte[], byte[]> record, InvalidRecordException reason, Round round) {
    log.warn("unreadable record {}-{}@{} goes to {}: {}", record.topic(), record.partition(), record.offset(), Topics.DLQ, reason.getMessage());
    return deadLetter(record, reason, String.valueOf(reason.getMessage()), round);
  }

  /** Counts a failed attempt; true when the record is finished with (dead-lettered). */
  boolean failed(ConsumerRecord<byte[], byte[]> record, RuntimeException e, Round round) {
    int attempt = attempts.merge(RecordId.of(record), 1, Integer::sum);
    if (attempt < settings.maxAttempts()) {
      log.warn("attempt {} of {} failed, will retry: {}", attempt, settings.maxAttempts(), e.getMessage());
      round.failedAttempt(attempt);
      return false;
    }
    log.error("giving up after {} attempts, sending the command to {}: {}", attempt, Topics.DLQ, e.getMessage(), e);
    if (deadLetter(record, e, "failed " + attempt + " attempts: " + e.getMessage(), round)) {
      attempts.remove(RecordId.of(record));
      return true;
    }
    return false;
  }

  /** The loop goes on from {@code next} in {@code tp}: the records before it are done with. */
  void forgetBefore(TopicPartition tp, long next) {
    attempts.keySet().removeIf(id -> id.partition().equals(tp) && id.offset() < next);
  }

  /** The partitions went to another executor: their records' attempts are that executor's to count. */
  void forget(Collection<TopicPartition> revoked) {
    attempts.keySet().removeIf(id -> revoked.contains(id.partition()));
  }

  /** How long to wait after {@code round} before polling again; zero when nothing failed. */
  Duration backoffAfter(Round round) {
    outageRounds = round.outage() ? outageRounds + 1 : 0;
    int rounds = Math.max(outageRounds, round.worstAttempt());
    return rounds == 0 ? Duration.ZERO : settings.backoff(rounds);
  }

  private boolean deadLetter(ConsumerRecord<byte[], byte[]> record, Exception reason, String message, Round round) {
    if (deadLetters.send(record, reason, message)) {
      return true;
    }
    round.dlqFoundDown();
    return false;
  }
}
