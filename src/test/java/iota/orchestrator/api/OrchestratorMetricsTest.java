package iota.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.autoscale.ScalingReport;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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

  private static ScalingReport thingReport() {
    ScalingReport r = new ScalingReport("Thing", true, 10, 14, "ScaleUpLimit", new ScalingReport.Utilization(0.93, 0.41),
        new ScalingReport.Utilization(0.7, 0.8), new TreeMap<>(), null, null, 1.25, null, null);
    return r.withEvent(new ScalingReport.Event(1_000, ScalingReport.Kind.SCALE_UP, 6, 10, "cpu 95% of requests > target 70%: 6 -> 10 instances", 40))
        .withEvent(new ScalingReport.Event(2_000, ScalingReport.Kind.SCALE_UP, 10, 14, "cpu 93% of requests > target 70%: 10 -> 14 instances", 25))
        .withEvent(new ScalingReport.Event(3_000, ScalingReport.Kind.DRAIN, 14, 14, "instance 3 drained", 7));
  }

  /** The lines of one metric, without its HELP and TYPE comments. */
  private static List<String> lines(String scrape, String name) {
    return scrape.lines().filter(l -> l.startsWith(name + "{")).sorted().toList();
  }

  @Test
  void scalingMetricsComeFromTheReportOfEachTypeThisInstanceOwns() {
    try (OrchestratorMetrics metrics = new OrchestratorMetrics()) {
      // Rule is owned elsewhere: 0 here, so a sum over app instances counts it once.
      metrics.bindScaling(List.of("Thing", "Rule"), type -> type.equals("Thing") ? Optional.of(thingReport()) : Optional.empty());

      String scrape = metrics.scrape();

      assertEquals(List.of("iota_orchestrator_instances_current{resource=\"Rule\"} 0.0", "iota_orchestrator_instances_current{resource=\"Thing\"} 10.0"),
          lines(scrape, "iota_orchestrator_instances_current"));
      assertEquals(List.of("iota_orchestrator_instances_desired{resource=\"Rule\"} 0.0", "iota_orchestrator_instances_desired{resource=\"Thing\"} 14.0"),
          lines(scrape, "iota_orchestrator_instances_desired"));
      assertEquals(List.of(
              "iota_orchestrator_utilization{metric=\"cpu\",resource=\"Rule\"} 0.0",
              "iota_orchestrator_utilization{metric=\"cpu\",resource=\"Thing\"} 0.93",
              "iota_orchestrator_utilization{metric=\"memory\",resource=\"Rule\"} 0.0",
              "iota_orchestrator_utilization{metric=\"memory\",resource=\"Thing\"} 0.41"),
          lines(scrape, "iota_orchestrator_utilization"));
      assertEquals(List.of("iota_orchestrator_load_max_over_mean{resource=\"Rule\"} 0.0", "iota_orchestrator_load_max_over_mean{resource=\"Thing\"} 1.25"),
          lines(scrape, "iota_orchestrator_load_max_over_mean"));
      List<String> thingEvents = lines(scrape, "iota_orchestrator_scale_events_total").stream().filter(l -> l.contains("resource=\"Thing\"")).toList();
      assertEquals(List.of(
              "iota_orchestrator_scale_events_total{kind=\"drain\",resource=\"Thing\"} 1.0",
              "iota_orchestrator_scale_events_total{kind=\"rebalance\",resource=\"Thing\"} 0.0",
              "iota_orchestrator_scale_events_total{kind=\"scale-down\",resource=\"Thing\"} 0.0",
              "iota_orchestrator_scale_events_total{kind=\"scale-up\",resource=\"Thing\"} 2.0",
              "iota_orchestrator_scale_events_total{kind=\"undrain\",resource=\"Thing\"} 0.0"),
          thingEvents);
      List<String> thingMoves = lines(scrape, "iota_orchestrator_scale_moves_total").stream().filter(l -> l.contains("resource=\"Thing\"")).toList();
      assertEquals(List.of(
              "iota_orchestrator_scale_moves_total{kind=\"drain\",resource=\"Thing\"} 7.0",
              "iota_orchestrator_scale_moves_total{kind=\"rebalance\",resource=\"Thing\"} 0.0",
              "iota_orchestrator_scale_moves_total{kind=\"scale-down\",resource=\"Thing\"} 0.0",
              "iota_orchestrator_scale_moves_total{kind=\"scale-up\",resource=\"Thing\"} 65.0",
              "iota_orchestrator_scale_moves_total{kind=\"undrain\",resource=\"Thing\"} 0.0"),
          thingMoves);
      assertEquals(5, lines(scrape, "iota_orchestrator_scale_moves_total").stream().filter(l -> l.contains("resource=\"Rule\"") && l.endsWith(" 0.0")).count());
    }
  }

  @Test
  void unmeasuredUtilizationIsNaNNotZero() {
    try (OrchestratorMetrics metrics = new OrchestratorMetrics()) {
      metrics.bindScaling(List.of("Thing"), type -> Optional.of(ScalingReport.initial("Thing", true, 10, new ScalingReport.Utilization(0.7, 0.8))));

      String scrape = metrics.scrape();

      assertEquals(List.of("iota_orchestrator_utilization{metric=\"cpu\",resource=\"Thing\"} NaN", "iota_orchestrator_utilization{metric=\"memory\",resource=\"Thing\"} NaN"),
          lines(scrape, "iota_orchestrator_utilization"));
      assertEquals(List.of("iota_orchestrator_instances_desired{resource=\"Thing\"} 10.0"), lines(scrape, "iota_orchestrator_instances_desired"));
      assertEquals(List.of("iota_orchestrator_load_max_over_mean{resource=\"Thing\"} 1.0"), lines(scrape, "iota_orchestrator_load_max_over_mean"));
    }
  }

  @Test
  void theScalingMovesCounterStandsBesideThePlansMovesCounter() {
    try (OrchestratorMetrics metrics = new OrchestratorMetrics()) {
      metrics.bindPlan(List.of("Thing"), type -> Optional.of(new TypeCounts(5, 201, 96, 0, 1)));
      metrics.bindScaling(List.of("Thing"), type -> Optional.of(thingReport()));

      String scrape = metrics.scrape();

      assertEquals(List.of("iota_orchestrator_moves_total{type=\"Thing\"} 96.0"), lines(scrape, "iota_orchestrator_moves_total"));
      assertEquals(5, lines(scrape, "iota_orchestrator_scale_moves_total").size());
    }
  }

  @Test
  void aScrapeReadsTheReportAtMostOncePerCacheWindow() {
    AtomicLong nanos = new AtomicLong();
    AtomicLong reads = new AtomicLong();
    AtomicReference<ScalingReport> report = new AtomicReference<>(thingReport());
    try (OrchestratorMetrics metrics = new OrchestratorMetrics(nanos::get)) {
      metrics.bindScaling(List.of("Thing"), type -> {
        reads.incrementAndGet();
        return Optional.of(report.get());
      });
      metrics.scrape();
      assertEquals(1, reads.get(), "one read for the fifteen meters of the type");

      report.set(ScalingReport.initial("Thing", true, 12, new ScalingReport.Utilization(0.7, 0.8)));
      nanos.addAndGet(OrchestratorMetrics.PLAN_CACHE.toNanos() + 1);
      String later = metrics.scrape();
      assertEquals(2, reads.get());
      assertEquals(List.of("iota_orchestrator_instances_current{resource=\"Thing\"} 12.0"), lines(later, "iota_orchestrator_instances_current"));
    }
  }
}
