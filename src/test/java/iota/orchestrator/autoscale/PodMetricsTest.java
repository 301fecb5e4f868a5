package iota.orchestrator.autoscale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.model.InvalidRecordException;
import iota.orchestrator.model.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodMetricsTest {

  private static final PodMetrics.Instance MEASURED =
      new PodMetrics.Instance("iota-dac-0", PodSample.State.MEASURED, 61.5, 105e6, 250, 268435456, true, 1000, 9000, 15000);
  private static final PodMetrics.Instance NO_REQUESTS =
      new PodMetrics.Instance("iota-dac-1", PodSample.State.NO_REQUESTS, 40.0, 90e6, 0, 0, true, 1000, 9000, 15000);
  private static final PodMetrics.Instance MISSING =
      new PodMetrics.Instance("iota-dac-10", PodSample.State.MISSING_METRICS, null, null, 250, 268435456, false, 0, 10000, 0);

  private static PodMetrics parse(String json) {
    return PodMetrics.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String reason(String json) {
    return assertThrows(InvalidRecordException.class, () -> parse(json)).getMessage();
  }

  @Test
  void writtenRecordReadsBackEqual() {
    PodMetrics m = new PodMetrics("Thing", 10000, PodMetrics.Api.available, null, Map.of("0", MEASURED, "1", NO_REQUESTS, "10", MISSING));
    assertEquals(m, PodMetrics.parse(Json.bytes(m)));
  }

  @Test
  void missingPodHasNoUsageFieldsInItsJson() {
    PodMetrics m = new PodMetrics("Thing", 10000, PodMetrics.Api.available, null, Map.of("10", MISSING));
    String json = Json.string(m);
    assertTrue(!json.contains("cpuMillis") && !json.contains("memoryBytes"), json);
  }

  @Test
  void samplesComeInInstanceIdOrderWithTheirStates() {
    PodMetrics m = new PodMetrics("Thing", 10000, PodMetrics.Api.available, null, Map.of("10", MISSING, "0", MEASURED, "1", NO_REQUESTS));
    List<PodSample> samples = m.samples();
    assertEquals(List.of(0, 1, 10), samples.stream().map(PodSample::instanceId).toList());
    assertEquals(PodSample.measured(0, 61.5, 105e6, 250, 268435456, true, 1000, 9000, 15000), samples.get(0));
    assertEquals(PodSample.State.NO_REQUESTS, samples.get(1).state());
    assertEquals(40.0, samples.get(1).cpuMillis());
    assertEquals(PodSample.missing(10, PodSample.State.MISSING_METRICS, 250, 268435456, 10000), samples.get(2));
  }

  @Test
  void unavailableApiIsReportedWithItsError() {
    PodMetrics m = parse("""
        {"resource":"Thing","at":5,"metrics":"unavailable","error":"metrics.k8s.io answered 404",
         "instances":{"0":{"pod":"iota-dac-0","state":"MISSING_METRICS","cpuRequestMillis":0,"memoryRequestBytes":0,
                           "ready":true,"startedAt":1,"timestamp":5,"window":0}}}""");
    assertEquals(PodMetrics.Api.unavailable, m.metrics());
    assertEquals("metrics.k8s.io answered 404", m.error());
    assertEquals(PodSample.State.MISSING_METRICS, m.samples().get(0).state());
  }

  @Test
  void emptyRoundIsValid() {
    PodMetrics m = parse("{\"resource\":\"Rule\",\"at\":5,\"metrics\":\"available\",\"instances\":{}}");
    assertTrue(m.samples().isEmpty());
    assertNull(m.error());
  }

  @Test
  void badInputIsRejectedNamingTheField() {
    assertTrue(reason("").contains("empty"));
    assertTrue(reason("not json").length() > 0);
    assertEquals("pod metrics is not a JSON object", reason("[1]"));
    assertEquals("resource is missing or not a string", reason("{\"at\":1,\"metrics\":\"available\",\"instances\":{}}"));
    assertEquals("at is missing or not a non-negative integer", reason("{\"resource\":\"Thing\",\"at\":-1,\"metrics\":\"available\",\"instances\":{}}"));
    assertTrue(reason("{\"resource\":\"Thing\",\"at\":1,\"metrics\":\"maybe\",\"instances\":{}}").startsWith("metrics must be available or unavailable"));
    assertEquals("error is required when metrics is unavailable", reason("{\"resource\":\"Thing\",\"at\":1,\"metrics\":\"unavailable\",\"instances\":{}}"));
    assertEquals("instances is missing or not an object", reason("{\"resource\":\"Thing\",\"at\":1,\"metrics\":\"available\",\"instances\":[]}"));
    assertEquals("instances: '01' is not an instance id", reason(round("\"01\":" + instance("MEASURED", "\"cpuMillis\":1,\"memoryBytes\":1,", 1))));
  }

  @Test
  void inconsistentInstanceIsRejectedNamingTheField() {
    assertEquals("instances.0.state: unknown state 'BUSY'", reason(round("\"0\":" + instance("BUSY", "", 1))));
    assertTrue(reason(round("\"0\":" + instance("MISSING_POD", "", 1))).startsWith("instances.0.state: MISSING_POD"));
    assertEquals("instances.0: cpuMillis and memoryBytes are required when state is MEASURED", reason(round("\"0\":" + instance("MEASURED", "", 1))));
    assertEquals("instances.0: a MISSING_METRICS pod has no cpuMillis or memoryBytes",
        reason(round("\"0\":" + instance("MISSING_METRICS", "\"cpuMillis\":1,", 1))));
    assertEquals("instances.0.cpuMillis must be a non-negative number", reason(round("\"0\":" + instance("MEASURED", "\"cpuMillis\":-1,\"memoryBytes\":1,", 1))));
    assertEquals("instances.0.cpuMillis must be a non-negative number", reason(round("\"0\":" + instance("MEASURED", "\"cpuMillis\":\"1\",\"memoryBytes\":1,", 1))));
    assertTrue(reason(round("\"0\":" + instance("MEASURED", "\"cpuMillis\":1,\"memoryBytes\":1,", 0))).contains("without one it is NO_REQUESTS"));
    assertEquals("instances.0: a NO_REQUESTS pod lacks a CPU or a memory request",
        reason(round("\"0\":" + instance("NO_REQUESTS", "\"cpuMillis\":1,\"memoryBytes\":1,", 1))));
    assertEquals("instances.0.pod is missing or not a string", reason(round("\"0\":{\"state\":\"MEASURED\"}")));
    assertEquals("instances.0.ready is missing or not a boolean",
        reason(round("\"0\":" + instance("MEASURED", "\"cpuMillis\":1,\"memoryBytes\":1,", 1).replace("\"ready\":true", "\"ready\":\"yes\""))));
    assertEquals("instances.0.window is missing or not a non-negative integer",
        reason(round("\"0\":" + instance("MEASURED", "\"cpuMillis\":1,\"memoryBytes\":1,", 1).replace("\"window\":15000", "\"window\":1.5"))));
    assertEquals("instances.0.state must be MISSING_METRICS when metrics is unavailable",
        reason(round("\"0\":" + instance("MEASURED", "\"cpuMillis\":1,\"memoryBytes\":1,", 1)).replace("\"available\"", "\"unavailable\",\"error\":\"503\"")));
  }

  private static String round(String instances) {
    return "{\"resource\":\"Thing\",\"at\":1,\"metrics\":\"available\",\"instances\":{" + instances + "}}";
  }

  private static String instance(String state, String usage, double request) {
    return "{\"pod\":\"p\",\"state\":\"" + state + "\"," + usage + "\"cpuRequestMillis\":" + request + ",\"memoryRequestBytes\":" + request
        + ",\"ready\":true,\"startedAt\":0,\"timestamp\":1,\"window\":15000}";
  }
}
