package iota.orchestrator.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import iota.orchestrator.IntegrationTest;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.embedded.EmbeddedKafka;
import iota.orchestrator.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plan as the orphan sweep reads it from a real assignments topic. */
@IntegrationTest
class AssignmentsPlanViewTest {
  @TempDir static Path dir;
  private static EmbeddedKafka kafka;
  private static KafkaProducer<byte[], byte[]> producer;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(Topics.ASSIGNMENTS.name(), 3, (short) 1).configs(Map.of("cleanup.policy", "compact")))).all().get();
    }
    producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer());
  }

  @AfterAll
  static void stop() {
    producer.close();
    kafka.close();
  }

  private static void send(String key, String value) throws Exception {
    producer.send(new ProducerRecord<>(Topics.ASSIGNMENTS.name(), key.getBytes(StandardCharsets.UTF_8),
        value == null ? null : value.getBytes(StandardCharsets.UTF_8))).get();
  }

  @Test
  void everyLiveKeyUpToTheEndIsPlannedAndTombstonesRemoveThem() throws Exception {
    send("Thing/0", "{}");
    send("Thing/1", "{}");
    send("Rule/0", "{}");
    send("Thing/1", null);
    OrchestratorConfig config = OrchestratorConfig.of(Map.of("iota.bootstrap.servers", kafka.bootstrapServers()));
    try (AssignmentsPlanView view = AssignmentsPlanView.create(config)) {
      assertEquals(Set.of("Thing/0", "Rule/0"), view.planned(Duration.ofSeconds(30)));
      send("Thing/7", "{}");
      send("Rule/0", null);
      assertEquals(Set.of("Thing/0", "Thing/7"), view.planned(Duration.ofSeconds(30)), "each call reads on to the end as of the call");
    }
  }
}
