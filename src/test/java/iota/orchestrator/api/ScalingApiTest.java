package iota.orchestrator.api;

import static iota.orchestrator.api.Http.error;
import static iota.orchestrator.api.Http.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.IntegrationTest;
import iota.orchestrator.autoscale.ScalingReport;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.OrchestrationReport;
import iota.orchestrator.model.RequestResult;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET .../:resource/scaling} and {@code POST .../:resource/instances/:instanceId/drain|undrain}
 * against a real server with fake queries and gateway.
 */
@IntegrationTest
class ScalingApiTest {
  private static final String TOKEN = "scale-token";
  private static final String ADMIN = "https://admin.example.com";
  private static final OrchestrationReport MOVED = new OrchestrationReport("Thing", 4, 250, 3, 997, List.of(), List.of(), 250, 249);

  @RegisterExtension
  final ApiTestServer api = new ApiTestServer(Map.of("iota.api.token", TOKEN, "iota.cors.origins", ADMIN));

  private final FakePlanQueries queries = api.queries;
  private final FakeGateway gateway = api.gateway;
  private Http http;

  private void start(Map<String, String> overrides) {
    http = api.start(overrides);
  }

  private void start() {
    start(Map.of());
  }

  private HttpResponse<String> post(String path, String body) {
    return http.post(ApiServer.API + path, body, "Authorization", "Bearer " + TOKEN, "Content-Type", "application/json");
  }

  private static ScalingReport report() {
    TreeMap<String, ScalingReport.InstanceLoad> instances = new TreeMap<>(Map.of(
        "0", new ScalingReport.InstanceLoad(630.0, 2.1e8, 0.9, 0.4, 12, 480.0, false),
        "1", new ScalingReport.InstanceLoad(null, null, null, null, 0, 0.0, true)));
    return new ScalingReport("Thing", true, 2, 3, "ScaleUpLimit", new ScalingReport.Utilization(0.9, 0.4),
        new ScalingReport.Utilization(0.7, 0.8), instances, null, null, 1.4, null, null)
        .withPoint(new ScalingReport.Point(60_000, 2, 0.9, 0.4))
        .withEvent(new ScalingReport.Event(60_000, ScalingReport.Kind.DRAIN, 2, 2, "instance 1 drained", 12));
  }

  // ---- scaling

  @Test
  void scalingAnswersTheTypesReportThroughThePlanQueries() {
    start();
    ScalingReport report = report();
    queries.scalingReports = type -> type.equals("Thing") ? Optional.of(report) : Optional.empty();
    HttpResponse<String> r = http.get(ApiServer.API + "/Thing/scaling");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(Reply.ok(report).body(), r.body());
    assertEquals(Json.tree(report.toJson()), json(r));
    assertEquals(List.of(ReadRequest.direct("Thing", ApiServer.API + "/Thing/scaling", null)), queries.scalingReads);
  }

  @Test
  void scalingIs503WithRetryAfterWhenTheReportIsNotReadable() {
    start();
    HttpResponse<String> r = http.get(ApiServer.API + "/Rule/scaling");
    assertEquals(503, r.statusCode());
    assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
    assertEquals("no scaling report of Rule readable", error(r));
  }

  @Test
  void scalingOfAnUnknownTypeIs404() {
    start();
    HttpResponse<String> r = http.get(ApiServer.API + "/Widget/scaling");
    assertEquals(404, r.statusCode());
    assertEquals("unknown resource type 'Widget' (known: Thing, Rule)", error(r));
    assertEquals(List.of(), queries.scalingReads);
  }

  @Test
  void scalingNeedsTheTokenOnlyWhenReadsAreProtected() {
    start(Map.of("iota.api.protect.reads", "true"));
    queries.scalingReports = type -> Optional.of(report());
    assertEquals(401, http.get(ApiServer.API + "/Thing/scaling").statusCode());
    assertEquals(200, http.get(ApiServer.API + "/Thing/scaling", "Authorization", "Bearer " + TOKEN).statusCode());
  }

