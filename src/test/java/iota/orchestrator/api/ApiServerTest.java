package iota.orchestrator.api;

import static iota.orchestrator.api.Http.error;
import static iota.orchestrator.api.Http.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.IntegrationTest;
import iota.orchestrator.LogCapture;
import iota.orchestrator.config.ConfigException;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.OrchestrateRequest;
import iota.orchestrator.model.OrchestrationParams;
import iota.orchestrator.model.OrchestrationReport;
import iota.orchestrator.model.RequestResult;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;

/** The HTTP behaviour of the API against a real server on a free port, with fake queries and gateway. */
@IntegrationTest
class ApiServerTest {
  private static final String TOKEN = "s3cret-token";
  private static final String ADMIN = "https://admin.example.com";

  @RegisterExtension
  final ApiTestServer api = new ApiTestServer(Map.of("iota.api.token", TOKEN, "iota.cors.origins", ADMIN + ",http://localhost:3000"));

  private final FakePlanQueries queries = api.queries;
  private final FakeGateway gateway = api.gateway;
  private final List<OrchestrationParams> sent = gateway.orchestrations;
  private final List<String> sentIds = gateway.requestIds;
  private final AtomicReference<CompletableFuture<RequestResult>> nextResult =
      new AtomicReference<>(CompletableFuture.completedFuture(RequestResult.ok("r1", report())));
  private final AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.RUNNING);
  private final OrchestratorMetrics metrics = api.metrics;
  private Http http;

  private void start(Map<String, String> overrides) {
    gateway.orchestrateAnswer = resource -> nextResult.get();
    gateway.drainAnswer = drain -> nextResult.get();
    http = api.state(state::get).start(overrides);
  }

  private void start() {
    start(Map.of());
  }

  private static OrchestrationReport report() {
    return new OrchestrationReport("Thing", 4, 250, 3, 997, List.of("3"), List.of(), 250, 249);
  }

  private HttpResponse<String> orchestrate(String body) {
    return http.post(ApiServer.API + "/Thing/orchestrate", body, "Authorization", "Bearer " + TOKEN, "Content-Type", "application/json");
  }

  // ---- reads

  @Test
  void placementLookupAnswersRunIn() {
    start();
    queries.placement = id -> id.equals("t-1") ? Reply.ok(Map.of("runIn", "2")) : Reply.error(404, "Thing '" + id + "' is not placed");
    HttpResponse<String> r = http.get(ApiServer.API + "/Thing/t-1/instances");
    assertEquals(200, r.statusCode());
    assertEquals("2", json(r).get("runIn").asText());
    HttpResponse<String> missing = http.get(ApiServer.API + "/Thing/nope/instances");
    assertEquals(404, missing.statusCode());
    assertEquals("Thing 'nope' is not placed", error(missing));
  }

  @Test
  void unknownResourceTypeIs404OnEveryRoute() {
    start();
    for (String path : List.of("/Widget", "/Widget/summary", "/Widget/x/instances", "/Widget/instances/0")) {
      HttpResponse<String> r = http.get(ApiServer.API + path);
      assertEquals(404, r.statusCode(), path);
      assertTrue(error(r).contains("unknown resource type 'Widget'"), r.body());
    }
    HttpResponse<String> post = http.post(ApiServer.API + "/Widget/orchestrate", "", "Authorization", "Bearer " + TOKEN);
    assertEquals(404, post.statusCode());
    assertTrue(queries.requests.isEmpty(), "no query for an unknown type");
    assertTrue(sent.isEmpty(), "no request for an unknown type");
  }

  @Test
  void resourceIdNamedInstancesIsAPlacementLookupNotAnInstance() {
    start();
    queries.placement = id -> Reply.ok(Map.of("runIn", "7"));
    HttpResponse<String> r = http.get(ApiServer.API + "/Thing/instances/instances");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("7", json(r).get("runIn").asText());
  }

  @Test
  void instanceRouteRejectsIdsThatAreNotInstanceIds() {
    start();
    queries.instance = id -> Reply.ok(Map.of("resource", "Thing", "instanceId", id));
    assertEquals(200, http.get(ApiServer.API + "/Thing/instances/12").statusCode());
    HttpResponse<String> bad = http.get(ApiServer.API + "/Thing/instances/012");
    assertEquals(400, bad.statusCode());
    assertTrue(error(bad).contains("instanceId"), bad.body());
  }

  @Test
  void planAndInstanceLeaveIdsOutWhenAskedAndRejectOtherValues() {
    start();
    queries.instance = id -> Reply.ok(Map.of("resource", "Thing", "instanceId", id));
    assertEquals(200, http.get(ApiServer.API + "/Thing").statusCode());
    assertEquals(200, http.get(ApiServer.API + "/Thing?ids=false").statusCode());
    assertEquals(200, http.get(ApiServer.API + "/Thing/instances/3?ids=false").statusCode());
    assertEquals(200, http.get(ApiServer.API + "/Thing/instances/3?ids=true").statusCode());
    assertEquals(List.of(true, false, false, true), queries.withIds);
    assertEquals(ApiServer.API + "/Thing?ids=false", queries.requests.get(1).pathAndQuery(), "forwarded as asked");
    for (String path : List.of("/Thing?ids=no", "/Thing/instances/3?ids=0")) {
      HttpResponse<String> bad = http.get(ApiServer.API + path);
      assertEquals(400, bad.statusCode(), path);
      assertTrue(error(bad).startsWith("ids must be true or false"), bad.body());
    }
  }

  @Test
  void resourcePagesHaveABoundedLimitAndAnIdCursor() {
    start();
    String page = ApiServer.API + "/Thing/instances/4/resources";
    assertEquals(200, http.get(page).statusCode());
    assertEquals(200, http.get(page + "?limit=" + ApiServer.MAX_PAGE + "&after=t-9").statusCode());
    assertEquals(List.of(new FakePlanQueries.PageRequest("4", null, ApiServer.DEFAULT_PAGE), new FakePlanQueries.PageRequest("4", "t-9", ApiServer.MAX_PAGE)), queries.pages);
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("?limit=0", "limit must be an integer in [1, 5000], got '0'");
    bad.put("?limit=" + (ApiServer.MAX_PAGE + 1), "limit must be an integer in [1, 5000], got '5001'");
    bad.put("?limit=ten", "limit must be an integer in [1, 5000], got 'ten'");
    bad.put("?after=a%2Fb", "after must be a resource id: ");
    for (Map.Entry<String, String> c : bad.entrySet()) {
      HttpResponse<String> r = http.get(page + c.getKey());
      assertEquals(400, r.statusCode(), c.getKey());
      assertTrue(error(r).startsWith(c.getValue()), c.getKey() + ": " + r.body());
    }
    assertEquals(400, http.get(ApiServer.API + "/Thing/instances/04/resources").statusCode());
    assertEquals(2, queries.pages.size(), "no read for invalid input");
  }

  @Test
  void listingCombinesTheSummaryOfEveryType() {
    start();
    queries.summary = r -> Reply.ok(Map.of("resource", r.type(), "instances", r.type().equals("Thing") ? 3 : 1));
    HttpResponse<String> r = http.get(ApiServer.API);
    assertEquals(200, r.statusCode(), r.body());
    JsonNode types = json(r).get("types");
    assertEquals(2, types.size());
    assertEquals("Thing", types.get(0).get("resource").asText());
    assertEquals(3, types.get(0).get("instances").asInt());
    assertEquals("Rule", types.get(1).get("resource").asText());
    assertEquals(ApiServer.API + "/Rule/summary", queries.requests.get(1).pathAndQuery());
  }

  @Test
  void listingIs503WithRetryAfterWhenOneTypeIsNotReadable() {
    start();
    queries.summary = r -> r.type().equals("Rule") ? Reply.unavailable("restoring") : Reply.ok(Map.of("resource", r.type()));
    HttpResponse<String> r = http.get(ApiServer.API);
    assertEquals(503, r.statusCode());
    assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
    assertEquals("restoring", error(r));
  }

  @Test
  void readRequestCarriesPathQueryAndForwardingMarks() {
    start();
    http.get(ApiServer.API + "/Thing?x=1", StreamsPlanQueries.FORWARDED_HEADER, "10.0.0.2:7070", StreamsPlanQueries.STALE_HEADER, "true");
    ReadRequest req = queries.requests.get(0);
    assertEquals("Thing", req.type());
    assertEquals(ApiServer.API + "/Thing?x=1", req.pathAndQuery());
    assertTrue(req.forwarded());
    assertTrue(req.allowStale());
    http.get(ApiServer.API + "/Thing");
    assertFalse(queries.requests.get(1).forwarded());
  }

  @Test
  void queryFailureIsAGeneric500WithoutInternals() {
    start();
    queries.plan =
        r -> {
          throw new IllegalStateException("secret internal detail at com.example.Foo");
        };
    HttpResponse<String> r = http.get(ApiServer.API + "/Thing");
    assertEquals(500, r.statusCode());
    assertEquals("internal error", error(r));
    assertFalse(r.body().contains("secret"));
    assertFalse(r.body().contains("Exception"));
  }

  @Test
  void unknownPathIsAJson404() {
    start();
    HttpResponse<String> r = http.get("/v1/api/nothing-here");
    assertEquals(404, r.statusCode());
    assertEquals("not found", error(r));
  }

  // ---- errors raised before routing, headers of every answer

  private static String raw(String requestLine, String... headerLines) {
    StringBuilder b = new StringBuilder(requestLine).append("\r\n");
    boolean host = false;
    for (String h : headerLines) {
      b.append(h).append("\r\n");
      host |= h.regionMatches(true, 0, "Host:", 0, 5);
    }
    if (!host) {
      b.append("Host: localhost\r\n");
    }
    return b.append("Connection: close\r\n\r\n").toString();
  }

  @Test
  void errorsJettyRaisesBeforeRoutingAreJson() {
    start();
    String api = ApiServer.API;
    String chunk = "x".repeat(ApiServer.MAX_BODY_BYTES + 1);
    Map<String, Integer> expected = new LinkedHashMap<>();
    Map<String, String> requests = new LinkedHashMap<>();
    requests.put("NUL in the path", raw("GET " + api + "/Thing%00 HTTP/1.1"));
    requests.put("NUL in an id", raw("GET " + api + "/Thing/a%00b/instances HTTP/1.1"));
    requests.put("encoded dot segments", raw("GET " + api + "/%2e%2e/%2e%2e/healthz HTTP/1.1"));
    requests.put("malformed escape", raw("GET " + api + "/Thing%zz HTTP/1.1"));
    requests.put("bad request line", raw("GET /a b c HTTP/1.1"));
    requests.put("unsupported version", raw("GET / HTTP/7.0"));
    requests.put("bad host header", raw("GET " + api + " HTTP/1.1", "Host: a b:c:d"));
    requests.put("two host headers", raw("GET " + api + " HTTP/1.1", "Host: one", "Host: two"));
    requests.put("oversized header", raw("GET " + api + " HTTP/1.1", "X-Big: " + "x".repeat(20_000)));
    requests.put("unknown path outside the API", raw("GET /nothing-here HTTP/1.1"));
    requests.put("method not allowed", raw("DELETE " + api + "/Thing HTTP/1.1", "Authorization: Bearer " + TOKEN));
    requests.put(
        "chunked body over the limit",
        raw("POST " + api + "/Thing/orchestrate HTTP/1.1", "Authorization: Bearer " + TOKEN, "Content-Type: application/json", "Transfer-Encoding: chunked")
            .replace("Connection: close\r\n\r\n", "Connection: close\r\n\r\n" + Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n0\r\n\r\n"));
    expected.put("encoded dot segments", 404);
    expected.put("oversized header", 431);
    expected.put("unknown path outside the API", 404);
    expected.put("method not allowed", 405);
    expected.put("chunked body over the limit", 413);
    expected.put("unsupported version", 505);
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<String, String> c : requests.entrySet()) {
      RawHttp.Answer a = RawHttp.exchange(this.api.server().port(), c.getValue());
      int status = expected.getOrDefault(c.getKey(), 400);
      String type = a.header("Content-Type");
      JsonNode body = type != null && type.startsWith("application/json") ? Json.tree(a.body().getBytes(StandardCharsets.UTF_8)) : null;
      if (a.status() != status || body == null || !body.isObject() || body.size() != 1 || !body.path("error").isTextual() || body.get("error").asText().isBlank()) {
        wrong.add(c.getKey() + ": " + a.status() + " " + type + " " + abbreviate(a.body()));
      }
    }
    assertEquals(List.of(), wrong, "every error is {\"error\": \"...\"} with the right status");
    assertTrue(sent.isEmpty(), "nothing reached the gateway");
  }

  private static String abbreviate(String s) {
    return s.length() <= 160 ? s : s.substring(0, 160) + "...";
  }

  @Test
  void methodNotAllowedNamesTheAllowedMethods() {
    start();
    RawHttp.Answer a = RawHttp.exchange(api.server().port(), raw("PUT " + ApiServer.API + "/Thing/orchestrate HTTP/1.1", "Authorization: Bearer " + TOKEN, "Content-Length: 0"));
    assertEquals(405, a.status(), a.body());
    assertEquals("POST", a.header("Allow"));
  }

  @Test
  void moreThanOneAuthorizationHeaderIs400() {
    start();
    String valid = "Authorization: Bearer " + TOKEN;
    for (String request :
        List.of(
            raw("POST " + ApiServer.API + "/Thing/orchestrate HTTP/1.1", valid, "Authorization: Bearer other", "Content-Length: 0"),
            raw("POST " + ApiServer.API + "/Thing/orchestrate HTTP/1.1", valid, valid, "Content-Length: 0"),
            raw("GET " + ApiServer.API + "/Thing HTTP/1.1", "Authorization: Bearer other", valid))) {
      RawHttp.Answer a = RawHttp.exchange(api.server().port(), request);
      assertEquals(400, a.status(), request);
      assertEquals("more than one Authorization header", Json.tree(a.body().getBytes(StandardCharsets.UTF_8)).get("error").asText());
    }
    assertTrue(sent.isEmpty(), "no request was sent");
    assertTrue(queries.requests.isEmpty(), "no read was made");
  }

  @Test
  void dashboardCannotBeFramedAndAllowsOnlyItsOwnScripts() {
    start();
    for (String path : List.of("/", "/index.html", "/app.js", ApiServer.API + "/Thing", "/v1/api/nothing-here")) {
      HttpResponse<String> r = http.get(path);
      assertEquals("DENY", r.headers().firstValue("X-Frame-Options").orElse(null), path);
      String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
      assertTrue(csp.contains("frame-ancestors 'none'"), path + ": " + csp);
      assertTrue(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), path + ": " + csp);
    }
  }

  @Test
  void dashboardPageHasNoInlineScript() {
    start();
    String page = http.get("/").body();
    Matcher scripts = Pattern.compile("<script\\b([^>]*)>(.*?)</script>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE).matcher(page);
    int external = 0;
    while (scripts.find()) {
      assertTrue(scripts.group(1).contains("src="), "script without src: " + scripts.group());
      assertTrue(scripts.group(2).isBlank(), "script with a body: " + scripts.group());
      external++;
    }
    assertTrue(external > 0, "the page loads its script from a file");
    assertFalse(Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE).matcher(page).find(), "no inline event handlers");
    assertFalse(page.contains("javascript:"), "no javascript: URLs");
  }

  // ---- orchestrate

  @Test
  void orchestrateAnswersTheReport() {
    start();
    HttpResponse<String> r = orchestrate("{\"maxInstances\": 20, \"resourcePerInstance\": 250}");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode body = json(r);
    for (String field : List.of("resource", "instances", "resourcePerInstance", "moved", "kept", "created", "deleted")) {
      assertNotNull(body.get(field), field);
    }
    assertEquals(4, body.get("instances").asInt());
    assertEquals("3", body.get("created").get(0).asText());
    assertEquals(new OrchestrationParams(20, 250, null), sent.get(0));
  }

  @Test
  void emptyBodyOrchestratesWithTheDefaults() {
    start();
    HttpResponse<String> r = http.post(ApiServer.API + "/Thing/orchestrate", "", "Authorization", "Bearer " + TOKEN);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(OrchestrationParams.EMPTY, sent.get(0));
  }

  @Test
  void invalidParametersAre400NamingTheFieldAndRange() {
    start();
    Map<String, String> cases = new HashMap<>();
    cases.put("{\"maxInstances\": 2}", "maxInstances must be in [3, 100), got 2");
    cases.put("{\"maxInstances\": 100}", "maxInstances must be in [3, 100), got 100");
    cases.put("{\"resourcePerInstance\": 0}", "resourcePerInstance must be in (0, 5000), got 0");
    cases.put("{\"resourcePerInstance\": 5000}", "resourcePerInstance must be in (0, 5000), got 5000");
    cases.put("{\"initInstances\": 0}", "initInstances must be in [1, 100), got 0");
    cases.put("{\"maxInstances\": \"ten\"}", "maxInstances must be an integer");
    cases.put("{\"resourcePerInstance\": 1.5}", "resourcePerInstance must be an integer");
    cases.put("{\"initInstances\": 50, \"maxInstances\": 20}", "initInstances must be at most maxInstances (20), got 50");
    cases.put("{\"maxinstances\": 20}", "unknown field 'maxinstances' (allowed: maxInstances, resourcePerInstance, initInstances)");
    cases.put("[1, 2]", "body must be a JSON object with optional maxInstances, resourcePerInstance, initInstances");
    cases.put("{not json", "body is not valid JSON");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      HttpResponse<String> r = orchestrate(c.getKey());
      assertEquals(400, r.statusCode(), c.getKey());
      assertEquals(c.getValue(), error(r), c.getKey());
    }
    assertTrue(sent.isEmpty(), "nothing sent for invalid input");
  }

  @Test
  void nonJsonContentTypeIs415() {
    start();
    HttpResponse<String> r =
        http.post(ApiServer.API + "/Thing/orchestrate", "maxInstances=5", "Authorization", "Bearer " + TOKEN, "Content-Type", "application/x-www-form-urlencoded");
    assertEquals(415, r.statusCode());
    assertEquals("Content-Type must be application/json", error(r));
  }

  @Test
  void oversizedBodyIs413() {
    start();
    String big = "{\"maxInstances\": 5, \"pad\": \"" + "x".repeat(ApiServer.MAX_BODY_BYTES) + "\"}";
    HttpResponse<String> r = orchestrate(big);
    assertEquals(413, r.statusCode());
    assertTrue(error(r).contains("larger than"), r.body());
    assertTrue(sent.isEmpty());
  }

  @Test
  void sizingFailureIs409WithTheOriginalMessage() {
    nextResult.set(CompletableFuture.completedFuture(RequestResult.error("r1", "Thing", 409, "require instances more than the max: 120/100")));
    start();
    HttpResponse<String> r = orchestrate("{\"resourcePerInstance\": 1}");
    assertEquals(409, r.statusCode());
    assertEquals("require instances more than the max: 120/100", error(r));
  }

  @Test
  void noAnswerInTimeIs504() {
    nextResult.set(CompletableFuture.failedFuture(new TimeoutException()));
    start(Map.of("iota.api.request.timeout", "250ms"));
    HttpResponse<String> r = orchestrate("{}");
    assertEquals(504, r.statusCode());
    assertTrue(error(r).contains("within 250 ms"), r.body());
  }

  @Test
  void answerArrivingLaterIsStillDelivered() {
    CompletableFuture<RequestResult> later = new CompletableFuture<>();
    nextResult.set(later);
    start();
    CompletableFuture.runAsync(() -> later.complete(RequestResult.ok("r1", report())), CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS));
    HttpResponse<String> r = orchestrate("{}");
    assertEquals(200, r.statusCode(), r.body());
  }

  @Test
  void unsendableRequestIs503WithRetryAfter() {
    nextResult.set(CompletableFuture.failedFuture(new OrchestrateGateway.GatewayUnavailableException("broker down", null)));
    start();
    HttpResponse<String> r = orchestrate("{}");
    assertEquals(503, r.statusCode());
    assertTrue(r.headers().firstValue("Retry-After").isPresent());
    assertFalse(r.body().contains("broker down"));
  }

  // ---- auth

  @Test
  void orchestrateNeedsTheBearerTokenWhenOneIsConfigured() {
    start();
    HttpResponse<String> none = http.post(ApiServer.API + "/Thing/orchestrate", "{}");
    assertEquals(401, none.statusCode());
    assertEquals("missing or invalid bearer token", error(none));
    assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
    HttpResponse<String> wrong = http.post(ApiServer.API + "/Thing/orchestrate", "{}", "Authorization", "Bearer " + TOKEN + "x");
    assertEquals(401, wrong.statusCode());
    HttpResponse<String> basic = http.post(ApiServer.API + "/Thing/orchestrate", "{}", "Authorization", "Basic " + TOKEN);
    assertEquals(401, basic.statusCode());
    assertTrue(sent.isEmpty());
    assertEquals(200, orchestrate("{}").statusCode());
  }

  @Test
  void readsAreOpenByDefault() {
    start();
    assertEquals(200, http.get(ApiServer.API + "/Thing").statusCode());
  }

  @Test
  void readsNeedTheTokenWhenProtected() {
    start(Map.of("iota.api.protect.reads", "true"));
    assertEquals(401, http.get(ApiServer.API + "/Thing").statusCode());
    assertEquals(401, http.get(ApiServer.API).statusCode());
    assertEquals(200, http.get(ApiServer.API + "/Thing", "Authorization", "Bearer " + TOKEN).statusCode());
    assertEquals("Bearer " + TOKEN, queries.requests.get(0).authorization());
    assertEquals(200, http.get("/healthz").statusCode(), "probes stay open");
  }

  @Test
  void withoutATokenEverythingIsOpen() {
    start(Map.of("iota.api.token", ""));
    assertEquals(200, http.post(ApiServer.API + "/Thing/orchestrate", "").statusCode());
  }

  @Test
  void tokenIsReadFromTheTokenFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, "from-file\n");
    start(Map.of("iota.api.token", "", "iota.api.token.file", file.toString()));
    assertEquals(401, http.post(ApiServer.API + "/Thing/orchestrate", "").statusCode());
    assertEquals(200, http.post(ApiServer.API + "/Thing/orchestrate", "", "Authorization", "Bearer from-file").statusCode());
  }

  @Test
  void unreadableTokenFileFailsAtStartNamingTheKey(@TempDir Path dir) {
    OrchestratorConfig config = OrchestratorConfig.of(Map.of("iota.api.token.file", dir.resolve("missing").toString()));
    ConfigException e = assertThrows(ConfigException.class, () -> Auth.fromConfig(config));
    assertTrue(e.getMessage().startsWith("iota.api.token.file"), e.getMessage());
  }

  // ---- CORS

  @Test
  void allowedOriginIsReflectedWithCredentials() {
    start();
    HttpResponse<String> r = http.get(ApiServer.API + "/Thing", "Origin", ADMIN);
    assertEquals(ADMIN, r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    assertEquals("true", r.headers().firstValue("Access-Control-Allow-Credentials").orElse(null));
    assertTrue(r.headers().allValues("Vary").stream().anyMatch(v -> v.contains("Origin")));
  }

  @Test
  void otherOriginsGetNoCorsHeaders() {
    start();
    HttpResponse<String> r = http.get(ApiServer.API + "/Thing", "Origin", "https://evil.example.com");
    assertEquals(200, r.statusCode());
    assertNull(r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    assertNull(r.headers().firstValue("Access-Control-Allow-Credentials").orElse(null));
  }

  @Test
  void preflightFromAnAllowedOriginAllowsTheAuthorizationHeader() {
    start();
    HttpResponse<String> r =
        http.options(ApiServer.API + "/Thing/orchestrate", "Origin", ADMIN, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization, content-type");
    assertEquals(204, r.statusCode(), r.body());
    assertEquals(ADMIN, r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    assertTrue(r.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("POST"));
    assertTrue(r.headers().firstValue("Access-Control-Allow-Headers").orElse("").contains("Authorization"));
    assertTrue(r.headers().firstValue("Access-Control-Allow-Headers").orElse("").contains("X-Request-Id"));
    assertTrue(r.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("PUT"), "the simulation's load routes");
    assertEquals("X-Request-Id, Retry-After", r.headers().firstValue("Access-Control-Expose-Headers").orElse(""));
    HttpResponse<String> evil = http.options(ApiServer.API + "/Thing/orchestrate", "Origin", "https://evil.example.com", "Access-Control-Request-Method", "POST");
    assertTrue(evil.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
    assertTrue(evil.headers().firstValue("Access-Control-Allow-Methods").isEmpty());
  }

  @Test
  void wildcardOriginIsRefusedAtStart() {
    ConfigException e = assertThrows(ConfigException.class, () -> new Cors("https://a.example.com, *"));
    assertTrue(e.getMessage().startsWith("iota.cors.origins"), e.getMessage());
  }

  // ---- health, metrics, documents

  @Test
  void livenessFailsOnlyInErrorStates() {
    start();
    for (KafkaStreams.State s : KafkaStreams.State.values()) {
      state.set(s);
      HttpResponse<String> r = http.get("/healthz");
      boolean failed = s == KafkaStreams.State.ERROR || s == KafkaStreams.State.PENDING_ERROR;
      assertEquals(failed ? 503 : 200, r.statusCode(), s.name());
      assertEquals(s.name(), json(r).get("streams").asText());
    }
  }

  @Test
  void readinessIsOkOnlyWhenRunning() {
    start();
    for (KafkaStreams.State s : KafkaStreams.State.values()) {
      state.set(s);
      assertEquals(s == KafkaStreams.State.RUNNING ? 200 : 503, http.get("/readyz").statusCode(), s.name());
    }
  }

  @Test
  void metricsExposeJvmAndRouteLatencyInPrometheusFormat() {
    start();
    http.get(ApiServer.API + "/Thing/t-1/instances");
    metrics.bindDeadLetters(() -> 3);
    HttpResponse<String> r = http.get("/metrics");
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    assertTrue(r.body().contains("jvm_memory_used_bytes"), "JVM metrics");
    assertTrue(r.body().contains("iota_orchestrator_dlq_records_total 3.0"), "DLQ counter");
    assertTrue(
        r.body().lines().anyMatch(l -> l.startsWith("iota_orchestrator_http_requests_seconds_count") && l.contains("route=\"/v1/api/orchestrations/{resource}/{id}/instances\"") && l.contains("status=\"404\"")),
        "latency timer per route pattern");
  }

  @Test
  void openApiDocumentDescribesEveryRegisteredRoute() {
    start();
    HttpResponse<String> r = http.get("/openapi.json");
    assertEquals(200, r.statusCode());
    JsonNode paths = Json.tree(r.body().getBytes(StandardCharsets.UTF_8)).get("paths");
    List<String> missing = new ArrayList<>();
    assertFalse(api.server().routes().isEmpty());
    for (String route : api.server().routes()) {
      String[] parts = route.split(" ", 2);
      JsonNode path = paths.get(parts[1]);
      if (path == null || path.get(parts[0].toLowerCase()) == null) {
        missing.add(route);
      }
    }
    assertEquals(List.of(), missing);
    List<String> documented = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      e.getValue().fieldNames().forEachRemaining(m -> documented.add(m.toUpperCase() + " " + e.getKey()));
    }
    assertEquals(api.server().routes().size(), documented.size(), "no stale paths in the document: " + documented);
  }

  @Test
  void dashboardIsServedAtTheRoot() {
    start();
    HttpResponse<String> r = http.get("/");
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    assertTrue(r.body().contains("data-testid"));
    assertEquals(200, http.get("/app.js").statusCode());
    assertEquals(200, http.get("/style.css").statusCode());
  }

  // ---- request ids

  private static String requestId(HttpResponse<String> r) {
    return r.headers().firstValue(ApiServer.REQUEST_ID_HEADER).orElseThrow(() -> new AssertionError("no request id in " + r.headers().map()));
  }

  @Test
  void everyAnswerEchoesTheCallersRequestIdWhenUsableAndGivesANewOneOtherwise() {
    start();
    assertEquals("abc-123", requestId(http.get("/healthz", ApiServer.REQUEST_ID_HEADER, "abc-123")));
    assertEquals("abc-124", requestId(http.get(ApiServer.API + "/Nope/x/instances", ApiServer.REQUEST_ID_HEADER, "abc-124")), "errors too");
    for (String unusable : List.of("two words", "a/b", "..", "x".repeat(200))) {
      String id = requestId(http.get("/healthz", ApiServer.REQUEST_ID_HEADER, unusable));
      assertNotEquals(unusable, id);
      assertFalse(id.isBlank());
    }
    assertNotEquals(requestId(http.get("/healthz")), requestId(http.get("/healthz")), "a new id per request");
  }

  @Test
  void anOrchestrateIsSentUnderTheHttpRequestIdAndItsLinesCarryItOnTheThreadThatAnswers() {
    CompletableFuture<RequestResult> later = new CompletableFuture<>();
    nextResult.set(later);
    start();
    try (LogCapture log = LogCapture.of(ApiServer.class.getName(), Level.WARN)) {
      CompletableFuture<HttpResponse<String>> response =
          CompletableFuture.supplyAsync(
              () -> http.post(ApiServer.API + "/Thing/orchestrate", "{}", "Authorization", "Bearer " + TOKEN, "Content-Type", "application/json", ApiServer.REQUEST_ID_HEADER, "req-77"));
      await().until(() -> !sentIds.isEmpty());
      assertEquals(List.of("req-77"), sentIds);
      // Completed here, so the 503's warning is logged on this thread, not on Jetty's.
      later.completeExceptionally(new OrchestrateGateway.GatewayUnavailableException("broker down", null));
      assertEquals(503, response.join().statusCode());
      assertEquals("req-77", requestId(response.join()));
      List<ILoggingEvent> lines = log.events();
      assertFalse(lines.isEmpty(), "the unsent request is logged");
      lines.forEach(e -> assertEquals("req-77", e.getMDCPropertyMap().get(OrchestrateRequest.MDC_REQUEST_ID), e.getFormattedMessage()));
    }
    assertNull(MDC.get(OrchestrateRequest.MDC_REQUEST_ID), "the answering thread's context is restored");
  }

  @Test
  void aRequestIdStillWaitingIsAConflict() {
    nextResult.set(CompletableFuture.failedFuture(new OrchestrateGateway.DuplicateRequestException("req-9")));
    start();
    HttpResponse<String> r = http.post(ApiServer.API + "/Thing/orchestrate", "{}", "Authorization", "Bearer " + TOKEN, "Content-Type", "application/json", ApiServer.REQUEST_ID_HEADER, "req-9");
    assertEquals(409, r.statusCode());
    assertTrue(error(r).contains("req-9"), r.body());
  }

  @Test
  void aFailedReadIsLoggedWithItsRequestId() {
    start();
    queries.placement =
        id -> {
          throw new IllegalStateException("store gone");
        };
    try (LogCapture log = LogCapture.of(ApiServer.class.getName(), Level.WARN)) {
      HttpResponse<String> r = http.get(ApiServer.API + "/Thing/t-1/instances", ApiServer.REQUEST_ID_HEADER, "req-78");
      assertEquals(500, r.statusCode());
      ILoggingEvent line = log.events().stream().filter(e -> e.getLevel() == Level.ERROR).findFirst().orElseThrow();
      assertEquals("req-78", line.getMDCPropertyMap().get(OrchestrateRequest.MDC_REQUEST_ID));
    }
  }
}
