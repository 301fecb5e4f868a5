package iota.orchestrator.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.IntegrationTest;
import iota.orchestrator.admin.TopicSpec;
import iota.orchestrator.deadletter.DeadLetterHeaders;
import iota.orchestrator.embedded.EmbeddedKafka;
import iota.orchestrator.model.Json;
import iota.orchestrator.topics.Topics;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outputs the broker refuses, on a real broker under exactly_once_v2 (the default), with the
 * stream app and its REST server wired as production wires them: what is dead-lettered, whether
 * the stream goes on, and what the health endpoints say meanwhile.
 */
@IntegrationTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EdgeFailuresIntegrationTest {
  private static final String API = ApiServer.API;
  /** The assignments topic takes records up to this size; the app reads it at start. */
  private static final int TOPIC_MAX = 20_000;

  @TempDir static Path dir;
  static EmbeddedKafka kafka;
  static Admin admin;
  static RunningApp app;
  static KafkaProducer<String, byte[]> producer;
  static final Map<String, String> assignments = new ConcurrentHashMap<>();
  static final List<ConsumerRecord<String, byte[]>> dead = new CopyOnWriteArrayList<>();
  static Thread reader;
  static volatile boolean reading = true;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
    TopicSpec.createForTests(kafka.bootstrapServers(), 1);
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    setTopicMax(TOPIC_MAX);
    app = RunningApp.start(kafka.bootstrapServers(), "edge-failures", dir.resolve("state"), false, Map.of(
        "iota.resource.thing.init.instances", "1",
        "iota.resource.thing.resource.per.instance", "4999",
        "iota.resource.rule.init.instances", "1",
        "iota.resource.rule.resource.per.instance", "4999",
        "iota.health.failure.window", "8s"));
    producer = RunningApp.producer(kafka.bootstrapServers());
    reader = new Thread(EdgeFailuresIntegrationTest::read, "test-reader");
    reader.start();
    await().atMost(Duration.ofSeconds(60)).until(app::running);
  }

  /** Reads assignments and dead letters as the executor does: committed transactions only. */
  private static void read() {
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "edge-reader",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.ASSIGNMENTS.name(), Topics.DLQ.name()));
      while (reading) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          if (r.topic().equals(Topics.ASSIGNMENTS.name())) {
            assignments.put(r.key(), r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8));
          } else {
            dead.add(r);
          }
        }
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    reading = false;
    if (reader != null) reader.join(10_000);
    if (producer != null) producer.close();
    if (app != null) app.close();
    if (admin != null) admin.close();
    if (kafka != null) kafka.close();
  }

  private static void setTopicMax(int bytes) throws Exception {
    ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, Topics.ASSIGNMENTS.name());
    admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(
        new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(bytes)), AlterConfigOp.OpType.SET)))).all().get();
  }

  private static List<String> ids(String prefix, int n, int length) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = prefix + i + "-";
      ids.add(id + "x".repeat(length - id.length()));
    }
    return ids;
  }

  private static double dropped() {
    for (String line : app.http.get("/metrics").body().split("\n")) {
      if (line.startsWith("iota_orchestrator_dlq_dropped_outputs_total ")) {
        return Double.parseDouble(line.substring(line.indexOf(' ') + 1));
      }
    }
    return 0;
  }

  private static JsonNode json(HttpResponse<String> r) {
    return Json.tree(r.body().getBytes(StandardCharsets.UTF_8));
  }

  private static String header(ConsumerRecord<String, byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Test
  @Order(1)
  void anAssignmentTheTopicWouldRefuseIsDeadLetteredSmallAndTheStreamGoesOn() {
    // 200 ids of 120 bytes on one instance: an assignment of about 25 KB, over the topic's 20,000.
    RunningApp.bulkCreate(producer, "Thing", ids("t", 200, 120));
    await().atMost(Duration.ofSeconds(30)).until(() -> dead.stream().anyMatch(r -> Topics.ASSIGNMENTS.name().equals(header(r, DeadLetterHeaders.OUTPUT_TOPIC))));
    ConsumerRecord<String, byte[]> letter = dead.stream().filter(r -> Topics.ASSIGNMENTS.name().equals(header(r, DeadLetterHeaders.OUTPUT_TOPIC))).findFirst().orElseThrow();
    assertEquals("Thing/0", letter.key());
    assertTrue(letter.value().length <= 1024, "a prefix, not the payload");
    assertTrue(Integer.parseInt(header(letter, DeadLetterHeaders.ORIGINAL_BYTES)) > 24_000);
    assertTrue(header(letter, DeadLetterHeaders.MESSAGE).contains("over the limit of " + (TOPIC_MAX - 4096)), header(letter, DeadLetterHeaders.MESSAGE));

    // The transaction was not broken: the next change is written, and no thread ever failed.
    RunningApp.bulkCreate(producer, "Rule", List.of("r1"));
    await().atMost(Duration.ofSeconds(30)).until(() -> assignments.getOrDefault("Rule/0", "").contains("r1"));
    assertEquals(200, app.http.get(API + "/Thing/t0-" + "x".repeat(117) + "/instances").statusCode(), "placed all the same");
    HttpResponse<String> ready = app.http.get("/readyz");
    assertEquals(200, ready.statusCode(), ready.body());
    assertEquals(0, json(app.http.get("/healthz")).get("threadFailures").asInt());
    // The stall check reads these two thread metrics: they must exist under these names.
    String metrics = app.http.get("/metrics").body();
    assertTrue(metrics.contains("kafka_stream_thread_commit_total") && metrics.contains("kafka_stream_thread_process_total"), "thread metrics");
    assertTrue(metrics.contains("iota_orchestrator_dlq_dropped_outputs_total 1.0"), "one output dropped");
  }

  @Test
  @Order(2)
  void aRefusalOnlyTheBrokerNoticesFailsTheThreadAndReadinessSaysWhyUntilItIsFixed() throws Exception {
    // The app still believes 20,000: a 12 KB assignment passes its check, the broker refuses it.
    // Under exactly-once that aborts the transaction: Streams replaces the thread, which retries.
    setTopicMax(10_000);
    RunningApp.bulkCreate(producer, "Rule", ids("r", 100, 120));
    await().atMost(Duration.ofSeconds(60)).until(() -> app.http.get("/readyz").statusCode() == 503);
    HttpResponse<String> ready = app.http.get("/readyz");
    JsonNode body = json(ready);
    assertEquals("NOT_READY", body.get("status").asText());
    assertEquals("RUNNING", body.get("streams").asText(), "Streams' own state hides it");
    String reasons = body.get("problems").toString();
    assertTrue(reasons.contains("RecordTooLargeException"), reasons);
    HttpResponse<String> live = app.http.get("/healthz");
    assertTrue(json(live).get("threadFailures").asInt() >= 1, live.body());
    assertTrue(json(live).get("lastThreadFailure").asText().contains("RecordTooLargeException"), live.body());
    String metrics = app.http.get("/metrics").body();
    assertTrue(metrics.contains("iota_orchestrator_ready 0.0"), "metrics agree");
    assertTrue(metrics.contains("iota_orchestrator_health_problem{condition=\"thread_failed\"} 1.0")
        || metrics.contains("iota_orchestrator_health_problem{condition=\"thread_replacement_loop\"} 1.0"));

    // Fix the topic: the replaced thread's retry goes through, and readiness comes back.
    setTopicMax(1_000_000);
    await().atMost(Duration.ofSeconds(60)).until(() -> assignments.getOrDefault("Rule/0", "").contains("r99-"));
    await().atMost(Duration.ofSeconds(60)).until(() -> app.http.get("/readyz").statusCode() == 200);
    assertEquals(200, app.http.get("/healthz").statusCode());
  }

  @Test
  @Order(3)
  void underAtLeastOnceABrokerRefusalIsCountedAndDroppedAndTheThreadLives() throws Exception {
    app.close();
    app = RunningApp.start(kafka.bootstrapServers(), "edge-failures-alos", dir.resolve("state-alos"), false, Map.of(
        "iota.processing.guarantee", "at_least_once",
        "iota.resource.thing.init.instances", "1",
        "iota.resource.thing.resource.per.instance", "4999",
        "iota.resource.rule.init.instances", "1",
        "iota.resource.rule.resource.per.instance", "4999",
        "iota.health.failure.window", "8s"));
    await().atMost(Duration.ofSeconds(60)).until(app::running);
    // It replays the inputs from the start; wait until it has written Rule/0 with the last id.
    RunningApp.bulkCreate(producer, "Rule", List.of("alos-1"));
    await().atMost(Duration.ofSeconds(60)).until(() -> assignments.getOrDefault("Rule/0", "").contains("alos-1"));
    double droppedBefore = dropped();

    setTopicMax(10_000);
    RunningApp.bulkCreate(producer, "Rule", List.of("alos-2"));
    await().atMost(Duration.ofSeconds(60)).until(() -> dropped() > droppedBefore);
    assertEquals(200, app.http.get("/readyz").statusCode(), "the refusal cost the record, not the thread");

    setTopicMax(1_000_000);
    RunningApp.bulkCreate(producer, "Rule", List.of("alos-3"));
    await().atMost(Duration.ofSeconds(60)).until(() -> assignments.getOrDefault("Rule/0", "").contains("alos-3"));
    assertEquals(0, json(app.http.get("/healthz")).get("threadFailures").asInt(), "no thread died");
    assertEquals(200, app.http.get("/readyz").statusCode());
  }
}
