package iota.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OrchestratorMetricsTest {

  @Test
  void aTypeOverCapacityShowsTheResourcesBeyondItsCountsAsAGauge() {
    try (OrchestratorMetrics metrics = new OrchestratorMetrics()) {
      metrics.bindPlan(List.of("Thing", "Rule"), type -> type.equals("Thing")
          ? Optional.of(new TypeCounts(5, 201, 0, 0, 1, 196, 0))
          : Optional.of(new TypeCounts(3, 2, 0, 0, 0)));

      String scrape = metrics.scrape();

      assertTrue(scrape.contains("iota_orchestrator_beyond_capacity{type=\"Thing\"} 196.0"), scrape);
      assertTrue(scrape.contains("iota_orchestrator_beyond_capacity{type=\"Rule\"} 0.0"), scrape);
    }
  }
}
