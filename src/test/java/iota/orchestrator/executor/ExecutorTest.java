package iota.orchestrator.executor;

import static iota.orchestrator.executor.ExecutorFixture.NS;
import static iota.orchestrator.executor.ExecutorFixture.ROOT;
import static iota.orchestrator.executor.ExecutorFixture.header;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import iota.orchestrator.IntegrationTest;
import iota.orchestrator.LogCapture;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.deadletter.DeadLetterHeaders;
import iota.orchestrator.model.Assignment;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.PodCommand;
import iota.orchestrator.model.PodCommand.Action;
import iota.orchestrator.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

@IntegrationTest
class ExecutorTest {
  private static final TopicPartition ASSIGNMENTS = new TopicPartition(Topics.ASSIGNMENTS.name(), 0);
  private static final TopicPartition POD_COMMANDS = new TopicPartition(Topics.POD_COMMANDS.name(), 0);

  @RegisterExtension
  final ExecutorFixture env = new ExecutorFixture();

  private Executor executor;

  /** An executor driven round by round from the test thread. */
  private Executor stepped(int maxAttempts, Path templates) {
    executor = env.stepped(env.executor(maxAttempts, templates), List.of(ASSIGNMENTS, POD_COMMANDS));
    return executor;
  }

  /** An executor for its own thread (not started yet), given both partitions at its first poll. */
  private Executor threaded() {
    Executor threaded = env.executor(3, Path.of("templates"));
    env.consumer.schedulePollTask(() -> env.assign(List.of(ASSIGNMENTS, POD_COMMANDS)));
    return threaded;
  }

  private long assign(String resource, String id, long seq, List<String> ids) {
    return env.consumer.append(Topics.ASSIGNMENTS.name(), 0, resource + "/" + id, Json.bytes(Assignment.of(resource, id, seq, 10, ids, seq)));
  }

