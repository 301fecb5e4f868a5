package iota.orchestrator.api;

import static iota.orchestrator.api.Http.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.IntegrationTest;
import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.embedded.SimulatedLoad;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code PUT /v1/api/simulation/load/...} over HTTP, with and without a simulation behind it. */
@IntegrationTest
class SimulationApiTest {
  private static final String TOKEN = "s3cret-token";
  private static final String[] AUTH = {"Authorization", "Bearer " + TOKEN, "Content-Type", "application/json"};

  @RegisterExtension
  final ApiTestServer api = new ApiTestServer(Map.of("iota.api.token", TOKEN));

  private final SimulatedLoad load = new SimulatedLoad(1, 0);
  private Http http;

  private void start(SimulationControl control) {
    http = api.start(Map.of(), server -> server.simulation(control));
  }

  @Test
  void typeLoadIsSetAndAnsweredWithTheSettings() {
    start(load);
    HttpResponse<String> r = http.put(SimulationRoutes.PATH + "/Thing", "{\"cpuMillis\": 0.4, \"memoryMiB\": 0.1}", AUTH);
    assertEquals(200, r.statusCode(), r.body());
    JsonNode body = json(r);
    assertEquals("Thing", body.get("resource").asText());
    assertEquals(0.4, body.get("perResource").get("cpuMillis").asDouble());
    assertEquals(0.1, body.get("perResource").get("memoryMiB").asDouble());
    assertEquals(SimulatedLoad.IDLE_CPU_MILLIS, body.get("idle").get("cpuMillis").asDouble());
    assertEquals(new SimulationControl.Load(0.4, 0.1), load.settings("Thing").perResource());
    assertEquals(new SimulationControl.Load(SimulatedLoad.DEFAULT_CPU_MILLIS, SimulatedLoad.DEFAULT_MEMORY_MIB), load.settings("Rule").perResource());
  }

  @Test
  void oneResourceLoadIsSetBesideTheTypeDefault() {
    start(load);
    HttpResponse<String> r = http.put(SimulationRoutes.PATH + "/Thing/t-hot", "{\"cpuMillis\": 120, \"memoryMiB\": 8}", AUTH);
    assertEquals(200, r.statusCode(), r.body());
    JsonNode body = json(r);
    assertEquals(120, body.get("resources").get("t-hot").get("cpuMillis").asDouble());
    assertEquals(SimulatedLoad.DEFAULT_CPU_MILLIS, body.get("perResource").get("cpuMillis").asDouble());
  }

  @Test
  void writesNeedTheToken() {
    start(load);
    HttpResponse<String> r = http.put(SimulationRoutes.PATH + "/Thing", "{\"cpuMillis\": 1, \"memoryMiB\": 1}", "Content-Type", "application/json");
    assertEquals(401, r.statusCode());
    assertEquals("missing or invalid bearer token", json(r).get("error").asText());
    assertEquals(new SimulationControl.Load(SimulatedLoad.DEFAULT_CPU_MILLIS, SimulatedLoad.DEFAULT_MEMORY_MIB), load.settings("Thing").perResource());
  }

  @Test
  void badBodyIsA400JsonErrorNamingTheField() {
    start(load);
    Map<String, String> cases = Map.of(
        "{\"cpuMillis\": 1, \"memoryMiB\": 1, \"disk\": 3}", "unknown field 'disk' (allowed: cpuMillis, memoryMiB)",
        "{\"memoryMiB\": 1}", "cpuMillis is required",
        "{\"cpuMillis\": \"lots\", \"memoryMiB\": 1}", "cpuMillis must be a number, got \"lots\"",
        "{\"cpuMillis\": 1, \"memoryMiB\": -2}", "memoryMiB must not be negative, got -2");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      for (String path : List.of("/Thing", "/Thing/t-1")) {
        HttpResponse<String> r = http.put(SimulationRoutes.PATH + path, c.getKey(), AUTH);
        assertEquals(400, r.statusCode(), c.getKey());
        assertEquals(c.getValue(), json(r).get("error").asText());
      }
    }
  }

  @Test
  void unknownTypeIs404() {
    start(load);
    HttpResponse<String> r = http.put(SimulationRoutes.PATH + "/Widget", "{\"cpuMillis\": 1, \"memoryMiB\": 1}", AUTH);
    assertEquals(404, r.statusCode());
    assertTrue(json(r).get("error").asText().startsWith("unknown resource type 'Widget'"));
  }

  @Test
  void withoutASimulationBothRoutesAre404() {
    start(null);
    for (String path : List.of("/Thing", "/Thing/t-1")) {
      HttpResponse<String> r = http.put(SimulationRoutes.PATH + path, "{\"cpuMillis\": 1, \"memoryMiB\": 1}", AUTH);
      assertEquals(404, r.statusCode(), path);
      assertEquals("no simulated load here: only embedded mode with simulated workers has one", json(r).get("error").asText());
    }
  }
}
