package iota.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The body of {@code PUT /v1/api/simulation/load/...}: what is accepted and how a refusal reads. */
class SimulationRoutesTest {

  private static SimulationControl.Load load(String body) {
    return SimulationRoutes.load(body.getBytes(StandardCharsets.UTF_8), "application/json");
  }

  private static ApiException refused(String body) {
    return assertThrows(ApiException.class, () -> load(body));
  }

  @Test
  void fractionsAndZeroAreAccepted() {
    assertEquals(new SimulationControl.Load(0.5, 0.05), load("{\"cpuMillis\": 0.5, \"memoryMiB\": 0.05}"));
    assertEquals(new SimulationControl.Load(0, 0), load("{\"cpuMillis\": 0, \"memoryMiB\": 0}"));
    assertEquals(new SimulationControl.Load(400, 2), load("{\"cpuMillis\": 400, \"memoryMiB\": 2}"));
  }

  @Test
  void everyRefusalIsA400NamingTheField() {
    assertEquals("unknown field 'cpu' (allowed: cpuMillis, memoryMiB)", refused("{\"cpu\": 1, \"cpuMillis\": 1, \"memoryMiB\": 1}").getMessage());
    assertEquals("memoryMiB is required", refused("{\"cpuMillis\": 1}").getMessage());
    assertEquals("cpuMillis is required", refused("{\"cpuMillis\": null, \"memoryMiB\": 1}").getMessage());
    assertEquals("cpuMillis must be a number, got \"1\"", refused("{\"cpuMillis\": \"1\", \"memoryMiB\": 1}").getMessage());
    assertEquals("memoryMiB must be a number, got true", refused("{\"cpuMillis\": 1, \"memoryMiB\": true}").getMessage());
    assertEquals("memoryMiB must not be negative, got -0.5", refused("{\"cpuMillis\": 1, \"memoryMiB\": -0.5}").getMessage());
    assertEquals("body must be a JSON object with cpuMillis and memoryMiB", refused("[1, 2]").getMessage());
    assertEquals("body must be a JSON object with cpuMillis and memoryMiB", refused("").getMessage());
    assertEquals("body is not valid JSON", refused("{cpuMillis: 1").getMessage());
    for (String body : new String[] {"{\"cpu\": 1}", "{\"cpuMillis\": -1, \"memoryMiB\": 1}", "[]"}) {
      assertEquals(400, refused(body).status(), body);
    }
  }

  @Test
  void aBodyThatIsNotJsonByContentTypeIs415() {
    ApiException e = assertThrows(ApiException.class,
        () -> SimulationRoutes.load("{\"cpuMillis\": 1, \"memoryMiB\": 1}".getBytes(StandardCharsets.UTF_8), "text/plain"));
    assertEquals(415, e.status());
  }
}