  // ---- drain and undrain

  @Test
  void drainSendsTheRequestAndAnswersTheTopologysReport() {
    start();
    gateway.drainAnswer = d -> CompletableFuture.completedFuture(RequestResult.ok("r1", MOVED));
    HttpResponse<String> r = post("/Thing/instances/3/drain", "");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(Reply.ok(MOVED).body(), r.body());
    assertEquals(3, json(r).get("moved").asInt());
    HttpResponse<String> undrain = post("/Thing/instances/0/undrain", "{}");
    assertEquals(200, undrain.statusCode(), undrain.body());
    assertEquals(List.of(new FakeGateway.Drain("Thing", 3, true), new FakeGateway.Drain("Thing", 0, false)), gateway.drains);
  }

  @Test
  void drainRejectsWhatIsNotAnInstanceIdOrNotAnEmptyBodyNamingIt() {
    start();
    Map<String, String> badIds = Map.of(
        "x", "instanceId must be a non-negative integer without leading zeros, below 100000",
        "-1", "instanceId must be a non-negative integer without leading zeros, below 100000",
        "01", "instanceId must be a non-negative integer without leading zeros, below 100000",
        "100000", "instanceId must be a non-negative integer without leading zeros, below 100000");
    for (Map.Entry<String, String> c : badIds.entrySet()) {
      for (String op : List.of("drain", "undrain")) {
        HttpResponse<String> r = post("/Thing/instances/" + c.getKey() + "/" + op, "");
        assertEquals(400, r.statusCode(), c.getKey() + " " + op);
        assertEquals(c.getValue(), error(r), c.getKey() + " " + op);
      }
    }
    Map<String, String> badBodies = Map.of(
        "{\"force\": true}", "unknown field 'force' (drain takes no parameters)",
        "[1]", "body must be empty or {}: drain takes no parameters",
        "3", "body must be empty or {}: drain takes no parameters",
        "{not json", "body is not valid JSON");
    for (Map.Entry<String, String> c : badBodies.entrySet()) {
      HttpResponse<String> r = post("/Thing/instances/1/drain", c.getKey());
      assertEquals(400, r.statusCode(), c.getKey());
      assertEquals(c.getValue(), error(r), c.getKey());
    }
    HttpResponse<String> undrain = post("/Thing/instances/1/undrain", "{\"instanceId\": 2}");
    assertEquals("unknown field 'instanceId' (undrain takes no parameters)", error(undrain));
    HttpResponse<String> form = http.post(ApiServer.API + "/Thing/instances/1/drain", "a=b", "Authorization", "Bearer " + TOKEN, "Content-Type", "text/plain");
    assertEquals(415, form.statusCode());
    assertEquals("Content-Type must be application/json", error(form));
    assertEquals(List.of(), gateway.drains, "nothing sent for invalid input");
  }

  @Test
  void drainNeedsTheBearerToken() {
    start();
    HttpResponse<String> none = http.post(ApiServer.API + "/Thing/instances/1/drain", "");
    assertEquals(401, none.statusCode());
    assertEquals("missing or invalid bearer token", error(none));
    assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
    HttpResponse<String> wrong = http.post(ApiServer.API + "/Thing/instances/1/undrain", "", "Authorization", "Bearer " + TOKEN + "x");
    assertEquals(401, wrong.statusCode());
    assertEquals(List.of(), gateway.drains);
  }

  @Test
  void drainOfAnUnknownTypeIs404WithoutARequest() {
    start();
    HttpResponse<String> r = post("/Widget/instances/1/drain", "");
    assertEquals(404, r.statusCode());
    assertEquals("unknown resource type 'Widget' (known: Thing, Rule)", error(r));
    assertEquals(List.of(), gateway.drains);
  }

