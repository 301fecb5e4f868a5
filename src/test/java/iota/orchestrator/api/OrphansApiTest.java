package iota.orchestrator.api;

import static iota.orchestrator.api.Http.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.IntegrationTest;
import iota.orchestrator.config.ResourceType;
import iota.orchestrator.model.Json;
import iota.orchestrator.orphans.OrphanReport;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /v1/api/orchestrations/:resource/orphans} and the orphan metrics. */
@IntegrationTest
class OrphansApiTest {
  private static final OrphanReport REPORT = new OrphanReport("Thing", 1_000_000, true, 600_000, null, List.of(
      new OrphanReport.Entry("pod", "iota-dac-7", null, 400_000, 1_000_000),
      new OrphanReport.Entry("znode", null, "/iota/orchestration/Thing/7", 900_000, 1_500_000)), 4);

  @RegisterExtension
  final ApiTestServer api = new ApiTestServer(Map.of());

  private final FakePlanQueries queries = api.queries;
  private Http http;

  @BeforeEach
  void start() {
    queries.orphanReports = type -> type.equals("Thing") ? Optional.of(REPORT) : Optional.empty();
    api.metrics.bindOrphans(List.of("Thing", "Rule"), queries::orphanReport);
    http = api.start();
  }

  @Test
  void theReportOfATypeIsServedAsTheExecutorMadeIt() {
    HttpResponse<String> r = http.get(ApiServer.API + "/Thing/orphans");
    assertEquals(200, r.statusCode());
    JsonNode body = json(r);
    assertEquals("Thing", body.get("resource").asText());
    assertEquals(1_000_000, body.get("checkedAt").asLong());
    assertEquals(2, body.get("orphans").size());
    JsonNode pod = body.get("orphans").get(0);
    assertEquals("pod", pod.get("kind").asText());
    assertEquals("iota-dac-7", pod.get("name").asText());
    assertEquals(1_000_000, pod.get("dueAt").asLong());
    assertEquals("/iota/orchestration/Thing/7", body.get("orphans").get(1).get("path").asText());
    assertEquals("Thing", queries.requests.get(0).type());
  }

  @Test
  void anUnknownTypeIs404() {
    HttpResponse<String> r = http.get(ApiServer.API + "/Nope/orphans");
    assertEquals(404, r.statusCode());
    assertTrue(json(r).get("error").asText().contains("unknown resource type"));
  }

  @Test
  void beforeTheFirstSweepTheAnswerSaysSo() {
    Reply reply = PlanReader.orphans(ResourceType.rule(), Optional.empty());
    assertEquals(200, reply.status());
    JsonNode body = Json.tree(reply.body().getBytes(StandardCharsets.UTF_8));
    assertTrue(body.get("checkedAt").isNull());
    assertEquals(0, body.get("orphans").size());
  }

  @Test
  void metricsCountOrphansByKindAndWhatIsPastItsGrace() {
    String scrape = http.get("/metrics").body();
    assertTrue(scrape.contains("iota_orchestrator_orphans{kind=\"pod\",type=\"Thing\"} 1.0"), scrape);
    assertTrue(scrape.contains("iota_orchestrator_orphans{kind=\"znode\",type=\"Thing\"} 1.0"), scrape);
    assertTrue(scrape.contains("iota_orchestrator_orphans_due{kind=\"pod\",type=\"Thing\"} 1.0"), scrape);
    assertTrue(scrape.contains("iota_orchestrator_orphans_due{kind=\"znode\",type=\"Thing\"} 0.0"), scrape);
    assertTrue(scrape.contains("iota_orchestrator_orphans_purged_total{type=\"Thing\"} 4.0"), scrape);
    assertTrue(scrape.contains("iota_orchestrator_orphans{kind=\"pod\",type=\"Rule\"} 0.0"), scrape);
    assertTrue(scrape.contains("iota_orchestrator_orphans_checked{type=\"Thing\"} 1000.0"), scrape);
  }
}
