package iota.orchestrator.executor;

import static iota.orchestrator.executor.ExecutorFixture.NS;
import static iota.orchestrator.executor.ExecutorFixture.ROOT;
import static iota.orchestrator.executor.ExecutorFixture.header;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.IntegrationTest;
import iota.orchestrator.LogCapture;
import iota.orchestrator.PlacedIds;
import iota.orchestrator.deadletter.DeadLetterHeaders;
import iota.orchestrator.model.Assignment;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.PodCommand;
import iota.orchestrator.model.PodCommand.Action;
import iota.orchestrator.model.Precondition;
import iota.orchestrator.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The executor honours the {@code after} preconditions of assignments and pod commands (issue 12
 * §4, make-before-break), on a real ZooKeeper, with the assignments on two partitions as the
 * topology may spread them.
 */
@IntegrationTest
class PreconditionsTest {
  private static final TopicPartition ASSIGNMENTS_0 = new TopicPartition(Topics.ASSIGNMENTS.name(), 0);
  private static final TopicPartition ASSIGNMENTS_1 = new TopicPartition(Topics.ASSIGNMENTS.name(), 1);
  private static final TopicPartition POD_COMMANDS = new TopicPartition(Topics.POD_COMMANDS.name(), 0);

  @RegisterExtension
  final ExecutorFixture env = new ExecutorFixture();

  private Executor executor;

  /** An executor driven round by round from the test thread. */
  private void stepped(Duration preconditionTimeout) {
    executor = env.stepped(env.executor(3, Path.of("templates"), preconditionTimeout), List.of(ASSIGNMENTS_0, ASSIGNMENTS_1, POD_COMMANDS));
  }

  private void stepped() {
    stepped(Duration.ofMinutes(2));
  }

  private static Precondition after(String id, long seq) {
    return new Precondition("Thing/" + id, seq);
  }

  private long assign(int partition, String id, long seq, List<String> ids, Precondition... after) {
    Assignment a = Assignment.of("Thing", id, seq, 10, ids, seq).after(List.of(after));
    return env.consumer.append(Topics.ASSIGNMENTS.name(), partition, "Thing/" + id, Json.bytes(a));
  }

