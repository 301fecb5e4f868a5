package iota.orchestrator.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.IntegrationTest;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.model.OrchestrationReport;
import iota.orchestrator.model.RequestResult;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in headless Chromium against a real server with a canned plan: it shows every type
 * with its instances, finds a resource, re-orchestrates with the saved token, shows errors, and
 * refreshes by itself. Skipped where Chromium and chromedriver are not installed.
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
}
