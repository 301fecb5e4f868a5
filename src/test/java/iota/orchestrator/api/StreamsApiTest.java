package iota.orchestrator.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.IntegrationTest;
import iota.orchestrator.admin.TopicSpec;
import iota.orchestrator.embedded.EmbeddedKafka;
import iota.orchestrator.model.Json;
import iota.orchestrator.orphans.OrphanReport;
import iota.orchestrator.topics.Topics;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every route against the real topology on a real broker, wired as embedded mode wires it: one app
 * instance, no {@code application.server}, so every read is answered from local state.
 */
@IntegrationTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StreamsApiTest {
  private static final String API = ApiServer.API;

  @TempDir static Path dir;
  static EmbeddedKafka kafka;
  static RunningApp app;
  static KafkaProducer<String, byte[]> producer;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
    TopicSpec.createForTests(kafka.bootstrapServers(), 2);
    app =
        RunningApp.start(
            kafka.bootstrapServers(),
            "api-single",
            dir.resolve("state"),
            false,
            Map.of(
                "iota.resource.thing.init.instances", "3",
                "iota.resource.thing.resource.per.instance", "2",
                "iota.resource.rule.init.instances", "3"));
    producer = RunningApp.producer(kafka.bootstrapServers());
    RunningApp.bulkCreate(producer, "Thing", List.of("t1", "t2", "t3", "t4", "t5"));
    RunningApp.bulkCreate(producer, "Rule", List.of("r1", "r2"));
    await().atMost(Duration.ofSeconds(60)).until(app::running);
    await().atMost(Duration.ofSeconds(60)).until(() -> app.http.get(API + "/Thing/t5/instances").statusCode() == 200);
    await().atMost(Duration.ofSeconds(60)).until(() -> app.http.get(API + "/Rule/r2/instances").statusCode() == 200);
  }

  @AfterAll
  static void stop() {
    if (producer != null) producer.close();
    if (app != null) app.close();
    if (kafka != null) kafka.close();
  }

  private static JsonNode json(HttpResponse<String> r) {
    return Json.tree(r.body().getBytes(StandardCharsets.UTF_8));
  }

  @Test
  @Order(1)
  void everyResourceIsFoundWhereThePlanSaysItRuns() {
    HttpResponse<String> r = app.http.get(API + "/Thing");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode instances = json(r).get("instances");
    List<String> order = new ArrayList<>();
    instances.fieldNames().forEachRemaining(order::add);
    assertEquals(List.of("0", "1", "2"), order);
    int placed = 0;
    for (String id : order) {
      for (JsonNode resource : instances.get(id).get("resources").get("ids")) {
        HttpResponse<String> where = app.http.get(API + "/Thing/" + resource.asText() + "/instances");
        assertEquals(200, where.statusCode(), where.body());
        assertEquals(id, json(where).get("runIn").asText());
        placed++;
      }
    }
    assertEquals(5, placed);
  }

  @Test
  @Order(2)
  void unplacedResourceAndUnknownTypeAre404() {
    HttpResponse<String> missing = app.http.get(API + "/Thing/nope/instances");
    assertEquals(404, missing.statusCode());
    assertEquals("Thing 'nope' is not placed", json(missing).get("error").asText());
    assertEquals(404, app.http.get(API + "/Widget").statusCode());
  }

  @Test
  @Order(3)
  void listingCountsEveryType() {
    HttpResponse<String> r = app.http.get(API);
    assertEquals(200, r.statusCode(), r.body());
    JsonNode types = json(r).get("types");
    assertEquals("Thing", types.get(0).get("resource").asText());
    assertEquals(5, types.get(0).get("resources").asInt());
    assertEquals(3, types.get(0).get("instances").asInt());
    assertEquals("Rule", types.get(1).get("resource").asText());
    assertEquals(2, types.get(1).get("resources").asInt());
  }

  @Test
  @Order(4)
  void instanceRouteShowsOneInstanceWithItsResources() {
    String runIn = json(app.http.get(API + "/Thing/t1/instances")).get("runIn").asText();
    HttpResponse<String> r = app.http.get(API + "/Thing/instances/" + runIn);
    assertEquals(200, r.statusCode(), r.body());
    List<String> ids = new ArrayList<>();
    json(r).get("resources").get("ids").forEach(n -> ids.add(n.asText()));
    assertTrue(ids.contains("t1"), ids.toString());
    assertEquals(404, app.http.get(API + "/Thing/instances/42").statusCode());
  }

  @Test
  @Order(4)
  void planWithoutIdsAndPagesOfIdsComeFromTheRealStores() {
    JsonNode plan = json(app.http.get(API + "/Thing?ids=false"));
    int used = 0;
    for (JsonNode inst : plan.get("instances")) {
      assertTrue(!inst.has("resources"), inst.toString());
      used += inst.get("data").get("used").asInt();
    }
    assertEquals(5, used);
    List<String> all = new ArrayList<>();
    for (String instanceId : List.of("0", "1", "2")) {
      List<String> ids = new ArrayList<>();
      String after = null;
      int pages = 0;
      do {
        HttpResponse<String> r = app.http.get(API + "/Thing/instances/" + instanceId + "/resources?limit=1" + (after == null ? "" : "&after=" + after));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode page = json(r);
        page.get("ids").forEach(n -> ids.add(n.asText()));
        after = page.get("next").isNull() ? null : page.get("next").asText();
        pages++;
      } while (after != null && pages < 10);
      assertEquals(ids.stream().sorted().toList(), ids, "in id order");
      assertEquals(json(app.http.get(API + "/Thing/instances/" + instanceId)).get("data").get("used").asInt(), ids.size());
      all.addAll(ids);
    }
    assertEquals(List.of("t1", "t2", "t3", "t4", "t5"), all.stream().sorted().toList());
    assertEquals(404, app.http.get(API + "/Thing/instances/42/resources").statusCode());
  }

  @Test
  @Order(5)
  void orchestrateAnswersTheTopologysReport() {
    HttpResponse<String> r = app.http.post(API + "/Thing/orchestrate", "{\"maxInstances\": 10, \"resourcePerInstance\": 1, \"initInstances\": 3}", "Content-Type", "application/json");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode report = json(r);
    assertEquals("Thing", report.get("resource").asText());
    assertEquals(6, report.get("instances").asInt(), "floor(5 / 1) + 1");
    assertEquals(5, report.get("moved").asInt() + report.get("kept").asInt());
    await().atMost(Duration.ofSeconds(10)).until(() -> json(app.http.get(API + "/Thing/summary")).get("orchestrations").asInt() == 1);
  }

  @Test
  @Order(6)
  void sizingBeyondTheMaximumIs409WithTheOriginalMessage() {
    HttpResponse<String> r = app.http.post(API + "/Thing/orchestrate", "{\"maxInstances\": 3, \"resourcePerInstance\": 1}", "Content-Type", "application/json");
    assertEquals(409, r.statusCode(), r.body());
    assertEquals("require instances more than the max: 6/3", json(r).get("error").asText());
  }

  @Test
  @Order(7)
  void healthReadinessAndMetricsReflectTheRunningApp() {
    assertEquals(200, app.http.get("/healthz").statusCode());
    assertEquals(200, app.http.get("/readyz").statusCode());
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              String metrics = app.http.get("/metrics").body();
              assertTrue(metrics.contains("iota_orchestrator_resources{type=\"Thing\"} 5.0"), "plan gauge");
              assertTrue(metrics.contains("iota_orchestrator_type_owned{type=\"Rule\"} 1.0"), "ownership gauge");
              assertTrue(metrics.contains("iota_orchestrator_orchestrations_total{type=\"Thing\"} 1.0"), "orchestrations counter");
              assertTrue(metrics.contains("kafka_stream_"), "Kafka Streams client metrics");
              assertTrue(metrics.contains("iota_orchestrator_dlq_records_total"), "dead letters");
            });
  }

  @Test
  @Order(8)
  void theExecutorsOrphanReportIsServedFromTheGlobalStore() throws Exception {
    assertTrue(json(app.http.get(API + "/Rule/orphans")).get("checkedAt").isNull(), "no sweep reported yet");
    OrphanReport report = new OrphanReport("Thing", 1_000, true, 600_000, null,
        List.of(new OrphanReport.Entry("pod", "iota-dac-9", null, 500, 600_500)), 2);
    producer.send(new ProducerRecord<>(Topics.ORPHANS.name(), "Thing", Json.bytes(report))).get();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonNode body = json(app.http.get(API + "/Thing/orphans"));
      assertEquals(1_000, body.get("checkedAt").asLong(), body.toString());
      assertEquals("iota-dac-9", body.get("orphans").get(0).get("name").asText());
    });
    assertTrue(app.http.get("/metrics").body().contains("iota_orchestrator_orphans{kind=\"pod\",type=\"Thing\"} 1.0"));
  }
}
