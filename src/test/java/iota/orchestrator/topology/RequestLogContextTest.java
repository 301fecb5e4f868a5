package iota.orchestrator.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import iota.orchestrator.LogCapture;
import iota.orchestrator.model.OrchestrateRequest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The topology's log lines about an orchestrate request carry the request's id, and only those. */
class RequestLogContextTest {
  @Test
  void everyLineLoggedWhileApplyingARequestCarriesItsId() {
    try (TopologyFixture f = new TopologyFixture(); LogCapture log = LogCapture.of("iota.orchestrator", Level.DEBUG)) {
      f.notify("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"t1\"}}");
      log.clear();
      f.request("{\"requestId\":\"q-log\",\"resource\":\"Thing\",\"maxInstances\":10,\"resourcePerInstance\":4,\"initInstances\":3}");
      List<ILoggingEvent> lines = log.events();
      assertFalse(lines.isEmpty(), "the request is logged");
      lines.forEach(e -> assertEquals("q-log", e.getMDCPropertyMap().get(OrchestrateRequest.MDC_REQUEST_ID), e.getFormattedMessage()));
      assertEquals(200, f.result().get("status").asInt());
      assertNull(MDC.get(OrchestrateRequest.MDC_REQUEST_ID), "the next record is not logged under it");
    }
  }
}
