package iota.orchestrator.embedded;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.IntegrationTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

@IntegrationTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedKafkaTest {
  @TempDir static Path dir;
  static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start(dir, 0);
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @Test
  @Order(1)
  void committedTransactionIsVisibleToReadCommittedConsumerAndAbortedOneIsNot() throws Exception {
    createTopic("tx");
    try (KafkaProducer<String, String> producer = transactionalProducer()) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("tx", "k", "aborted"));
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("tx", "k", "committed"));
      producer.commitTransaction();
    }
    assertEquals(List.of("committed"), readAll("tx", 1));
  }

  @Test
  @Order(2)
  void restartOnSameDirectoryAndPortKeepsTopicsAndRecords() throws Exception {
    createTopic("durable");
    try (KafkaProducer<String, String> producer = transactionalProducer()) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("durable", "k", "before-restart"));
      producer.commitTransaction();
    }
    int port = kafka.port();
    kafka.close();

    long began = System.nanoTime();
    kafka = EmbeddedKafka.start(dir, port);
    System.out.printf("EmbeddedKafka restart took %d ms%n", (System.nanoTime() - began) / 1_000_000);

    assertEquals(port, kafka.port());
    try (Admin admin = admin()) {
      assertTrue(admin.listTopics().names().get().containsAll(Set.of("tx", "durable")));
    }
    try (KafkaProducer<String, String> producer = transactionalProducer()) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("durable", "k", "after-restart"));
      producer.commitTransaction();
    }
    assertEquals(List.of("before-restart", "after-restart"), readAll("durable", 2));
  }

  private static void createTopic(String name) throws Exception {
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get();
    }
  }

  private static Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
  }

  private static KafkaProducer<String, String> transactionalProducer() {
    return new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-" + UUID.randomUUID()),
        new StringSerializer(), new StringSerializer());
  }

  private static List<String> readAll(String topic, int expected) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(r.value());
        }
        return values.size() >= expected;
      });
    }
    return values;
  }
}