  private long tombstone(int partition, String id, long seq) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(Topics.ASSIGNMENT_SEQ_HEADER, Long.toString(seq).getBytes(StandardCharsets.UTF_8));
    return env.consumer.append(Topics.ASSIGNMENTS.name(), partition, "Thing/" + id, null, headers);
  }

  private long command(String commandId, Action action, String id, Precondition... after) {
    return env.consumer.append(Topics.POD_COMMANDS.name(), 0, "Thing/" + id,
        Json.bytes(new PodCommand(commandId, action, "Thing", id, "iota-dac", "test", List.of(after))));
  }

  private List<String> ids(String id) throws Exception {
    JsonNode node = Json.MAPPER.readTree(env.curator.getData().forPath(ROOT + "/Thing/" + id + "/resources"));
    List<String> out = new ArrayList<>();
    node.get("ids").forEach(n -> out.add(n.asText()));
    return out;
  }

  private long seq(String id) throws Exception {
    return Json.MAPPER.readTree(env.curator.getData().forPath(ROOT + "/.seq/Thing/" + id)).get("seq").asLong();
  }

  @Test
  void aGiverConsumedBeforeItsReceiverOnAnotherPartitionIsWrittenOnlyAfterTheReceiver() throws Exception {
    stepped();
    assign(0, "0", 1, List.of("a", "b"));
    assign(1, "1", 1, List.of("c"));
    executor.pollOnce();
    try (PlacedIds watch = new PlacedIds(env.curator, ROOT + "/Thing")) {
      await().until(() -> watch.shows("0", "b") && watch.shows("1", "c"));

      // The move of b from 0 to 1: the giver arrives first, its receiver on partition 1 later.
      assign(0, "0", 2, List.of("a"), after("1", 2));
      Duration backoff = executor.pollOnce();

      assertTrue(backoff.compareTo(Duration.ZERO) > 0, "a waiting record is polled again after a short wait");
      assertEquals(List.of("a", "b"), ids("0"), "the giver waits for its receiver");
      assertEquals(1L, env.committed(ASSIGNMENTS_0), "the waiting giver's offset is not committed");
      assertTrue(env.deadLetters().isEmpty(), "waiting is no failure");

      assign(1, "1", 2, List.of("c", "b"));
      await().until(() -> {
        executor.pollOnce();
        return ids("0").equals(List.of("a"));
      });

      assertEquals(List.of("c", "b"), ids("1"));
      assertTrue(env.curator.checkExists().forPath(ROOT + "/Thing/1/resources").getMzxid()
          < env.curator.checkExists().forPath(ROOT + "/Thing/0/resources").getMzxid(), "the receiver was written first");
      assertEquals(2L, env.committed(ASSIGNMENTS_0));
      await().until(() -> watch.shows("1", "b") && !watch.shows("0", "b"));
      assertEquals(List.of(), watch.missing(), "at no moment was a placed id on no instance");
    }
  }

  @Test
  void aGiverAndItsReceiverInOneBatchAreBothWrittenInOneRound() throws Exception {
    stepped();
    assign(0, "0", 1, List.of("a", "b"));
    assign(0, "1", 1, List.of("c"));
    executor.pollOnce();

    assign(0, "0", 2, List.of("a"), after("1", 2));
    assign(0, "1", 2, List.of("c", "b"));

    assertEquals(Duration.ZERO, executor.pollOnce());
    assertEquals(List.of("a"), ids("0"));
    assertEquals(List.of("c", "b"), ids("1"));
    assertEquals(4L, env.committed(ASSIGNMENTS_0));
  }

  @Test
  void theNewerStatesCoalescedAfterAWaitingGiverWaitWithIt() throws Exception {
    stepped();
    assign(0, "0", 1, List.of("a", "b"));
    assign(0, "1", 1, List.of("c"));
    assign(0, "2", 1, List.of("d"));
    executor.pollOnce();

    // The giver, then a reload of the same instance, which carries no precondition of its own but
    // would write the giver's effect if it were coalesced past the wait.
    assign(0, "0", 2, List.of("a"), after("1", 2));
    long reload = assign(0, "0", 3, List.of("a"));
    assign(0, "2", 2, List.of("d", "e"));
    executor.pollOnce();

    assertEquals(List.of("a", "b"), ids("0"));
    assertEquals(1L, seq("0"));
    assertEquals(List.of("d", "e"), ids("2"), "another instance of the partition goes on");
    assertEquals(reload - 1, env.committed(ASSIGNMENTS_0), "the offset stays at the waiting giver");

    assign(1, "1", 2, List.of("c", "b"));
    await().until(() -> {
      executor.pollOnce();
      return seq("0") == 3;
    });
    assertEquals(List.of("a"), ids("0"));
    assertEquals(reload + 2, env.committed(ASSIGNMENTS_0));
  }

  @Test
  void aPreconditionWrittenByAStateCoalescedBeforeTheWaitCannotDeadlock() throws Exception {
    stepped();
    assign(0, "0", 1, List.of("a", "x"));
    assign(1, "1", 1, List.of("b"));
    executor.pollOnce();

    // x moves 0 -> 1 and back: 0 gives (after 1@2), 1 receives, 1 gives back (after 0@3), 0
    // receives, then 0 gives y to 1 (after 1@4). Waiting for 1@4 before writing 0@3 would wait
    // for a record that itself waits for 0@3.
    assign(1, "1", 2, List.of("b", "x"));
    assign(0, "0", 2, List.of("a"), after("1", 2));
    assign(0, "0", 3, List.of("a", "x", "y"));
    assign(1, "1", 3, List.of("b"), after("0", 3));
    assign(1, "1", 4, List.of("b", "y"));
    assign(0, "0", 4, List.of("a", "x"), after("1", 4));

    await().until(() -> {
      executor.pollOnce();
      return seq("0") == 4 && seq("1") == 4;
    });
    assertEquals(List.of("a", "x"), ids("0"));
    assertEquals(List.of("b", "y"), ids("1"));
    assertTrue(env.deadLetters().isEmpty());
  }

  @Test
  void aRemovedInstanceSatisfiesAPreconditionAtOrBelowItsRemoval() throws Exception {
    stepped();
    assign(0, "0", 1, List.of("a", "q"));
    assign(1, "7", 3, List.of("z", "q"));
    executor.pollOnce();
    tombstone(1, "7", 4);
    executor.pollOnce();
    assertNull(env.curator.checkExists().forPath(ROOT + "/Thing/7"));

    // The giver of q to 7 comes late: 7 had q at seq 3 and has been removed since.
    assign(0, "0", 2, List.of("a"), after("7", 3));

    assertEquals(Duration.ZERO, executor.pollOnce());
    assertEquals(List.of("a"), ids("0"));
  }

  @Test
  void aGiverThatTakesNothingAwayFromZooKeeperIsWrittenWithoutWaiting() throws Exception {
    // A fresh ZooKeeper filled from the compacted topic: the giver's receiver was removed since and
    // its tombstone compacted away, so the precondition would never hold.
    stepped();
    assign(0, "0", 5, List.of("a"), after("1", 4));
    command("d2", Action.delete, "2", after("2", 3));

    assertEquals(Duration.ZERO, executor.pollOnce());

    assertEquals(List.of("a"), ids("0"));
    assertEquals(1L, env.committed(ASSIGNMENTS_0));
    assertEquals(1L, env.committed(POD_COMMANDS), "ZooKeeper lists nothing on the pod: the delete waits for nothing");
    assertTrue(env.deadLetters().isEmpty());
  }

  @Test
  void aPodDeleteWaitsForTheEmptiedAssignmentAndHoldsBackTheCommandsAfterIt() throws Exception {
    stepped();
    assign(0, "5", 1, List.of("a"));
    command("c5", Action.create, "5");
    executor.pollOnce();
    assertNotNull(env.k8s.pods().inNamespace(NS).withName("iota-dac-5").get());

    command("d5", Action.delete, "5", after("5", 2));
    command("c6", Action.create, "6");
    executor.pollOnce();

    assertNotNull(env.k8s.pods().inNamespace(NS).withName("iota-dac-5").get(), "ZooKeeper still gives the pod resources");
    assertNull(env.k8s.pods().inNamespace(NS).withName("iota-dac-6").get(), "the command after the waiting one waits too");
    assertEquals(1L, env.committed(POD_COMMANDS));

    assign(1, "5", 2, List.of());
    assertEquals(Duration.ZERO, executor.pollOnce(), "the emptied assignment is written first in the same round");

    assertEquals(List.of(), ids("5"));
    await().until(() -> env.k8s.pods().inNamespace(NS).withName("iota-dac-5").get() == null);
    assertNotNull(env.k8s.pods().inNamespace(NS).withName("iota-dac-6").get());
    assertEquals(3L, env.committed(POD_COMMANDS));
  }

  @Test
  void aPreconditionUnmetPastTheTimeoutIsDeadLetteredNamingItAndTheInstanceGoesOn() throws Exception {
    stepped(Duration.ofMillis(300));
    assign(0, "0", 1, List.of("a", "b"));
    executor.pollOnce();

    long giver = assign(0, "0", 2, List.of("a"), after("9", 1));
    assign(0, "0", 3, List.of("a", "b", "c"));
    command("d0", Action.delete, "0", after("0", 7));

    await().until(() -> {
      executor.pollOnce();
      return env.deadLetters().size() == 2;
    });

    ProducerRecord<byte[], byte[]> dead = env.deadLetters().stream()
        .filter(r -> header(r, DeadLetterHeaders.TOPIC).equals(Topics.ASSIGNMENTS.name())).findFirst().orElseThrow();
    assertEquals(Long.toString(giver), header(dead, DeadLetterHeaders.OFFSET));
    assertEquals("precondition not met within 300 ms: Thing/9 at seq >= 1 (ZooKeeper has none)", header(dead, DeadLetterHeaders.MESSAGE));
    ProducerRecord<byte[], byte[]> deadDelete = env.deadLetters().stream()
        .filter(r -> header(r, DeadLetterHeaders.TOPIC).equals(Topics.POD_COMMANDS.name())).findFirst().orElseThrow();
    assertTrue(header(deadDelete, DeadLetterHeaders.MESSAGE).endsWith("Thing/0 at seq >= 7 (ZooKeeper has seq 3)"),
        header(deadDelete, DeadLetterHeaders.MESSAGE));

    assertEquals(List.of("a", "b", "c"), ids("0"), "the state after the dead-lettered giver is written");
    assertEquals(3L, env.committed(ASSIGNMENTS_0));
    assertEquals(1L, env.committed(POD_COMMANDS));
    assertEquals(Duration.ZERO, executor.pollOnce());
    assertEquals(2, env.deadLetters().size(), "each is dead-lettered once");
  }

  @Test
  void theLogSaysWhichPreconditionARecordWaitsForWithItsIdInTheContext() throws Exception {
    try (LogCapture log = LogCapture.of(Retries.class.getName(), Level.INFO)) {
      stepped();
      assign(0, "0", 3, List.of("a", "b"));
      assign(1, "3", 4, List.of("c"));
      executor.pollOnce();
      assign(0, "0", 4, List.of("a"), after("1", 2));
      command("d3", Action.delete, "3", after("3", 5));

      executor.pollOnce();

      assertTrue(log.events().stream().anyMatch(e -> e.getFormattedMessage().contains("waits for Thing/1 at seq >= 2 (ZooKeeper has none)")
          && "Thing/0@4".equals(e.getMDCPropertyMap().get(Executor.MDC_COMMAND_ID))), log.events()::toString);
      assertTrue(log.events().stream().anyMatch(e -> e.getFormattedMessage().contains("waits for Thing/3 at seq >= 5")
          && "d3".equals(e.getMDCPropertyMap().get(Executor.MDC_COMMAND_ID))), log.events()::toString);
    }
  }

  @Test
  void aPreconditionKeyThatIsNoInstanceKeyMakesTheRecordUnreadable() {
    stepped();
    env.consumer.append(Topics.ASSIGNMENTS.name(), 0, "Thing/0",
        Json.bytes(Assignment.of("Thing", "0", 1, 10, List.of("a"), 1).after(List.of(new Precondition("Thing/../x", 1)))));

    assertEquals(Duration.ZERO, executor.pollOnce());

    assertEquals(1, env.deadLetters().size());
    assertTrue(header(env.deadLetters().get(0), DeadLetterHeaders.MESSAGE).startsWith("after[].key: "), header(env.deadLetters().get(0), DeadLetterHeaders.MESSAGE));
    assertNull(env.committed(ASSIGNMENTS_1));
    assertEquals(1L, env.committed(ASSIGNMENTS_0));
  }
}
