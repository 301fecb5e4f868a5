package iota.orchestrator.e2e;

import static iota.orchestrator.e2e.E2e.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.IntegrationTest;
import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.embedded.EmbeddedKafka;
import iota.orchestrator.embedded.EmbeddedPlatform;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.PlanSnapshot;
import iota.orchestrator.topics.Topics;
import iota.orchestrator.topology.StoreNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The recovery from a <em>hanging transaction</em> (KIP-664) that a {@code kill -9} of {@code
 * embedded} once left behind: a transaction still open on data partitions while its coordinator no
 * longer has it in progress, so nothing will ever end it. Each such partition's last stable offset
 * stays behind its end for good: the stream app's exactly-once restore of a changelog never
 * reaches the end, its read_committed consumer never reads past the open transaction's first
 * record, and a transactional offset commit left pending keeps the group's committed offsets from
 * being fetched. A start of {@code embedded} on that data directory must abort it and come up with
 * the plan it had.
 *
 * <p>The hanging transaction is made as it arises: a transactional producer writes to the input,
 * a changelog and the group's offsets, and dies with the broker before it ends its transaction;
 * then the coordinator's record of the transaction is lost (its log, {@code __transaction_state},
 * removed while the broker is down), so the coordinator can neither complete nor time it out.
 */
@IntegrationTest
class HangingTransactionRecoveryTest {
  /** A start is every server of the platform: generous for the shared two cores. */
  private static final Duration START_PATIENCE = Duration.ofSeconds(120);
  private static final String IN_DOUBT = "in-doubt";

  @Test
  void aStartAbortsATransactionItsCoordinatorForgotAndRestoresThePlan() throws Exception {
    Path dataDir = E2e.dataDir("hanging-transaction");
    EmbeddedPlatform.Options options = EmbeddedPlatform.Options.defaults(dataDir).withHeartbeatTimeout(Duration.ofSeconds(3));
    List<String> ids = E2e.ids("before", 40);
    PlanSnapshot restBefore;
    Map<String, String> placementsBefore;
    String applicationId;
    try (E2ePlatform platform = E2ePlatform.start(options, Map.of())) {
      ids.forEach(id -> platform.feed.create("Thing", id));
      await().ignoreExceptions().until(() -> platform.zookeeper.placements("Thing").keySet().containsAll(ids));
      await().ignoreExceptions().untilAsserted(() ->
          assertEquals(List.of(), platform.rest.plan("Thing").differences(platform.zookeeper.snapshot(), "REST", "ZooKeeper")));
      restBefore = platform.rest.plan("Thing");
      placementsBefore = platform.zookeeper.placements("Thing");
      applicationId = platform.embedded.config().get(ConfigKeys.APPLICATION_ID);
    }

    Set<TopicPartition> hung = leaveHangingTransaction(dataDir.resolve("kafka"), applicationId);

    E2ePlatform restarted = assertTimeoutPreemptively(START_PATIENCE, () -> E2ePlatform.start(options, Map.of()),
        "embedded did not come up on a data directory with a hanging transaction (a restore or a read_committed fetch stops at it)");
    try (restarted) {
      assertEquals(Map.of(), unstable(restarted.embedded.ready().kafka(), hung), "partitions whose last stable offset is behind their end");
      assertEquals(List.of(), restarted.rest.plan("Thing").differences(restBefore, "restored", "before"));
      assertEquals(placementsBefore, restarted.zookeeper.placements("Thing"));
      // The input is readable past the aborted records again, and they stay aborted.
      restarted.feed.create("Thing", "after-restart");
      await().ignoreExceptions().until(() -> restarted.zookeeper.placements("Thing").containsKey("after-restart"));
      assertFalse(restarted.rest.runIn("Thing", IN_DOUBT).isPresent(), "a create of the aborted transaction was applied");
      assertEquals(placementsBefore.size() + 1, restarted.zookeeper.placements("Thing").size());
    }
  }

  /**
   * On the stopped platform's Kafka: a transaction open on the input, the placements changelog and
   * the stream app's offsets, the broker stopped under it and the coordinator's log removed. Returns
   * the data partitions it holds open.
   */
  private static Set<TopicPartition> leaveHangingTransaction(Path kafkaDir, String applicationId) throws Exception {
    TopicPartition input = new TopicPartition(Topics.CM_NOTIFY.name(), 0);
    TopicPartition changelog = new TopicPartition(applicationId + "-" + StoreNames.PLACEMENTS + "-changelog", 0);
    byte[] create = Json.bytes(Map.of("o", "c", "t", "Thing", "k", Map.of("id", IN_DOUBT)));
    KafkaProducer<byte[], byte[]> producer;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir, 0)) {
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "killed-with-the-broker");
      p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
      p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
      producer = new KafkaProducer<>(p);
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(input.topic(), input.partition(), null, create));
      producer.send(new ProducerRecord<>(changelog.topic(), changelog.partition(), IN_DOUBT.getBytes(), create));
      long end = endOffsets(kafka.bootstrapServers(), Set.of(input), IsolationLevel.READ_UNCOMMITTED).get(input);
      producer.sendOffsetsToTransaction(Map.of(input, new OffsetAndMetadata(end)), new ConsumerGroupMetadata(applicationId));
      producer.flush();
      assertEquals(Set.of(input, changelog), unstable(kafka.bootstrapServers(), Set.of(input, changelog)).keySet(),
          "the transaction is open on both partitions");
    }
    // The broker is gone: a forced close sends nothing, as a killed process does.
    producer.close(Duration.ZERO);
    try (Stream<Path> dirs = Files.list(kafkaDir)) {
      List<Path> coordinatorLog = dirs.filter(d -> d.getFileName().toString().startsWith("__transaction_state-")).toList();
      assertFalse(coordinatorLog.isEmpty(), "no __transaction_state partition in " + kafkaDir);
      for (Path d : coordinatorLog) {
        deleteTree(d);
      }
    }
    return Set.of(input, changelog);
  }

  /** The partitions whose last stable offset is behind their end, with both offsets. */
  private static Map<TopicPartition, String> unstable(String bootstrap, Set<TopicPartition> partitions) throws Exception {
    Map<TopicPartition, Long> end = endOffsets(bootstrap, partitions, IsolationLevel.READ_UNCOMMITTED);
    Map<TopicPartition, Long> stable = endOffsets(bootstrap, partitions, IsolationLevel.READ_COMMITTED);
    Map<TopicPartition, String> out = new HashMap<>();
    end.forEach((tp, e) -> {
      if (stable.get(tp) < e) {
        out.put(tp, "stable " + stable.get(tp) + ", end " + e);
      }
    });
    return out;
  }

  private static Map<TopicPartition, Long> endOffsets(String bootstrap, Set<TopicPartition> partitions, IsolationLevel isolation) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      return admin.listOffsets(partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())), new ListOffsetsOptions(isolation))
          .all().get().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