  private long tombstone(String resource, String id, long seq) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(Topics.ASSIGNMENT_SEQ_HEADER, Long.toString(seq).getBytes(StandardCharsets.UTF_8));
    return env.consumer.append(Topics.ASSIGNMENTS.name(), 0, resource + "/" + id, null, headers);
  }

  private long command(String commandId, Action action, String id, String instanceName) {
    return env.consumer.append(
        Topics.POD_COMMANDS.name(), 0, "Thing/" + id, Json.bytes(new PodCommand(commandId, action, "Thing", id, instanceName, "test")));
  }

  private String data(String path) throws Exception {
    return new String(env.curator.getData().forPath(path), StandardCharsets.UTF_8);
  }

  @Test
  void appliesBothTopicsAndCommitsOnlyAfterwards() throws Exception {
    stepped(3, Path.of("templates"));
    assign("Thing", "0", 1, List.of("a", "b"));
    command("c1", Action.create, "0", "iota-dac");

    assertEquals(Duration.ZERO, executor.pollOnce());

    assertEquals("{\"ids\":[\"a\",\"b\"]}", data(ROOT + "/Thing/0/resources"));
    assertNotNull(env.k8s.pods().inNamespace(NS).withName("iota-dac-0").get());
    assertEquals(1L, env.committed(ASSIGNMENTS));
    assertEquals(1L, env.committed(POD_COMMANDS));
  }

  @Test
  void onlyTheNewestStateOfAnInstanceInABatchIsWritten() throws Exception {
    stepped(3, Path.of("templates"));
    assign("Thing", "1", 1, List.of("a"));
    assign("Thing", "1", 2, List.of("a", "b"));
    assign("Thing", "1", 3, List.of("b"));

    executor.pollOnce();

    assertEquals("{\"ids\":[\"b\"]}", data(ROOT + "/Thing/1/resources"));
    // Version 0: the znodes were written once, with the newest state.
    assertEquals(0, env.curator.checkExists().forPath(ROOT + "/Thing/1/resources").getVersion());
    assertEquals(0, env.curator.checkExists().forPath(ROOT + "/.seq/Thing/1").getVersion());
    assertEquals(3L, env.committed(ASSIGNMENTS));
  }

  @Test
  void tombstoneRemovesTheInstanceAndAReuseInTheSameBatchStartsAfresh() throws Exception {
    stepped(3, Path.of("templates"));
    assign("Thing", "2", 5, List.of("old"));
    assign("Thing", "3", 1, List.of("x"));
    executor.pollOnce();
    env.curator.create().forPath(ROOT + "/Thing/2/tmp/worker-flag");

    tombstone("Thing", "3", 2);
    tombstone("Thing", "2", 6);
    assign("Thing", "2", 7, List.of("new"));
    executor.pollOnce();

    assertNull(env.curator.checkExists().forPath(ROOT + "/Thing/3"));
    assertEquals("{\"ids\":[\"new\"]}", data(ROOT + "/Thing/2/resources"));
    assertEquals(List.of(), env.curator.getChildren().forPath(ROOT + "/Thing/2/tmp"), "written afresh, not over the old life");
    assertEquals("{\"seq\":7}", data(ROOT + "/.seq/Thing/2"));
    assertEquals(5L, env.committed(ASSIGNMENTS));
  }

  @Test
  void aZombiesOldTombstoneAndOldStateLeaveTheLiveInstanceAlone() throws Exception {
    stepped(3, Path.of("templates"));
    assign("Thing", "2", 9, List.of("live"));
    executor.pollOnce();

    // Records of the id's previous life, replayed by an executor that lost its partitions.
    tombstone("Thing", "2", 4);
    executor.pollOnce();
    assign("Thing", "2", 3, List.of("older"));
    tombstone("Thing", "2", 4);
    assign("Thing", "2", 5, List.of("old"));
    executor.pollOnce();

    assertEquals("{\"ids\":[\"live\"]}", data(ROOT + "/Thing/2/resources"));
    assertEquals("{\"seq\":9}", data(ROOT + "/.seq/Thing/2"));
    assertTrue(env.deadLetters().isEmpty(), "stale records are done with, not failures");
    assertEquals(5L, env.committed(ASSIGNMENTS));
  }

  @Test
  void aTombstoneWithoutASequenceIsDeadLetteredAndRemovesNothing() throws Exception {
    stepped(3, Path.of("templates"));
    assign("Thing", "1", 3, List.of("a"));
    executor.pollOnce();

    env.consumer.append(Topics.ASSIGNMENTS.name(), 0, "Thing/1", null);
    assign("Thing", "0", 1, List.of("b"));
    executor.pollOnce();

    assertEquals("{\"ids\":[\"a\"]}", data(ROOT + "/Thing/1/resources"));
    assertEquals("{\"ids\":[\"b\"]}", data(ROOT + "/Thing/0/resources"));
    assertEquals(1, env.deadLetters().size());
    assertTrue(header(env.deadLetters().get(0), DeadLetterHeaders.MESSAGE).contains(Topics.ASSIGNMENT_SEQ_HEADER),
        header(env.deadLetters().get(0), DeadLetterHeaders.MESSAGE));
    assertEquals(3L, env.committed(ASSIGNMENTS));
  }

  @Test
  void recreatesQueuedDuringAnOutageReplaceThePodOnce() {
    stepped(3, Path.of("templates"));
    command("c0", Action.create, "0", "iota-dac");
    executor.pollOnce();
    String first = env.k8s.pods().inNamespace(NS).withName("iota-dac-0").get().getMetadata().getUid();

    // The executor was away for several heartbeat timeouts; each produced one recreate.
    command("r1", Action.recreate, "0", "iota-dac");
    command("r2", Action.recreate, "0", "iota-dac");
    command("r3", Action.recreate, "0", "iota-dac");
    assertEquals(Duration.ZERO, executor.pollOnce());

    var pod = env.k8s.pods().inNamespace(NS).withName("iota-dac-0").get();
    assertTrue(!first.equals(pod.getMetadata().getUid()), "the dead pod was replaced");
    assertEquals("r1", pod.getMetadata().getAnnotations().get("iota.orchestrator/command-id"),
        "the recreates decided before that pod existed leave it alone");
    assertEquals(4L, env.committed(POD_COMMANDS));
  }

  @Test
  void unreadableRecordsGoToTheDeadLetterTopicAtOnceAndTheRestIsApplied() throws Exception {
    stepped(3, Path.of("templates"));
    byte[] garbage = "{not json".getBytes(StandardCharsets.UTF_8);
    env.consumer.append(Topics.ASSIGNMENTS.name(), 0, "Thing/0", garbage);
    assign("Thing", "1", 1, List.of("a"));
    env.consumer.append(Topics.POD_COMMANDS.name(), 0, "Thing/../etc", Json.bytes(new PodCommand("c0", Action.create, "Thing", "0", "iota-dac", "r")));
    command("c1", Action.create, "1", "iota-dac");

    assertEquals(Duration.ZERO, executor.pollOnce());

    List<ProducerRecord<byte[], byte[]>> dlq = env.deadLetters();
    assertEquals(2, dlq.size());
    ProducerRecord<byte[], byte[]> first = dlq.stream().filter(r -> header(r, DeadLetterHeaders.TOPIC).equals(Topics.ASSIGNMENTS.name())).findFirst().orElseThrow();
    assertArrayEquals(garbage, first.value());
    assertArrayEquals("Thing/0".getBytes(StandardCharsets.UTF_8), first.key());
    assertEquals("0", header(first, DeadLetterHeaders.PARTITION));
    assertEquals("0", header(first, DeadLetterHeaders.OFFSET));
    assertTrue(header(first, DeadLetterHeaders.MESSAGE).startsWith("not a assignment"), header(first, DeadLetterHeaders.MESSAGE));
    assertNotNull(env.curator.checkExists().forPath(ROOT + "/Thing/1"));
    assertNotNull(env.k8s.pods().inNamespace(NS).withName("iota-dac-1").get());
    assertEquals(2L, env.committed(ASSIGNMENTS));
    assertEquals(2L, env.committed(POD_COMMANDS));
  }

  @Test
  void aFailingCommandIsRetriedWithBackoffThenDeadLetteredAndTheNextOneWaitsForIt() {
    stepped(3, Path.of("templates"));
    command("c1", Action.create, "0", "iota-nothing-here");
    command("c2", Action.create, "1", "iota-dac");

    Duration first = executor.pollOnce();
    Duration second = executor.pollOnce();

    assertTrue(first.compareTo(Duration.ZERO) > 0);
    assertTrue(second.compareTo(first) > 0, "backoff grows: " + first + " then " + second);
    assertNull(env.committed(POD_COMMANDS));
    assertTrue(env.deadLetters().isEmpty());
    assertNull(env.k8s.pods().inNamespace(NS).withName("iota-dac-1").get(), "a later command of the partition must not overtake");

    assertEquals(Duration.ZERO, executor.pollOnce());

    assertEquals(1, env.deadLetters().size());
    ProducerRecord<byte[], byte[]> dead = env.deadLetters().get(0);
    assertEquals(CommandFailedException.class.getName(), header(dead, DeadLetterHeaders.EXCEPTION));
    assertTrue(header(dead, DeadLetterHeaders.MESSAGE).startsWith("failed 3 attempts: no pod template"), header(dead, DeadLetterHeaders.MESSAGE));
    assertEquals(Topics.POD_COMMANDS.name(), header(dead, DeadLetterHeaders.TOPIC));
    assertNotNull(env.k8s.pods().inNamespace(NS).withName("iota-dac-1").get());
    assertEquals(2L, env.committed(POD_COMMANDS));
  }

  @Test
  void aZooKeeperOutageDelaysAssignmentsWithoutCountingAttemptsOrCommitting() throws Exception {
    // One attempt allowed: any outage counted as a failed attempt would dead-letter at once.
    stepped(1, Path.of("templates"));
    env.zkServer.stop();
    await().until(() -> !env.curator.getZookeeperClient().isConnected());
    assign("Thing", "0", 1, List.of("a"));
    command("c1", Action.create, "0", "iota-dac");

    for (int round = 0; round < 3; round++) {
      assertTrue(executor.pollOnce().compareTo(Duration.ZERO) > 0);
    }
    assertTrue(env.deadLetters().isEmpty());
    assertNull(env.committed(ASSIGNMENTS));
    assertEquals(1L, env.committed(POD_COMMANDS), "pod commands do not wait for ZooKeeper");

    env.zkServer.restart();
    await().atMost(Duration.ofSeconds(30)).until(() -> executor.pollOnce().isZero() && env.committed(ASSIGNMENTS) != null);

    assertEquals("{\"ids\":[\"a\"]}", data(ROOT + "/Thing/0/resources"));
    assertEquals(1L, env.committed(ASSIGNMENTS));
    assertTrue(env.deadLetters().isEmpty());
  }

  @Test
  void theCommandIdIsInTheLogContextOfItsLines() {
    // logback-test.xml keeps our loggers at WARN; the applier reports at INFO.
    try (LogCapture log = LogCapture.of(KubernetesApplier.class.getName(), Level.INFO)) {
      stepped(3, Path.of("templates"));
      command("cmd-42", Action.create, "0", "iota-dac");
      assign("Thing", "0", 7, List.of("a"));

      executor.pollOnce();

      assertTrue(log.events().stream().anyMatch(e -> "cmd-42".equals(e.getMDCPropertyMap().get(Executor.MDC_COMMAND_ID))), log.events()::toString);
      assertNull(MDC.get(Executor.MDC_COMMAND_ID), "the id does not leak past its command");
    }
  }

  @Test
  void runsOnItsOwnThreadUntilClosedWithWakeup() throws Exception {
    executor = threaded();
    executor.start();

    assign("Rule", "4", 1, List.of("r1"));
    command("c1", Action.create, "4", "iota-dac");
    await().until(() -> Long.valueOf(1).equals(env.committed(ASSIGNMENTS)) && Long.valueOf(1).equals(env.committed(POD_COMMANDS)));
    assertEquals("{\"ids\":[\"r1\"]}", data(ROOT + "/Rule/4/resources"));

    executor.close();

    assertTrue(executor.termination().isDone());
    assertFalse(executor.termination().isCompletedExceptionally());
    assertTrue(env.consumer.closed());
    assertTrue(env.producer.closed());
  }

  @Test
  void closingStopsTheRoundAtTheNextCommandAndCommitsExactlyWhatWasApplied() throws Exception {
    executor = threaded();
    int commands = 300;
    for (int i = 0; i < commands; i++) {
      command("c" + i, Action.create, Integer.toString(i), "iota-dac");
    }
    executor.start();
    await().until(() -> !env.k8s.pods().inNamespace(NS).list().getItems().isEmpty());

    executor.close();

    int created = env.k8s.pods().inNamespace(NS).list().getItems().size();
    assertTrue(created < commands, "the round went on after close: all " + commands + " pods created");
    // In order and nothing skipped: the next start goes on from the first command not applied.
    assertEquals(Long.valueOf(created), env.consumer.lastCommitted(POD_COMMANDS));
  }

  @Test
  void theConfiguredExecutorStartsAndStopsWithRealKafkaClients() {
    OrchestratorConfig config =
        OrchestratorConfig.of(
            Map.of(
                "iota.bootstrap.servers", "127.0.0.1:1",
                "iota.zookeeper.connect", env.zkServer.getConnectString(),
                "kafka.enable.auto.commit", "true",
                "kafka.security.protocol", "PLAINTEXT"));
    Map<String, Object> props = Executor.consumerProperties(config);
    assertEquals(false, props.get("enable.auto.commit"), "an override must not turn auto-commit back on");
    assertEquals("read_committed", props.get("isolation.level"));
    assertEquals("PLAINTEXT", props.get("security.protocol"));
    assertEquals("iota-orchestrator-executor", props.get("group.id"));

    // No broker listens on port 1: the loop sits in poll() until wakeup() ends it.
    executor = env.owned(new Executor(config, env.k8s, env.curator));
    executor.start();
    executor.close();

    assertTrue(executor.termination().isDone());
    assertFalse(executor.termination().isCompletedExceptionally());
  }
}
