package iota.orchestrator.executor;

import iota.orchestrator.model.InvalidRecordException;
import iota.orchestrator.topics.Topics;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
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
 *   <li>A record whose {@code after} preconditions do not hold yet ({@link Preconditions}) waits:
 *       nothing failed, so no attempt is counted, but the wait is bounded by {@code
 *       iota.precondition.timeout}, after which the record is dead-lettered with the unmet
 *       precondition as its reason, and not applied. Applying it anyway is what the precondition
 *       exists to prevent: the receiver that never arrived was most likely dead-lettered itself,
 *       and writing the giver would then take the moved resources off every instance (or delete
 *       the pod of an instance ZooKeeper still gives resources to). Dead-lettered, the giver's older
 *       state stays in ZooKeeper and keeps the resources served where they were, until the
 *       instance's next state; the dead letter holds the whole record for an operator.
 * </ul>
 *
 * The wait grows with the worst attempt of the round and with the number of rounds in a row that
 * met an outage ({@link Executor.Settings#backoff}); rounds in a row with a record waiting for a
 * precondition wait the same way but at most {@link #PRECONDITION_RECHECK_MAX}, since waiting is
 * the normal course of a move and a receiver usually lands within a round of another executor.
 * Attempts and waits are counted per record (partition and offset) in memory only: a restart, or
 * the partition moving to another executor, starts afresh. Used by the loop thread only.
 */
final class Retries {
  private static final Logger log = LoggerFactory.getLogger(Retries.class);

  private record RecordId(TopicPartition partition, long offset) {
    static RecordId of(ConsumerRecord<?, ?> r) {
      return new RecordId(new TopicPartition(r.topic(), r.partition()), r.offset());
    }
  }

  /** The longest wait between two checks of a precondition. */
  static final Duration PRECONDITION_RECHECK_MAX = Duration.ofSeconds(1);

  private final Executor.Settings settings;
  private final DeadLetterSender deadLetters;
  private final LongSupplier nanoTime;
  private final Map<RecordId, Integer> attempts = new HashMap<>();
  /** When each waiting record was first found waiting ({@link System#nanoTime()}). */
  private final Map<RecordId, Long> waitingSince = new HashMap<>();
  /** Records dead-lettered for an unmet precondition that may be read again before their offset is committed. */
  private final Set<RecordId> givenUp = new HashSet<>();
  private int outageRounds;
  private int waitRounds;

  Retries(Executor.Settings settings, DeadLetterSender deadLetters) {
    this(settings, deadLetters, System::nanoTime);
  }

  /** @param nanoTime the clock that bounds precondition waits */
  Retries(Executor.Settings settings, DeadLetterSender deadLetters, LongSupplier nanoTime) {
    this.settings = settings;
    this.deadLetters = deadLetters;
    this.nanoTime = nanoTime;
  }

  /** The record was applied (or found already applied or stale): its failed attempts and its wait are forgotten. */
  void applied(ConsumerRecord<byte[], byte[]> record) {
    RecordId id = RecordId.of(record);
    attempts.remove(id);
    waitingSince.remove(id);
  }

  /**
   * The record's precondition {@code unmet} does not hold: true when it is finished with (it has
   * waited {@code iota.precondition.timeout} and is now dead-lettered), false when it waits on.
   */
  boolean waiting(ConsumerRecord<byte[], byte[]> record, Preconditions.Unmet unmet, Round round) {
    RecordId id = RecordId.of(record);
    long now = nanoTime.getAsLong();
    Long since = waitingSince.putIfAbsent(id, now);
    if (since == null) {
      log.info("waits for {} before it is applied (for at most {} ms)", unmet, settings.preconditionTimeout().toMillis());
      since = now;
    }
    Duration waited = Duration.ofNanos(now - since);
    if (waited.compareTo(settings.preconditionTimeout()) < 0) {
      log.debug("still waits for {} after {}", unmet, waited);
      round.preconditionFoundUnmet();
      return false;
    }
    String message = "precondition not met within " + settings.preconditionTimeout().toMillis() + " ms: " + unmet;
    log.error("not applied, sending the command to {}: {}", Topics.DLQ, message);
    if (deadLetter(record, new CommandFailedException(message), message, round)) {
      waitingSince.remove(id);
      givenUp.add(id);
      return true;
    }
    return false;
  }

  /** True for a record already dead-lettered for an unmet precondition: read again, it is skipped. */
  boolean givenUp(ConsumerRecord<byte[], byte[]> record) {
    return givenUp.contains(RecordId.of(record));
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
    Predicate<RecordId> done = id -> id.partition().equals(tp) && id.offset() < next;
    attempts.keySet().removeIf(done);
    waitingSince.keySet().removeIf(done);
    givenUp.removeIf(done);
  }

  /** The partitions went to another executor: their records' attempts and waits are that executor's to count. */
  void forget(Collection<TopicPartition> revoked) {
    Predicate<RecordId> gone = id -> revoked.contains(id.partition());
    attempts.keySet().removeIf(gone);
    waitingSince.keySet().removeIf(gone);
    givenUp.removeIf(gone);
  }

  /** How long to wait after {@code round} before polling again; zero when nothing failed or waited. */
  Duration backoffAfter(Round round) {
    outageRounds = round.outage() ? outageRounds + 1 : 0;
    waitRounds = round.preconditionUnmet() ? waitRounds + 1 : 0;
    int rounds = Math.max(outageRounds, round.worstAttempt());
    Duration backoff = rounds == 0 ? Duration.ZERO : settings.backoff(rounds);
    if (waitRounds > 0) {
      Duration recheck = settings.backoff(waitRounds);
      backoff = max(backoff, recheck.compareTo(PRECONDITION_RECHECK_MAX) > 0 ? PRECONDITION_RECHECK_MAX : recheck);
    }
    return backoff;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private boolean deadLetter(ConsumerRecord<byte[], byte[]> record, Exception reason, String message, Round round) {
    if (deadLetters.send(record, reason, message)) {
      return true;
    }
    round.dlqFoundDown();
    return false;
  }
}
