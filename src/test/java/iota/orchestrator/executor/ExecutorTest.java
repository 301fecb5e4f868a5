package iota.orchestrator.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fabric8.kubernetes.client.KubernetesClient;
import iota.orchestrator.IntegrationTest;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.deadletter.DeadLetterHeaders;
import iota.orchestrator.embedded.SimulatedKubernetes;
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
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

@IntegrationTest
class ExecutorTest {
  private static final String ROOT = "/iota/orchestration";
  private static final String NS = "iota";
  private static final TopicPartition ASSIGNMENTS = new TopicPartition(Topics.ASSIGNMENTS.name(), 0);
  private static final TopicPartition POD_COMMANDS = new TopicPartition(Topics.POD_COMMANDS.name(), 0);

  private TestingServer zkServer;
  private CuratorFramework curator;
  private SimulatedKubernetes k8sServer;
  private KubernetesClient k8s;
  private ReplayingConsumer consumer;
  private MockProducer<byte[], byte[]> producer;
  private Executor executor;

  @BeforeEach
  void start() throws Exception {
    zkServer = new TestingServer(true);
    curator = ZooKeeperClients.create(OrchestratorConfig.of(Map.of("iota.zookeeper.connect", zkServer.getConnectString())));
    k8sServer = SimulatedKubernetes.start(0);
    k8s = k8sServer.newClient(SimulatedKubernetes.DEFAULT_NAMESPACE);
    consumer = new ReplayingConsumer();
    producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (executor != null) {
        executor.close();
      }
      k8s.close();
      k8sServer.close();
      curator.close();
    } finally {
      zkServer.close();
    }
  }

  private Executor executor(int maxAttempts, Path templates) {
    return new Executor(
        consumer,
        producer,
        new ZooKeeperApplier(curator, ROOT, Duration.ofMillis(300)),
        new KubernetesApplier(k8s, NS, new PodTemplates(templates), Duration.ofSeconds(10)),
        null,
        new Executor.Settings(maxAttempts, Duration.ofMillis(50), Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofMinutes(1), Duration.ofSeconds(5), 4));
  }

  /** An executor driven round by round from the test thread. */
  private Executor stepped(int maxAttempts, Path templates) {
    executor = executor(maxAttempts, templates);
    executor.subscribe();
    consumer.rebalance(List.of(ASSIGNMENTS, POD_COMMANDS));
    consumer.updateBeginningOffsets(Map.of(ASSIGNMENTS, 0L, POD_COMMANDS, 0L));
    return executor;
  }

  /** An executor for its own thread (not started yet), given both partitions at its first poll. */
  private Executor threaded() {
    Executor threaded = executor(3, Path.of("templates"));
    consumer.schedulePollTask(() -> {
      consumer.rebalance(List.of(ASSIGNMENTS, POD_COMMANDS));
      consumer.updateBeginningOffsets(Map.of(ASSIGNMENTS, 0L, POD_COMMANDS, 0L));
    });
    return threaded;
  }

  private long assign(String resource, String id, long seq, List<String> ids) {
    return consumer.append(Topics.ASSIGNMENTS.name(), 0, resource + "/" + id, Json.bytes(Assignment.of(resource, id, seq, 10, ids, seq)));
  }

  private long tombstone(String resource, String id, long seq) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(Topics.ASSIGNMENT_SEQ_HEADER, Long.toString(seq).getBytes(StandardCharsets.UTF_8));
    return consumer.append(Topics.ASSIGNMENTS.name(), 0, resource + "/" + id, null, headers);
  }

  private long command(String commandId, Action action, String id, String instanceName) {
    return consumer.append(
        Topics.POD_COMMANDS.name(), 0, "Thing/" + id, Json.bytes(new PodCommand(commandId, action, "Thing", id, instanceName, "test")));
  }

  private Long committed(TopicPartition tp) {
    OffsetAndMetadata o = consumer.committed(Set.of(tp)).get(tp);
    return o == null ? null : o.offset();
  }

  private String data(String path) throws Exception {
    return new String(curator.getData().forPath(path), StandardCharsets.UTF_8);
  }

  private List<ProducerRecord<byte[], byte[]>> deadLetters() {
    return producer.history().stream().filter(r -> r.topic().equals(Topics.DLQ.name())).toList();
  }

  private static String header(ProducerRecord<byte[], byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  @Test
  void appliesBothTopicsAndCommitsOnlyAfterwards() throws Exception {
    stepped(3, Path.of("templates"));
    assign("Thing", "0", 1, List.of("a", "b"));
    command("c1", Action.create, "0", "iota-dac");

    assertEquals(Duration.ZERO, executor.pollOnce());

    assertEquals("{\"ids\":[\"a\",\"b\"]}", data(ROOT + "/Thing/0/resources"));
    assertNotNull(k8s.pods().inNamespace(NS).withName("iota-dac-0").get());
    assertEquals(1L, committed(ASSIGNMENTS));
    assertEquals(1L, committed(POD_COMMANDS));
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
    assertEquals(0, curator.checkExists().forPath(ROOT + "/Thing/1/resources").getVersion());
    assertEquals(0, curator.checkExists().forPath(ROOT + "/.seq/Thing/1").getVersion());
    assertEquals(3L, committed(ASSIGNMENTS));
  }

  @Test
  void tombstoneRemovesTheInstanceAndAReuseInTheSameBatchStartsAfresh() throws Exception {
    stepped(3, Path.of("templates"));
    assign("Thing", "2", 5, List.of("old"));
    assign("Thing", "3", 1, List.of("x"));
    executor.pollOnce();
    curator.create().forPath(ROOT + "/Thing/2/tmp/worker-flag");

    tombstone("Thing", "3", 2);
    tombstone("Thing", "2", 6);
    assign("Thing", "2", 7, List.of("new"));
    executor.pollOnce();

    assertNull(curator.checkExists().forPath(ROOT + "/Thing/3"));
    assertEquals("{\"ids\":[\"new\"]}", data(ROOT + "/Thing/2/resources"));
    assertEquals(List.of(), curator.getChildren().forPath(ROOT + "/Thing/2/tmp"), "written afresh, not over the old life");
    assertEquals("{\"seq\":7}", data(ROOT + "/.seq/Thing/2"));
    assertEquals(5L, committed(ASSIGNMENTS));
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
    assertTrue(deadLetters().isEmpty(), "stale records are done with, not failures");
    assertEquals(5L, committed(ASSIGNMENTS));
  }

  @Test
  void aTombstoneWithoutASequenceIsDeadLetteredAndRemovesNothing() throws Exception {
    stepped(3, Path.of("templates"));
    assign("Thing", "1", 3, List.of("a"));
    executor.pollOnce();

    consumer.append(Topics.ASSIGNMENTS.name(), 0, "Thing/1", null);
    assign("Thing", "0", 1, List.of("b"));
    executor.pollOnce();

    assertEquals("{\"ids\":[\"a\"]}", data(ROOT + "/Thing/1/resources"));
    assertEquals("{\"ids\":[\"b\"]}", data(ROOT + "/Thing/0/resources"));
    assertEquals(1, deadLetters().size());
    assertTrue(header(deadLetters().get(0), DeadLetterHeaders.MESSAGE).contains(Topics.ASSIGNMENT_SEQ_HEADER),
        header(deadLetters().get(0), DeadLetterHeaders.MESSAGE));
    assertEquals(3L, committed(ASSIGNMENTS));
  }

  @Test
  void recreatesQueuedDuringAnOutageReplaceThePodOnce() {
    stepped(3, Path.of("templates"));
    command("c0", Action.create, "0", "iota-dac");
    executor.pollOnce();
    String first = k8s.pods().inNamespace(NS).withName("iota-dac-0").get().getMetadata().getUid();

    // The executor was away for several heartbeat timeouts; each produced one recreate.
    command("r1", Action.recreate, "0", "iota-dac");
    command("r2", Action.recreate, "0", "iota-dac");
    command("r3", Action.recreate, "0", "iota-dac");
    assertEquals(Duration.ZERO, executor.pollOnce());

    var pod = k8s.pods().inNamespace(NS).withName("iota-dac-0").get();
    assertTrue(!first.equals(pod.getMetadata().getUid()), "the dead pod was replaced");
    assertEquals("r1", pod.getMetadata().getAnnotations().get("iota.orchestrator/command-id"),
        "the recreates decided before that pod existed leave it alone");
    assertEquals(4L, committed(POD_COMMANDS));
  }

  @Test
  void unreadableRecordsGoToTheDeadLetterTopicAtOnceAndTheRestIsApplied() throws Exception {
    stepped(3, Path.of("templates"));
    byte[] garbage = "{not json".getBytes(StandardCharsets.UTF_8);
    consumer.append(Topics.ASSIGNMENTS.name(), 0, "Thing/0", garbage);
    assign("Thing", "1", 1, List.of("a"));
    consumer.append(Topics.POD_COMMANDS.name(), 0, "Thing/../etc", Json.bytes(new PodCommand("c0", Action.create, "Thing", "0", "iota-dac", "r")));
    command("c1", Action.create, "1", "iota-dac");

    assertEquals(Duration.ZERO, executor.pollOnce());

    List<ProducerRecord<byte[], byte[]>> dlq = deadLetters();
    assertEquals(2, dlq.size());
    ProducerRecord<byte[], byte[]> first = dlq.stream().filter(r -> header(r, DeadLetterHeaders.TOPIC).equals(Topics.ASSIGNMENTS.name())).findFirst().orElseThrow();
    assertArrayEquals(garbage, first.value());
    assertArrayEquals("Thing/0".getBytes(StandardCharsets.UTF_8), first.key());
    assertEquals("0", header(first, DeadLetterHeaders.PARTITION));
    assertEquals("0", header(first, DeadLetterHeaders.OFFSET));
    assertTrue(header(first, DeadLetterHeaders.MESSAGE).startsWith("not a assignment"), header(first, DeadLetterHeaders.MESSAGE));
    assertNotNull(curator.checkExists().forPath(ROOT + "/Thing/1"));
    assertNotNull(k8s.pods().inNamespace(NS).withName("iota-dac-1").get());
    assertEquals(2L, committed(ASSIGNMENTS));
    assertEquals(2L, committed(POD_COMMANDS));
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
    assertNull(committed(POD_COMMANDS));
    assertTrue(deadLetters().isEmpty());
    assertNull(k8s.pods().inNamespace(NS).withName("iota-dac-1").get(), "a later command of the partition must not overtake");

    assertEquals(Duration.ZERO, executor.pollOnce());

    assertEquals(1, deadLetters().size());
    ProducerRecord<byte[], byte[]> dead = deadLetters().get(0);
    assertEquals(CommandFailedException.class.getName(), header(dead, DeadLetterHeaders.EXCEPTION));
    assertTrue(header(dead, DeadLetterHeaders.MESSAGE).startsWith("failed 3 attempts: no pod template"), header(dead, DeadLetterHeaders.MESSAGE));
    assertEquals(Topics.POD_COMMANDS.name(), header(dead, DeadLetterHeaders.TOPIC));
    assertNotNull(k8s.pods().inNamespace(NS).withName("iota-dac-1").get());
    assertEquals(2L, committed(POD_COMMANDS));
  }

  @Test
  void aZooKeeperOutageDelaysAssignmentsWithoutCountingAttemptsOrCommitting() throws Exception {
    // One attempt allowed: any outage counted as a failed attempt would dead-letter at once.
    stepped(1, Path.of("templates"));
    zkServer.stop();
    await().until(() -> !curator.getZookeeperClient().isConnected());
    assign("Thing", "0", 1, List.of("a"));
    command("c1", Action.create, "0", "iota-dac");

    for (int round = 0; round < 3; round++) {
      assertTrue(executor.pollOnce().compareTo(Duration.ZERO) > 0);
    }
    assertTrue(deadLetters().isEmpty());
    assertNull(committed(ASSIGNMENTS));
    assertEquals(1L, committed(POD_COMMANDS), "pod commands do not wait for ZooKeeper");

    zkServer.restart();
    await().atMost(Duration.ofSeconds(30)).until(() -> executor.pollOnce().isZero() && committed(ASSIGNMENTS) != null);

    assertEquals("{\"ids\":[\"a\"]}", data(ROOT + "/Thing/0/resources"));
    assertEquals(1L, committed(ASSIGNMENTS));
    assertTrue(deadLetters().isEmpty());
  }

  @Test
  void theCommandIdIsInTheLogContextOfItsLines() {
    ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(KubernetesApplier.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    // logback-test.xml keeps our loggers at WARN; the applier reports at INFO.
    ch.qos.logback.classic.Level level = logger.getLevel();
    logger.setLevel(ch.qos.logback.classic.Level.INFO);
    try {
      stepped(3, Path.of("templates"));
      command("cmd-42", Action.create, "0", "iota-dac");
      assign("Thing", "0", 7, List.of("a"));

      executor.pollOnce();

      assertTrue(appender.list.stream().anyMatch(e -> "cmd-42".equals(e.getMDCPropertyMap().get(Executor.MDC_COMMAND_ID))), appender.list::toString);
      assertNull(MDC.get(Executor.MDC_COMMAND_ID), "the id does not leak past its command");
    } finally {
      logger.setLevel(level);
      logger.detachAppender(appender);
    }
  }

  @Test
  void runsOnItsOwnThreadUntilClosedWithWakeup() throws Exception {
    executor = threaded();
    executor.start();

    assign("Rule", "4", 1, List.of("r1"));
    command("c1", Action.create, "4", "iota-dac");
    await().until(() -> Long.valueOf(1).equals(committed(ASSIGNMENTS)) && Long.valueOf(1).equals(committed(POD_COMMANDS)));
    assertEquals("{\"ids\":[\"r1\"]}", data(ROOT + "/Rule/4/resources"));

    executor.close();

    assertTrue(executor.termination().isDone());
    assertFalse(executor.termination().isCompletedExceptionally());
    assertTrue(consumer.closed());
    assertTrue(producer.closed());
  }

  @Test
  void closingStopsTheRoundAtTheNextCommandAndCommitsExactlyWhatWasApplied() throws Exception {
    executor = threaded();
    int commands = 300;
    for (int i = 0; i < commands; i++) {
      command("c" + i, Action.create, Integer.toString(i), "iota-dac");
    }
    executor.start();
    await().until(() -> !k8s.pods().inNamespace(NS).list().getItems().isEmpty());

    executor.close();

    int created = k8s.pods().inNamespace(NS).list().getItems().size();
    assertTrue(created < commands, "the round went on after close: all " + commands + " pods created");
    // In order and nothing skipped: the next start goes on from the first command not applied.
    assertEquals(Long.valueOf(created), consumer.lastCommitted(POD_COMMANDS));
  }

  @Test
  void theConfiguredExecutorStartsAndStopsWithRealKafkaClients() {
    OrchestratorConfig config =
        OrchestratorConfig.of(
            Map.of(
                "iota.bootstrap.servers", "127.0.0.1:1",
                "iota.zookeeper.connect", zkServer.getConnectString(),
                "kafka.enable.auto.commit", "true",
                "kafka.security.protocol", "PLAINTEXT"));
    Map<String, Object> props = Executor.consumerProperties(config);
    assertEquals(false, props.get("enable.auto.commit"), "an override must not turn auto-commit back on");
    assertEquals("read_committed", props.get("isolation.level"));
    assertEquals("PLAINTEXT", props.get("security.protocol"));
    assertEquals("iota-orchestrator-executor", props.get("group.id"));

    // No broker listens on port 1: the loop sits in poll() until wakeup() ends it.
    executor = new Executor(config, k8s, curator);
    executor.start();
    executor.close();

    assertTrue(executor.termination().isDone());
    assertFalse(executor.termination().isCompletedExceptionally());
  }
}
