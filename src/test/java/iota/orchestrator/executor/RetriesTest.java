package iota.orchestrator.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.deadletter.DeadLetterHeaders;
import iota.orchestrator.model.InvalidRecordException;
import iota.orchestrator.model.Precondition;
import iota.orchestrator.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class RetriesTest {
  private static final Executor.Settings SETTINGS =
      new Executor.Settings(3, Duration.ofMillis(50), Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofMinutes(1), Duration.ofSeconds(5), 1);

  private final MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final Retries retries = new Retries(SETTINGS, new DeadLetterSender(producer, Duration.ofSeconds(5)));

  private static ConsumerRecord<byte[], byte[]> record(long offset) {
    return new ConsumerRecord<>(Topics.POD_COMMANDS.name(), 0, offset, "Thing/0".getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8));
  }

  private static Round round() {
    return new Round(System.nanoTime() + Duration.ofMinutes(1).toNanos(), () -> false);
  }

  @Test
  void aFailingRecordIsRetriedUntilItsLastAttemptThenDeadLetteredWhole() {
    ConsumerRecord<byte[], byte[]> r = record(7);

    assertFalse(retries.failed(r, new CommandFailedException("refused"), round()));
    assertFalse(retries.failed(r, new CommandFailedException("refused"), round()));
    assertTrue(producer.history().isEmpty());
    assertTrue(retries.failed(r, new CommandFailedException("refused"), round()));

    assertEquals(1, producer.history().size());
    var letter = producer.history().get(0);
    assertEquals(Topics.DLQ.name(), letter.topic());
    assertArrayEquals(r.value(), letter.value());
    assertEquals("failed 3 attempts: refused", new String(letter.headers().lastHeader(DeadLetterHeaders.MESSAGE).value(), StandardCharsets.UTF_8));
    assertEquals("7", new String(letter.headers().lastHeader(DeadLetterHeaders.OFFSET).value(), StandardCharsets.UTF_8));
  }

  @Test
  void anAppliedRecordStartsItsCountAfresh() {
    ConsumerRecord<byte[], byte[]> r = record(1);
    retries.failed(r, new CommandFailedException("once"), round());
    retries.failed(r, new CommandFailedException("twice"), round());

    retries.applied(r);

    assertFalse(retries.failed(r, new CommandFailedException("again"), round()), "the count started over");
  }

  @Test
  void revokedPartitionsForgetTheirAttempts() {
    ConsumerRecord<byte[], byte[]> r = record(1);
    retries.failed(r, new CommandFailedException("once"), round());
    retries.failed(r, new CommandFailedException("twice"), round());

    retries.forget(List.of(new TopicPartition(Topics.POD_COMMANDS.name(), 0)));

    assertFalse(retries.failed(r, new CommandFailedException("again"), round()));
  }

  @Test
  void anUnreadableRecordIsDeadLetteredAtOnce() {
    assertTrue(retries.unreadable(record(2), new InvalidRecordException("key is missing"), round()));

    assertEquals("key is missing", new String(producer.history().get(0).headers().lastHeader(DeadLetterHeaders.MESSAGE).value(), StandardCharsets.UTF_8));
  }

  @Test
  void aDeadLetterKafkaRefusesLeavesTheRecordUnfinishedAsAnOutage() {
    // Never acknowledged: the send times out.
    MockProducer<byte[], byte[]> silent = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    Retries refused = new Retries(SETTINGS, new DeadLetterSender(silent, Duration.ofMillis(50)));
    Round round = round();

    assertFalse(refused.unreadable(record(2), new InvalidRecordException("bad"), round));

    assertTrue(round.outage());
  }

  @Test
  void theWaitGrowsWithTheWorstAttemptAndWithOutagesInARowAndEndsWithACleanRound() {
    Round failedTwice = round();
    failedTwice.failedAttempt(2);
    assertEquals(Duration.ofMillis(20), retries.backoffAfter(failedTwice));

    Round down = round();
    down.kubernetesFoundDown();
    assertEquals(Duration.ofMillis(10), retries.backoffAfter(down));
    Round stillDown = round();
    stillDown.zooKeeperFoundDown();
    assertEquals(Duration.ofMillis(20), retries.backoffAfter(stillDown));

    assertEquals(Duration.ZERO, retries.backoffAfter(round()));
    Round downAgain = round();
    downAgain.dlqFoundDown();
    assertEquals(Duration.ofMillis(10), retries.backoffAfter(downAgain), "a clean round resets the count of outages");
  }

  private static Preconditions.Unmet unmet() {
    return new Preconditions.Unmet(new Precondition("Thing/1", 4), OptionalLong.of(3));
  }

  @Test
  void aRecordWaitsForItsPreconditionUntilTheTimeoutThenIsDeadLetteredOnceNamingIt() {
    AtomicLong now = new AtomicLong();
    Executor.Settings settings = new Executor.Settings(3, Duration.ofMillis(50), Duration.ofMillis(10), Duration.ofMillis(100),
        Duration.ofMinutes(1), Duration.ofSeconds(5), 1, Duration.ofSeconds(120));
    Retries waits = new Retries(settings, new DeadLetterSender(producer, Duration.ofSeconds(5)), now::get);
    ConsumerRecord<byte[], byte[]> r = record(4);

    Round first = round();
    assertFalse(waits.waiting(r, unmet(), first));
    assertTrue(first.preconditionUnmet());
    assertFalse(first.outage(), "waiting is no outage");
    now.addAndGet(Duration.ofSeconds(119).toNanos());
    assertFalse(waits.waiting(r, unmet(), round()));
    assertTrue(producer.history().isEmpty());

    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertTrue(waits.waiting(r, unmet(), round()));

    assertEquals(1, producer.history().size());
    assertEquals("precondition not met within 120000 ms: Thing/1 at seq >= 4 (ZooKeeper has seq 3)",
        new String(producer.history().get(0).headers().lastHeader(DeadLetterHeaders.MESSAGE).value(), StandardCharsets.UTF_8));
    assertTrue(waits.givenUp(r), "read again before its offset is committed, it is skipped");
    waits.forgetBefore(new TopicPartition(Topics.POD_COMMANDS.name(), 0), 5);
    assertFalse(waits.givenUp(r));
  }

  @Test
  void aRecordAppliedAfterWaitingStartsAFreshWaitWhenItWaitsAgain() {
    AtomicLong now = new AtomicLong();
    Retries waits = new Retries(SETTINGS, new DeadLetterSender(producer, Duration.ofSeconds(5)), now::get);
    ConsumerRecord<byte[], byte[]> r = record(4);
    waits.waiting(r, unmet(), round());
    now.addAndGet(SETTINGS.preconditionTimeout().minusMillis(1).toNanos());

    waits.applied(r);
    now.addAndGet(Duration.ofMillis(2).toNanos());

    assertFalse(waits.waiting(r, unmet(), round()));
    assertTrue(producer.history().isEmpty());
  }

  @Test
  void roundsWaitingForAPreconditionBackOffLikeRetriesButAtMostTheRecheckBound() {
    Executor.Settings slow = new Executor.Settings(3, Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(30),
        Duration.ofMinutes(1), Duration.ofSeconds(5), 1);
    Retries waits = new Retries(slow, new DeadLetterSender(producer, Duration.ofSeconds(5)));
    List<Duration> backoffs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Round r = round();
      r.preconditionFoundUnmet();
      backoffs.add(waits.backoffAfter(r));
    }

    assertEquals(List.of(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800), Retries.PRECONDITION_RECHECK_MAX,
        Retries.PRECONDITION_RECHECK_MAX, Retries.PRECONDITION_RECHECK_MAX), backoffs);
    assertEquals(Duration.ZERO, waits.backoffAfter(round()), "a round with nothing waiting resets it");
  }
}
