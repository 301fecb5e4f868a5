package iota.orchestrator.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.IntegrationTest;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.model.OrchestrationReport;
import iota.orchestrator.model.RequestResult;
import iota.orchestrator.autoscale.ScalingReport;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in headless Chromium against a real server with a canned plan and scaling report: it
 * shows every type with its instances, finds a resource, re-orchestrates with the saved token, shows
 * utilization against the targets, the last hour and the scaling events, drains and undrains, shows
 * errors, and refreshes by itself. Skipped where Chromium and chromedriver are not installed.
 */
@IntegrationTest
class DashboardBrowserTest {
  private static final String TOKEN = "dash-token";

  private final FakePlanQueries queries = new FakePlanQueries();
  private final FakeGateway gateway = new FakeGateway();
  private final AtomicInteger used = new AtomicInteger(1);
  private final OrchestratorMetrics metrics = new OrchestratorMetrics();
  private ApiServer server;
  private WebDriver browser;

  @BeforeEach
  void start() {
    if ("true".equals(System.getenv("CI"))) {
      // .ci/run installs them: in CI a missing browser is a broken setup, not a reason to skip.
      assertTrue(WebDriver.available(), "chromium and chromedriver must be installed in CI");
    }
    Assumptions.assumeTrue(WebDriver.available(), "chromium and chromedriver are not installed (apt-get install chromium chromium-driver)");
    queries.summary = r -> Reply.ok(summary(r.type()));
    queries.plan = r -> Reply.ok(Map.of("resource", r.type(), "instances", r.type().equals("Thing") ? thingInstances() : Map.of()));
    queries.scalingReports = type -> type.equals("Thing") ? Optional.of(thingScaling()) : Optional.empty();
    gateway.drainAnswer = d -> CompletableFuture.completedFuture(RequestResult.ok("d", new OrchestrationReport(d.resource(), 2, 2, 5, 0, List.of(), List.of(), 2, 0)));
    queries.placement = id -> id.equals("t-1") ? Reply.ok(Map.of("runIn", "1")) : Reply.error(404, "Thing '" + id + "' is not placed");
    OrchestratorConfig config = OrchestratorConfig.of(Map.of("iota.http.host", "127.0.0.1", "iota.http.port", "0", "iota.api.token", TOKEN));
    gateway.orchestrateAnswer =
        resource -> CompletableFuture.completedFuture(RequestResult.ok("r", new OrchestrationReport(resource, 4, 2, 1, 2, List.of("2", "3"), List.of(), 1, 0)));
    server = new ApiServer(config, queries, gateway, () -> KafkaStreams.State.RUNNING, metrics).start();
    browser = new WebDriver();
    browser.open("http://127.0.0.1:" + server.port() + "/");
  }

  @AfterEach
  void stop() {
    if (browser != null) browser.close();
    if (server != null) server.close();
    metrics.close();
  }

  /** Thing is over capacity once instance 0 holds more than its count of 2. */
  private Map<String, Object> summary(String type) {
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("resource", type);
    summary.put("instances", type.equals("Thing") ? 2 : 0);
    summary.put("resources", used.get() + 1);
    summary.put("moves", 4);
    summary.put("recreates", 1);
    summary.put("orchestrations", 2);
    summary.put("orchestrated", true);
    summary.put("overCapacity", type.equals("Thing") && used.get() > 2);
    summary.put("beyondCapacity", type.equals("Thing") ? Math.max(0, used.get() - 2) : 0);
    summary.put("params", Map.of("initInstances", 2, "maxInstances", 10, "resourcePerInstance", 2));
    return summary;
  }

  private Map<String, Object> thingInstances() {
    Map<String, Object> instances = new LinkedHashMap<>();
    instances.put("0", instance(used.get(), "healthy", "Running", 3000L));
    instances.put("1", instance(1, "late", "Pending", null));
    return instances;
  }

  private static Map<String, Object> instance(int used, String status, String phase, Long age) {
    Map<String, Object> health = new LinkedHashMap<>();
    health.put("status", status);
    health.put("lastHeartbeat", age == null ? null : 1L);
    health.put("heartbeatAgeMs", age);
    health.put("podPhase", phase);
    health.put("recreates", 0);
    return Map.of("data", Map.of("used", used, "count", 2), "resources", Map.of("ids", List.of()), "_reload", Map.of("times", 7), "health", health);
  }

  private static final Instant HOUR_START = Instant.parse("2026-01-01T11:00:00Z");