  @Test
  void theTopologysRefusalsKeepTheirStatusAndMessage() {
    start();
    Map<Integer, String> refusals = Map.of(
        404, "no instance 7 of Thing",
        409, "instance 7 of Thing cannot be emptied: the other instances have no room for its 12 resources");
    for (Map.Entry<Integer, String> c : refusals.entrySet()) {
      gateway.drainAnswer = d -> CompletableFuture.completedFuture(RequestResult.error("r1", "Thing", c.getKey(), c.getValue()));
      HttpResponse<String> r = post("/Thing/instances/7/drain", "");
      assertEquals(c.getKey(), r.statusCode());
      assertEquals(c.getValue(), error(r));
    }
  }

  @Test
  void noAnswerInTimeIs504AndAnUnsendableRequest503() {
    start(Map.of("iota.api.request.timeout", "250ms"));
    gateway.drainAnswer = d -> CompletableFuture.failedFuture(new TimeoutException());
    HttpResponse<String> late = post("/Thing/instances/1/drain", "");
    assertEquals(504, late.statusCode());
    assertEquals("no answer from the orchestrator within 250 ms; the request may still be applied", error(late));
    gateway.drainAnswer = d -> CompletableFuture.failedFuture(new OrchestrateGateway.GatewayUnavailableException("broker down", null));
    HttpResponse<String> down = post("/Thing/instances/1/undrain", "");
    assertEquals(503, down.statusCode());
    assertEquals("1", down.headers().firstValue("Retry-After").orElse(null));
    assertEquals("the request could not be sent; try again", error(down));
  }

  @Test
  void drainIsAPostOnly() {
    start();
    HttpResponse<String> r = http.get(ApiServer.API + "/Thing/instances/1/drain");
    assertEquals(405, r.statusCode());
    assertEquals("POST", r.headers().firstValue("Allow").orElse(null));
  }

  @Test
  void preflightsOfTheNewRoutesAllowTheAdminOrigin() {
    start();
    for (String path : List.of("/Thing/scaling", "/Thing/instances/1/drain", "/Thing/instances/1/undrain")) {
      HttpResponse<String> r = http.options(ApiServer.API + path, "Origin", ADMIN, "Access-Control-Request-Method", "POST");
      assertEquals(204, r.statusCode(), path);
      assertEquals(ADMIN, r.headers().firstValue("Access-Control-Allow-Origin").orElse(null), path);
      assertEquals(Cors.ALLOW_METHODS, r.headers().firstValue("Access-Control-Allow-Methods").orElse(null), path);
    }
  }

  @Test
  void openApiDocumentsTheScalingReportAndTheDrainRoutes() {
    start();
    JsonNode doc = json(http.get("/openapi.json"));
    JsonNode paths = doc.get("paths");
    assertEquals("#/components/schemas/ScalingReport",
        paths.get(ApiServer.API + "/{resource}/scaling").get("get").get("responses").get("200").get("content").get("application/json").get("schema").get("$ref").asText());
    for (String op : List.of("drain", "undrain")) {
      JsonNode post = paths.get(ApiServer.API + "/{resource}/instances/{instanceId}/" + op).get("post");
      assertEquals("#/components/schemas/Report", post.get("responses").get("200").get("content").get("application/json").get("schema").get("$ref").asText(), op);
      assertEquals(List.of("200", "400", "401", "404", "409", "415", "503", "504"), fieldNames(post.get("responses")), op);
    }
    JsonNode schema = doc.get("components").get("schemas").get("ScalingReport");
    assertEquals(fieldNames(Json.tree(report().toJson())), fieldNames(schema.get("properties")), "every field of the report is documented");
    JsonNode instance = schema.get("properties").get("instances").get("additionalProperties").get("properties");
    assertEquals(List.of("cpuMillis", "memoryBytes", "cpuUtilization", "memoryUtilization", "resources", "estimatedLoad", "draining"), fieldNames(instance));
    JsonNode event = schema.get("properties").get("events").get("items").get("properties");
    assertEquals(List.of("at", "kind", "from", "to", "reason", "moved"), fieldNames(event));
    JsonNode point = schema.get("properties").get("history").get("items").get("properties");
    assertEquals(List.of("at", "instances", "cpu", "memory"), fieldNames(point));
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
