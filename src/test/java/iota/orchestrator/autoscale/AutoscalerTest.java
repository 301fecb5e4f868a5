package iota.orchestrator.autoscale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class AutoscalerTest {

  private static final long T0 = 1_700_000_000_000L;
  private static final double MIB = 1024 * 1024;
  private static final ScalingParams PARAMS = ScalingParams.defaults(3, 100, 5000);

  /** A pool of {@code n} instances, each measured by {@code pod}. */
  private static MetricsRound round(long ts, int n, int resources, IntFunction<PodSample> pod) {
    List<Integer> ids = new ArrayList<>();
    List<PodSample> samples = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(i);
      PodSample s = pod.apply(i);
      if (s != null) {
        samples.add(s);
      }
    }
    return new MetricsRound(ts, ids, resources, samples);
  }

  /** An old, Ready pod at {@code cpu} of 1000m and {@code memory} of 512 MiB. */
  private static PodSample pod(int id, long ts, double cpu, double memory) {
    return PodSample.measured(id, cpu * 1000, memory * 512 * MIB, 1000, 512 * MIB, true, ts - 3_600_000, ts, 15_000);
  }

  private static MetricsRound uniform(long ts, int n, double cpu, double memory) {
    return round(ts, n, 100, i -> pod(i, ts, cpu, memory));
  }

  @Test
  void scalesUpAtOnceToTheCeilingOfUtilizationOverTarget() {
    Decision d = Autoscaler.decide(PARAMS, uniform(T0, 10, 0.93, 0.40), ScalingState.empty());
    assertEquals(14, d.to());
    assertEquals(Condition.SUCCEEDED_RESCALE, d.condition());
    assertNull(d.limitedBy());
    assertTrue(d.reason().startsWith("cpu 93% of requests > target 70%"), d.reason());
    assertTrue(d.reason().endsWith(": 10 -> 14 instances"), d.reason());
    assertEquals(0.93, d.cpuUtilization(), 1e-9);
  }

  @Test
  void noChangeWhileWithinTheTolerance() {
    Decision inside = Autoscaler.decide(PARAMS, uniform(T0, 10, 0.76, 0.80), ScalingState.empty());
    assertEquals(10, inside.to());
    assertEquals(Condition.DESIRED_WITHIN_RANGE, inside.condition());
    assertTrue(inside.reason().contains("cpu 76% of requests within 10% of target 70%"), inside.reason());
    Decision outside = Autoscaler.decide(PARAMS, uniform(T0, 10, 0.78, 0.80), ScalingState.empty());
    assertEquals(12, outside.to());
  }

  @Test
  void theLargerMetricWins() {
    Decision d = Autoscaler.decide(PARAMS, uniform(T0, 10, 0.84, 1.20), ScalingState.empty());
    // cpu asks ceil(10 * 1.2) = 12, memory ceil(10 * 1.5) = 15
    assertEquals(15, d.to());
    assertEquals(15, d.recommended());
    assertTrue(d.reason().contains("memory 120% of requests > target 80%"), d.reason());
  }

  @Test
  void aScaleUpRoundAddsAtMostTheStep() {
    Decision big = Autoscaler.decide(PARAMS, uniform(T0, 5, 3.0, 0.5), ScalingState.empty());
    assertEquals(22, big.recommended());
    assertEquals(10, big.to(), "100% of a pool of 5");
    assertEquals(Limit.SCALE_UP_LIMIT, big.limitedBy());
    assertTrue(big.reason().contains("at most 5 more per round: 5 -> 10 (ScaleUpLimit)"), big.reason());
    Decision small = Autoscaler.decide(PARAMS, uniform(T0, 2, 3.0, 0.5), ScalingState.empty());
    assertEquals(6, small.to(), "at least 4 at once");
  }

  @Test
  void maxInstancesLimitsWithoutFailing() {
    ScalingParams capped = ScalingParams.defaults(3, 12, 5000);
    Decision d = Autoscaler.decide(capped, uniform(T0, 10, 0.93, 0.4), ScalingState.empty());
    assertEquals(12, d.to());
    assertEquals(Limit.TOO_MANY_REPLICAS, d.limitedBy());
    assertEquals(Condition.SUCCEEDED_RESCALE, d.condition());
    Decision atMax = Autoscaler.decide(capped, uniform(T0 + 15_000, 12, 0.93, 0.4), d.state());
    assertEquals(12, atMax.to());
    assertFalse(atMax.scales());
    assertTrue(atMax.scalingLimited());
    assertTrue(atMax.reason().contains("limited by maxInstances 12"), atMax.reason());
  }

  @Test
  void neverBelowTheCountFormulaNorInitInstances() {
    ScalingParams quick = new ScalingParams(true, 0.7, 0.8, 0.1, 4, 1.0, 0, 30_000, 3, 100, 5000);
    // 30,000 resources at 5,000 per instance: floor(6) + 1 = 7 instances at least
    int n = 9;
    long ts = T0;
    ScalingState state = ScalingState.empty();
    List<Integer> sizes = new ArrayList<>();
    for (int r = 0; r < 5; r++) {
      int pool = n;
      long at = ts;
      Decision d = Autoscaler.decide(quick, round(at, pool, 30_000, i -> pod(i, at, 0.05, 0.05)), state);
      sizes.add(d.to());
      state = d.state();
      n = d.to();
      ts += 15_000;
      if (r >= 2) {
        assertEquals(Limit.TOO_FEW_REPLICAS, d.limitedBy(), d.reason());
      }
    }
    assertEquals(List.of(8, 7, 7, 7, 7), sizes, "one per round down to the count minimum");
    Decision init = Autoscaler.decide(ScalingParams.defaults(10, 100, 5000).withBounds(10, 100, 5000),
        uniform(T0, 8, 0.7, 0.8), ScalingState.empty());
    assertEquals(10, init.to(), "a pool below initInstances grows to it");
  }

  @Test
  void scaleDownWaitsForTheStabilizationWindowThenGoesOneAtATime() {
    ScalingState state = Autoscaler.decide(PARAMS, uniform(T0, 10, 0.70, 0.5), ScalingState.empty()).state();
    int pool = 10;
    long firstDown = -1;
    for (long t = 15_000; t <= 420_000; t += 15_000) {
      Decision d = Autoscaler.decide(PARAMS, uniform(T0 + t, pool, 0.2 * 10 / pool, 0.2), state);
      state = d.state();
      if (d.scales()) {
        assertEquals(pool - 1, d.to(), "one per round");
        if (firstDown < 0) {
          firstDown = t;
        }
      } else if (firstDown < 0) {
        assertEquals(Condition.SCALE_DOWN_STABILIZED, d.condition(), d.reason());
      }
      pool = d.to();
    }
    assertEquals(300_000, firstDown, "the recommendation of 10 at T0 holds the pool for 300 s");
    assertEquals(3, pool, "then down to the bound, one per 15 s round");
  }

  @Test
  void missingPodsCountAsZeroOnAScaleUp() {
    // 3 pods at 100% of requests and one missing: alone they ask for ceil(3 * 1.43) = 5; with the
    // missing one at 0% the utilization is 75%, within the tolerance of 70%
    Decision d = Autoscaler.decide(PARAMS, round(T0, 4, 100, i -> i == 3 ? null : pod(i, T0, 1.0, 0.5)), ScalingState.empty());
    assertEquals(4, d.to());
    assertEquals(4, d.recommended());
    assertTrue(d.reason().contains("1 pod without metrics counted at 0%"), d.reason());
    Decision notMissing = Autoscaler.decide(PARAMS, round(T0, 3, 100, i -> pod(i, T0, 1.0, 0.5)), ScalingState.empty());
    assertEquals(5, notMissing.to());
  }

  @Test
  void missingPodsCountAsFullOnAScaleDownAndBlockIt() {
    ScalingParams quick = new ScalingParams(true, 0.7, 0.8, 0.1, 4, 1.0, 0, 30_000, 1, 100, 5000);
    MetricsRound round = round(T0, 4, 100,
        i -> i == 3 ? PodSample.missing(3, PodSample.State.MISSING_METRICS, 1000, 512 * MIB, T0) : pod(i, T0, 0.2, 0.2));
    Decision d = Autoscaler.decide(quick, round, ScalingState.empty());
    // (600 + 1000) / 4000 = 40%: ceil(4 * 0.4 / 0.7) = 3, not the ceil(3 * 0.2 / 0.7) = 1 of the measured pods alone
    assertEquals(3, d.recommended());
    assertEquals(4, d.to());
    assertEquals(Condition.SCALE_DOWN_BLOCKED, d.condition());
    assertTrue(d.reason().contains("1 pod has no metrics"), d.reason());
  }

  @Test
  void podsInWarmUpOrNotReadyAreLeftOutAndCountAsZeroOnAScaleUp() {
    IntFunction<PodSample> young = i -> i == 3
        ? PodSample.measured(3, 1000, 256 * MIB, 1000, 512 * MIB, true, T0 - 10_000, T0, 15_000)
        : pod(i, T0, 1.0, 0.5);
    Decision d = Autoscaler.decide(PARAMS, round(T0, 4, 100, young), ScalingState.empty());
    assertEquals(4, d.to(), "the young pod counts at 0%: 75% is within the tolerance");
    IntFunction<PodSample> unready = i -> i == 3
        ? PodSample.measured(3, 1000, 256 * MIB, 1000, 512 * MIB, false, T0 - 3_600_000, T0, 15_000)
        : pod(i, T0, 1.0, 0.5);
    assertEquals(4, Autoscaler.decide(PARAMS, round(T0, 4, 100, unready), ScalingState.empty()).to());
    IntFunction<PodSample> allYoung = i -> PodSample.measured(i, 1000, 256 * MIB, 1000, 512 * MIB, true, T0 - 29_999, T0, 15_000);
    Decision none = Autoscaler.decide(PARAMS, round(T0, 4, 100, allYoung), ScalingState.empty());
    assertEquals(Condition.FAILED_GET_RESOURCE_METRIC, none.condition());
    assertEquals(4, none.to());
    IntFunction<PodSample> warm = i -> PodSample.measured(i, 1000, 256 * MIB, 1000, 512 * MIB, true, T0 - 30_000, T0, 15_000);
    assertEquals(6, Autoscaler.decide(PARAMS, round(T0, 4, 100, warm), ScalingState.empty()).to(), "warm at 30 s");
  }

  @Test
  void podsWithoutRequestsMakeTheMetricUnknownNotGuessed() {
    IntFunction<PodSample> noCpu = i -> PodSample.measured(i, 900, 100 * MIB, i == 2 ? 0 : 1000, 512 * MIB, true, T0 - 3_600_000, T0, 15_000);
    Decision d = Autoscaler.decide(PARAMS, round(T0, 4, 100, noCpu), ScalingState.empty());
    assertNull(d.cpuUtilization());
    assertTrue(d.reason().contains("cpu unknown (no cpu request on instance 2)"), d.reason());
    assertEquals(1, d.recommended(), "memory alone recommends: 20% of requests");
    assertEquals(4, d.to(), "but a scale-down is not made while cpu is unknown, as HPA does");
    assertEquals(Condition.FAILED_GET_RESOURCE_METRIC, d.condition());
    assertTrue(d.reason().endsWith("held at 4: no scale-down while cpu is unknown (FailedGetResourceMetric)"), d.reason());
    IntFunction<PodSample> hotWithoutCpu =
        i -> PodSample.measured(i, 900, 500 * MIB, i == 2 ? 0 : 1000, 512 * MIB, true, T0 - 3_600_000, T0, 15_000);
    assertEquals(5, Autoscaler.decide(PARAMS, round(T0, 4, 100, hotWithoutCpu), ScalingState.empty()).to(),
        "memory alone may still scale up: 98% of requests over 80%");
    IntFunction<PodSample> none = i -> new PodSample(i, PodSample.State.NO_REQUESTS, 900, 100 * MIB, 0, 0, true, T0 - 3_600_000, T0, 15_000);
    Decision both = Autoscaler.decide(PARAMS, round(T0, 4, 100, none), ScalingState.empty());
    assertEquals(Condition.FAILED_GET_RESOURCE_METRIC, both.condition());
    assertEquals(4, both.to());
  }

  @Test
  void disabledLeavesThePoolAlone() {
    Decision d = Autoscaler.decide(PARAMS.withEnabled(false), uniform(T0, 10, 0.99, 0.99), ScalingState.empty());
    assertEquals(10, d.to());
    assertEquals(Condition.SCALING_DISABLED, d.condition());
  }

  @Test
  void theStateHasAStableJsonShape() {
    ScalingState s = new ScalingState(List.of(new ScalingState.Recommendation(1000, 5), new ScalingState.Recommendation(16000, 7)));
    assertEquals("{\"recommendations\":[{\"at\":1000,\"instances\":5},{\"at\":16000,\"instances\":7}]}", s.toJson());
    assertEquals(s, ScalingState.fromJson(s.toJson()));
    assertEquals(ScalingState.empty(), ScalingState.fromJson("{}"));
  }

  @Test
  void theWindowKeepsOnlyItsRecommendations() {
    ScalingState state = ScalingState.empty();
    for (int r = 0; r < 100; r++) {
      long ts = T0 + r * 15_000L;
      state = Autoscaler.decide(PARAMS, uniform(ts, 10, 0.7, 0.8), state).state();
    }
    assertEquals(20, state.recommendations().size(), "300 s of 15 s rounds");
  }

  @Test
  void noScaleEventInANoisySteadyHour() {
    Random rnd = new Random(20261201L);
    ScalingState state = ScalingState.empty();
    int pool = 20;
    int events = 0;
    for (int r = 0; r < 240; r++) {
      long ts = T0 + r * 15_000L;
      double common = 1 + (rnd.nextDouble() * 2 - 1) * 0.05;
      double[] cpu = new double[pool];
      for (int i = 0; i < pool; i++) {
        cpu[i] = 0.70 * common * (1 + (rnd.nextDouble() * 2 - 1) * 0.05);
      }
      double memory = 0.6 * common;
      Decision d = Autoscaler.decide(PARAMS, round(ts, pool, 100, i -> pod(i, ts, cpu[i], memory)), state);
      state = d.state();
      if (d.scales()) {
        events++;
      }
      assertEquals(Condition.DESIRED_WITHIN_RANGE, d.condition(), d.reason());
    }
    assertEquals(0, events);
  }

  @Test
  void randomRoundsKeepStepsBoundsAndDeterminism() {
    Random rnd = new Random(99L);
    for (int t = 0; t < 3000; t++) {
      int init = 1 + rnd.nextInt(10);
      int max = init + rnd.nextInt(40);
      ScalingParams p = new ScalingParams(rnd.nextInt(10) > 0, 0.5 + rnd.nextDouble() * 0.4, 0.5 + rnd.nextDouble() * 0.4,
          rnd.nextDouble() * 0.2, 1 + rnd.nextInt(5), rnd.nextDouble() * 1.5, rnd.nextInt(3) * 60_000L, 30_000, init, max,
          1 + rnd.nextInt(5000));
      int n = 1 + rnd.nextInt(max + 5);
      int resources = rnd.nextInt(20_000);
      long ts = T0 + rnd.nextInt(1_000_000);
      List<PodSample> pods = new ArrayList<>();
      boolean missing = false;
      for (int i = 0; i < n; i++) {
        int kind = rnd.nextInt(20);
        if (kind == 0) {
          missing = true;
          continue;
        }
        if (kind == 1) {
          missing = true;
          pods.add(PodSample.missing(i, PodSample.State.MISSING_METRICS, 1000, 1e9, ts));
          continue;
        }
        pods.add(PodSample.measured(i, rnd.nextDouble() * 3000, rnd.nextDouble() * 2e9, 1000, 1e9, rnd.nextInt(10) > 0,
            ts - rnd.nextInt(120_000), ts, 15_000));
      }
      List<ScalingState.Recommendation> window = new ArrayList<>();
      for (int w = rnd.nextInt(5); w > 0; w--) {
        window.add(new ScalingState.Recommendation(ts - rnd.nextInt(400_000), 1 + rnd.nextInt(60)));
      }
      List<Integer> ids = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ids.add(i);
      }
      MetricsRound round = new MetricsRound(ts, ids, resources, pods);
      ScalingState state = new ScalingState(window);
      Decision d = Autoscaler.decide(p, round, state);
      assertEquals(d, Autoscaler.decide(p, round, state), "deterministic");
      if (!p.enabled()) {
        assertEquals(n, d.to());
        continue;
      }
      int lower = Autoscaler.countMinimum(p, resources);
      assertTrue(d.to() <= max, d.reason());
      assertTrue(d.to() >= Math.min(lower, max), d.reason());
      boolean inBounds = n >= lower && n <= max;
      if (inBounds) {
        assertTrue(d.to() <= n + p.maxScaleUpStep(n), "step: " + d.reason());
        assertTrue(d.to() >= n - 1, "one per round down: " + d.reason());
        if (missing) {
          assertTrue(d.to() >= n, "no scale-down with metrics missing: " + d.reason());
        }
        if (d.to() < n) {
          for (ScalingState.Recommendation r : d.state().recommendations()) {
            assertTrue(r.at() <= ts - p.scaleDownStabilizationMillis() || r.instances() < n, "stabilized: " + d.reason());
          }
        }
      }
      assertFalse(d.reason().isBlank());
    }
  }
}