  /** Instance 1 draining; three rounds in the last hour (11:01 to 12:00); a scale-up, then the drain. */
  private static ScalingReport thingScaling() {
    TreeMap<String, ScalingReport.InstanceLoad> instances = new TreeMap<>(Map.of(
        "0", new ScalingReport.InstanceLoad(630.0, 4.3e8, 0.9, 0.4, 2, 580.0, false),
        "1", new ScalingReport.InstanceLoad(210.0, 2.1e8, 0.3, 0.2, 0, 0.0, true)));
    long t0 = HOUR_START.toEpochMilli();
    return new ScalingReport("Thing", true, 2, 3, "TooManyReplicas", new ScalingReport.Utilization(0.6, 0.3),
        new ScalingReport.Utilization(0.7, 0.8), instances, null, null, 1.5, null, null)
        .withPoint(new ScalingReport.Point(t0 + 60_000, 1, 0.6, null))
        .withPoint(new ScalingReport.Point(t0 + 1_800_000, 1, 0.9, 0.3))
        .withPoint(new ScalingReport.Point(t0 + 3_600_000, 2, 1.2, 0.45))
        .withEvent(new ScalingReport.Event(t0 + 1_800_000, ScalingReport.Kind.SCALE_UP, 1, 2, "cpu 90% of requests > target 70%: 1 -> 2 instances", 4))
        .withEvent(new ScalingReport.Event(t0 + 2_700_000, ScalingReport.Kind.DRAIN, 2, 2, "instance 1 drained", 5));
  }

  private String attribute(String testId, String attribute) {
    return browser.script("return document.querySelector('[data-testid=\"" + testId + "\"]').getAttribute('" + attribute + "')").asText();
  }

  private String style(String testId, String property) {
    return browser.script("return document.querySelector('[data-testid=\"" + testId + "\"]').style." + property).asText();
  }

