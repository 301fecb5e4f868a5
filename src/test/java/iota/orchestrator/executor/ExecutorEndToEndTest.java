package iota.orchestrator.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fabric8.kubernetes.client.KubernetesClient;
import iota.orchestrator.IntegrationTest;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.deadletter.DeadLetterHeaders;
import iota.orchestrator.embedded.EmbeddedKafka;
import iota.orchestrator.embedded.SimulatedKubernetes;
import iota.orchestrator.model.Assignment;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.PodCommand;
import iota.orchestrator.model.PodCommand.Action;
import iota.orchestrator.model.PodStatus;
import iota.orchestrator.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executor against a real in-JVM Kafka broker, ZooKeeper server and Kubernetes mock. */
@IntegrationTest
class ExecutorEndToEndTest {
  private static final String ROOT = "/iota/orchestration";
  private static final String GROUP = "executor-e2e";

  @TempDir Path dir;
  private EmbeddedKafka kafka;
  private TestingServer zkServer;
  private CuratorFramework curator;
  private SimulatedKubernetes k8sServer;
  private KubernetesClient k8s;
  private Executor executor;

  @BeforeEach
  void start() throws Exception {
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createTopics(List.of(
          new NewTopic(Topics.ASSIGNMENTS.name(), 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
          new NewTopic(Topics.POD_COMMANDS.name(), 1, (short) 1),
          new NewTopic(Topics.POD_STATUS.name(), 1, (short) 1),
          new NewTopic(Topics.DLQ.name(), 1, (short) 1))).all().get();
    }
    zkServer = new TestingServer(true);
    OrchestratorConfig config = OrchestratorConfig.of(Map.of(
        "iota.bootstrap.servers", kafka.bootstrapServers(),
        "iota.zookeeper.connect", zkServer.getConnectString(),
        "iota.executor.group.id", GROUP));
    curator = ZooKeeperClients.create(config);
    k8sServer = SimulatedKubernetes.start(0);
    k8s = k8sServer.newClient(SimulatedKubernetes.DEFAULT_NAMESPACE);
    executor = new Executor(config, k8s, curator);
    executor.start();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      executor.close();
      k8s.close();
      k8sServer.close();
      curator.close();
      zkServer.close();
    } finally {
      kafka.close();
    }
  }

  private KafkaProducer<String, byte[]> producer(String transactionalId) {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", ByteArraySerializer.class.getName());
    if (transactionalId != null) {
      p.put("transactional.id", transactionalId);
    }
    return new KafkaProducer<>(p);
  }

  private static ProducerRecord<String, byte[]> assignment(String id, long seq, List<String> ids) {
    return new ProducerRecord<>(Topics.ASSIGNMENTS.name(), "Thing/" + id, Json.bytes(Assignment.of("Thing", id, seq, 10, ids, 0)));
  }

  private List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int atLeast) {
    Map<String, Object> p = Map.of(
        "bootstrap.servers", kafka.bootstrapServers(),
        "key.deserializer", ByteArrayDeserializer.class.getName(),
        "value.deserializer", ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      c.assign(List.of(new TopicPartition(topic, 0)));
      c.seekToBeginning(List.of(new TopicPartition(topic, 0)));
      List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
        return out.size() >= atLeast;
      });
      return out;
    }
  }

  @Test
  void appliesCommittedCommandsSkipsAbortedOnesAndDeadLettersGarbage() throws Exception {
    try (KafkaProducer<String, byte[]> tx = producer("e2e-tx"); KafkaProducer<String, byte[]> plain = producer(null)) {
      tx.initTransactions();
      tx.beginTransaction();
      tx.send(assignment("0", 1, List.of("a", "b")));
      tx.send(new ProducerRecord<>(Topics.POD_COMMANDS.name(), "Thing/0", Json.bytes(new PodCommand("c1", Action.create, "Thing", "0", "iota-dac", "e2e"))));
      tx.commitTransaction();

      tx.beginTransaction();
      tx.send(assignment("9", 1, List.of("aborted")));
      tx.flush();
      tx.abortTransaction();

      plain.send(new ProducerRecord<>(Topics.POD_COMMANDS.name(), "Thing/1", "garbage".getBytes(StandardCharsets.UTF_8))).get();
      plain.send(assignment("1", 1, List.of("c"))).get();
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> curator.checkExists().forPath(ROOT + "/Thing/1") != null);
    assertEquals("{\"ids\":[\"a\",\"b\"]}", new String(curator.getData().forPath(ROOT + "/Thing/0/resources"), StandardCharsets.UTF_8));
    // Thing/1 was written after the aborted Thing/9 in the same partition: had it been read, it would be there.
    assertNull(curator.checkExists().forPath(ROOT + "/Thing/9"));

    await().atMost(Duration.ofSeconds(30)).until(() -> k8s.pods().inNamespace("iota").withName("iota-dac-0").get() != null);

    ConsumerRecord<byte[], byte[]> dead = readAll(Topics.DLQ.name(), 1).get(0);
    assertArrayEquals("garbage".getBytes(StandardCharsets.UTF_8), dead.value());
    assertEquals(Topics.POD_COMMANDS.name(), new String(dead.headers().lastHeader(DeadLetterHeaders.TOPIC).value(), StandardCharsets.UTF_8));

    // The pod watcher also publishes an inventory per type as soon as it has synced; it may come first.
    PodStatus status = await().atMost(Duration.ofSeconds(30)).until(
        () -> readAll(Topics.POD_STATUS.name(), 1).stream()
            .filter(r -> !new String(r.key(), StandardCharsets.UTF_8).endsWith("/inventory"))
            .findFirst().map(r -> PodStatus.parse(r.value())).orElse(null),
        Objects::nonNull);
    assertEquals("0", status.instanceId());
    assertEquals("iota-dac-0", status.podName());

    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
        OffsetAndMetadata a = offsets.get(new TopicPartition(Topics.ASSIGNMENTS.name(), 0));
        OffsetAndMetadata p = offsets.get(new TopicPartition(Topics.POD_COMMANDS.name(), 0));
        // Offsets include the transaction markers, so "past the last record" is all we can say.
        return a != null && a.offset() >= 5 && p != null && p.offset() >= 3;
      });
    }
  }
}
