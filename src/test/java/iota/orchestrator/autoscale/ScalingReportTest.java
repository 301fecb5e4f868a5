package iota.orchestrator.autoscale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.autoscale.ScalingReport.Event;
import iota.orchestrator.autoscale.ScalingReport.InstanceLoad;
import iota.orchestrator.autoscale.ScalingReport.Kind;
import iota.orchestrator.autoscale.ScalingReport.Point;
import iota.orchestrator.autoscale.ScalingReport.Utilization;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ScalingReportTest {

  private static final Utilization TARGET = new Utilization(0.7, 0.8);

  @Test
  void answersInTheShapeTheIssueNames() {
    ScalingReport report = new ScalingReport("Thing", true, 10, 14, null, new Utilization(0.93, 0.41), TARGET,
        new TreeMap<>(Map.of("0", new InstanceLoad(930.0, 4.0e8, 0.93, 0.41, 1000, 880.0, false))), null, null, 1.2,
        null, null)
        .withEvent(new Event(1000, Kind.SCALE_UP, 10, 14, "cpu 93% of requests > target 70%: 10 -> 14 instances", 0));
    String json = new String(report.toJson(), StandardCharsets.UTF_8);
    assertEquals("{\"resource\":\"Thing\",\"enabled\":true,\"current\":10,\"desired\":14,\"limitedBy\":null,"
        + "\"utilization\":{\"cpu\":0.93,\"memory\":0.41},\"target\":{\"cpu\":0.7,\"memory\":0.8},"
        + "\"instances\":{\"0\":{\"cpuMillis\":930.0,\"memoryBytes\":4.0E8,\"cpuUtilization\":0.93,"
        + "\"memoryUtilization\":0.41,\"resources\":1000,\"estimatedLoad\":880.0,\"draining\":false}},"
        + "\"events\":[{\"at\":1000,\"kind\":\"scale-up\",\"from\":10,\"to\":14,\"reason\":\"cpu 93% of requests > target 70%: 10 -> 14 instances\","
        + "\"moved\":0}],\"history\":[],\"maxOverMean\":1.2,\"eventsTotal\":{\"scale-up\":1},"
        + "\"movesTotal\":{\"scale-up\":0}}", json);
    assertEquals(report, ScalingReport.fromJson(report.toJson()));
  }

  @Test
  void keepsTheLastFiftyEvents() {
    ScalingReport report = ScalingReport.initial("Thing", true, 2, TARGET);
    for (int i = 0; i < 60; i++) {
      report = report.withEvent(new Event(i, i % 2 == 0 ? Kind.REBALANCE : Kind.DRAIN, 2, 2, "event " + i, 3));
    }
    assertEquals(ScalingReport.MAX_EVENTS, report.events().size());
    assertEquals("event 10", report.events().get(0).reason());
    assertEquals("event 59", report.events().get(49).reason());
    assertEquals(Map.of(Kind.REBALANCE, 30L, Kind.DRAIN, 30L), report.eventsTotal(), "counted beyond the fifty kept");
    assertEquals(Map.of(Kind.REBALANCE, 90L, Kind.DRAIN, 90L), report.movesTotal());
  }

  @Test
  void keepsOneHourOfHistoryInRecordTime() {
    ScalingReport report = ScalingReport.initial("Thing", true, 2, TARGET);
    for (long at = 0; at <= 2 * ScalingReport.HISTORY_MILLIS; at += 60_000) {
      report = report.withPoint(new Point(at, 2, 0.5, null));
    }
    long newest = report.history().get(report.history().size() - 1).at();
    assertEquals(2 * ScalingReport.HISTORY_MILLIS, newest);
    assertTrue(report.history().stream().allMatch(p -> p.at() > newest - ScalingReport.HISTORY_MILLIS));
    assertEquals(60, report.history().size());
  }
}