  private void awaitText(String testId, String contains) {
    await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> assertTrue(browser.text(testId).contains(contains), testId + ": " + browser.text(testId)));
  }

  @Test
  void showsEveryTypeWithItsInstancesAndTotals() {
    awaitText("used-Thing-0", "1 / 2");
    assertEquals("healthy", browser.text("status-Thing-0"));
    assertEquals("late", browser.text("status-Thing-1"));
    assertEquals("7", browser.text("reload-Thing-0"));
    assertTrue(browser.text("instance-Thing-0").contains("3 s ago"));
    assertTrue(browser.text("instance-Thing-0").contains("Running"));
    assertEquals("2", browser.text("total-instances-Thing"));
    assertEquals("4", browser.text("total-moves-Thing"));
    awaitText("instances-Rule", "no instances yet");
  }

  @Test
  void refreshesByItself() {
    awaitText("used-Thing-0", "1 / 2");
    used.set(2);
    awaitText("used-Thing-0", "2 / 2");
    awaitText("total-resources-Thing", "3");
  }

  /** Makes the page believe its tab was hidden or shown, as the browser does on a tab switch. */
  private void setVisibility(String state) {
    browser.script("Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => '" + state + "'});"
        + "document.dispatchEvent(new Event('visibilitychange')); return null;");
  }

  @Test
  void readsThePlanWithoutIdsAndStopsPollingWhileHidden() {
    awaitText("used-Thing-0", "1 / 2");
    List<String> planReads = queries.requests.stream().map(ReadRequest::pathAndQuery).filter(p -> !p.endsWith("/summary")).toList();
    assertTrue(!planReads.isEmpty() && planReads.stream().allMatch(p -> p.endsWith("?ids=false")), planReads.toString());

    setVisibility("hidden");
    // Let a refresh that was already under way finish, then nothing more may be asked.
    await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> true);
    int asked = queries.requests.size();
    await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8)).until(() -> queries.requests.size() == asked);

    used.set(2);
    setVisibility("visible");
    awaitText("used-Thing-0", "2 / 2");
  }

  @Test
  void saysSoWhenATypeIsOverCapacity() {
    awaitText("used-Thing-0", "1 / 2");
    assertEquals("", browser.text("over-capacity-Thing"), "hidden while within capacity");
    used.set(5);
    awaitText("over-capacity-Thing", "Over capacity: 3 resources beyond the instances' capacity at the maximum of 10 instances");
    assertEquals("", browser.text("over-capacity-Rule"));
  }

  @Test
  void findsWhereAResourceRuns() {
    awaitText("find-type", "Thing");
    browser.type("find-id", "t-1");
    browser.click("find-submit");
    awaitText("find-result", "runs in instance 1");
    browser.type("find-id", "nope");
    browser.click("find-submit");
    awaitText("find-result", "is not placed");
  }

  @Test
  void reOrchestratesWithTheSavedTokenAndShowsTheReportOrTheError() {
    awaitText("used-Thing-0", "1 / 2");
    browser.type("orchestrate-max-Thing", "10");
    browser.click("orchestrate-submit-Thing");
    awaitText("orchestrate-result-Thing", "401");

    browser.type("token-input", TOKEN);
    browser.click("token-save");
    awaitText("token-state", "saved");
    browser.click("orchestrate-submit-Thing");
    awaitText("orchestrate-result-Thing", "4 instances × 2: moved 1, kept 2, created [2, 3]");

    browser.type("orchestrate-init-Thing", "50");
    browser.click("orchestrate-submit-Thing");
    awaitText("orchestrate-result-Thing", "initInstances must be at most maxInstances (10), got 50");
    assertEquals(TOKEN, browser.script("return localStorage.getItem('iota.orchestrator.token')").asText(), "token kept across reloads");
  }

  // ---- scaling

  @Test
  void showsEachInstancesUtilizationAsBarsAgainstTheTargetAndMarksDrainingOnes() {
    awaitText("cpu-Thing-0", "90%");
    assertEquals("40%", browser.text("memory-Thing-0"));
    assertEquals("30%", browser.text("cpu-Thing-1"));
    assertEquals("CPU (target 70%)", browser.text("cpu-header-Thing"));
    assertEquals("Memory (target 80%)", browser.text("memory-header-Thing"));
    assertEquals("46.7%", style("cpu-target-Thing-0", "left"), "the target line at 70 % of a 150 % bar");
    assertEquals("53.3%", style("memory-target-Thing-0", "left"));
    assertEquals("60%", browser.script("return document.querySelector('[data-testid=\"cpu-Thing-0\"]').previousElementSibling.firstElementChild.style.width").asText());
    assertEquals("fill over", browser.script("return document.querySelector('[data-testid=\"cpu-Thing-0\"]').previousElementSibling.firstElementChild.className").asText(),
        "above its target");
    assertEquals("draining", browser.text("draining-Thing-1"));
    assertTrue(browser.script("return document.querySelector('[data-testid=\"draining-Thing-0\"]') === null").asBoolean(), "instance 0 is not draining");
    assertEquals("draining", attribute("instance-Thing-1", "class"));
    assertEquals("Drain", browser.text("drain-Thing-0"));
    assertEquals("Undrain", browser.text("drain-Thing-1"));
    assertEquals("Autoscaling on · 2 instances, desired 3 (limited: TooManyReplicas) · CPU 60% of requests, target 70% · "
        + "memory 30%, target 80% · max/mean load 1.50", browser.text("scaling-status-Thing"));
  }

  @Test
  void plotsThePoolAndUtilizationOfTheLastHourAndListsTheEventsNewestFirst() {
    awaitText("events-Thing", "instance 1 drained");
    // x: 40 + 520 × (part of the hour up to the newest round); pool on 0..3 and utilization on
    // 0..150 % over y 180..10.
    assertEquals("48.7,123.3 300.0,123.3 300.0,123.3 560.0,123.3 560.0,66.7", attribute("plot-instances-Thing", "points"), "steps");
    assertEquals("48.7,112.0 300.0,78.0 560.0,44.0", attribute("plot-cpu-Thing", "points"));
    assertEquals("300.0,146.0 560.0,129.0", attribute("plot-memory-Thing", "points"), "the unmeasured round is left out");
    assertEquals("100.7", attribute("plot-cpu-target-Thing", "y1"));
    assertEquals("89.3", attribute("plot-memory-target-Thing", "y1"));
    assertTrue(browser.text("scaling-plot-Thing").contains("12:00:00 UTC"), browser.text("scaling-plot-Thing"));
    assertEquals("11:45:00 UTC drain 2 → 2: instance 1 drained (moved 5)", browser.text("event-Thing-0"));
    assertEquals("11:30:00 UTC scale-up 1 → 2: cpu 90% of requests > target 70%: 1 -> 2 instances (moved 4)", browser.text("event-Thing-1"));
  }

  @Test
  void drainsAndUndrainsWithTheSavedToken() {
    awaitText("drain-Thing-0", "Drain");
    browser.click("drain-Thing-0");
    awaitText("drain-result-Thing", "drain of instance 0: 401: missing or invalid bearer token");
    assertEquals(List.of(), gateway.drains);

    browser.type("token-input", TOKEN);
    browser.click("token-save");
    awaitText("token-state", "saved");
    browser.click("drain-Thing-0");
    awaitText("drain-result-Thing", "instance 0 drained: 5 resources moved");
    assertEquals(List.of(new FakeGateway.Drain("Thing", 0, true)), gateway.drains);

    browser.click("drain-Thing-1");
    awaitText("drain-result-Thing", "instance 1 eligible again: 5 resources moved");
    assertEquals(List.of(new FakeGateway.Drain("Thing", 0, true), new FakeGateway.Drain("Thing", 1, false)), gateway.drains);
  }

  @Test
  void aTypeWhoseScalingReportIsNotReadableSaysSoInItsOwnSection() {
    awaitText("scaling-status-Rule", "scaling report: 503: no scaling report of Rule readable");
    assertEquals("", browser.text("error-banner"), "the plans are fine: no page-wide error");
    awaitText("used-Thing-0", "1 / 2");
  }
}
