package iota.orchestrator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DrainRequestTest {

  private static DrainRequest parse(String json) {
    return DrainRequest.parse(Json.tree(json.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void roundTripsThroughItsWireForm() {
    DrainRequest drain = new DrainRequest("r-1", "Thing", 3, true);
    DrainRequest back = DrainRequest.parse(Json.tree(drain.toJson()));
    assertEquals(drain, back);
    assertEquals("undrain", new DrainRequest("r-2", "Thing", 0, false).op());
  }

  @Test
  void isToldApartFromAnOrchestrateRequest() {
    assertTrue(DrainRequest.isDrainRequest(Json.tree(new DrainRequest("r", "Thing", 1, true).toJson())));
    OrchestrateRequest orchestrate = new OrchestrateRequest("r", "Thing", new OrchestrationParams(10, 5, 2));
    assertFalse(DrainRequest.isDrainRequest(Json.tree(orchestrate.toJson())));
  }

  @Test
  void badRequestsNameTheirField() {
    String base = "\"requestId\":\"r\",\"resource\":\"Thing\"";
    assertEquals("op must be \"drain\" or \"undrain\"",
        assertThrows(InvalidRecordException.class, () -> parse("{" + base + ",\"op\":\"stop\",\"instanceId\":1}"))
            .getMessage());
    assertEquals("instanceId is missing or not an integer",
        assertThrows(InvalidRecordException.class, () -> parse("{" + base + ",\"op\":\"drain\",\"instanceId\":\"1\"}"))
            .getMessage());
    assertEquals("instanceId must be >= 0, got -1",
        assertThrows(InvalidRecordException.class, () -> parse("{" + base + ",\"op\":\"drain\",\"instanceId\":-1}"))
            .getMessage());
    assertEquals("unknown field extra",
        assertThrows(InvalidRecordException.class,
            () -> parse("{" + base + ",\"op\":\"drain\",\"instanceId\":1,\"extra\":true}")).getMessage());
  }
}
