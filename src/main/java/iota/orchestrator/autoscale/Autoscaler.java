package iota.orchestrator.autoscale;

import iota.orchestrator.placement.Sizing;
import iota.orchestrator.placement.SizingException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Decides a type's pool size from one metrics round, the rules of Kubernetes' HorizontalPodAutoscaler
 * ({@code pkg/controller/podautoscaler}: {@code replica_calculator.go}, {@code horizontal.go}) applied
 * to worker instances:
 *
 * <ol>
 *   <li><b>Utilization</b> per metric (CPU, memory) = Σ usage / Σ requests over the pods that are
 *       measured, Ready and older than the warm-up. A pod that declares no request for the metric
 *       makes that metric unusable this round (HPA fails the metric rather than guess a request).
 *   <li><b>Recommendation</b> = {@code ceil(n × utilization / target)} over those {@code n} pods, and
 *       no change while {@code |utilization / target − 1| ≤ tolerance}. When pods are missing (no pod,
 *       or no sample) or not usable (not Ready, warming up), HPA's rebalancing applies: if the usable
 *       pods ask to scale up, missing and unusable pods are counted at 0 % of their requests; if they
 *       ask to scale down, missing pods are counted at 100 % and unusable ones left out. The
 *       recommendation is then computed over all pods counted, and dropped (no change) when the
 *       rebalanced ratio falls within the tolerance or turns the direction around. A missing pod's
 *       request, when the poller could not read it, is the mean request of the measured pods.
 *   <li>The larger recommendation of the two metrics wins. While one metric is unknown, the other may
 *       scale the pool up but not down (HPA's {@code computeReplicasForMetrics}).
 *   <li><b>Scale-down stabilization</b>: the pool goes no lower than the highest recommendation of the
 *       window ({@code scale.down.stabilization}), one instance per round at most, and not at all while
 *       any pod's metrics are missing.
 *   <li><b>Scale-up</b> is immediate, by at most {@link ScalingParams#maxScaleUpStep} per round.
 *   <li><b>Bounds</b>: never below the count minimum of DESIGN.md §2 ({@link Sizing}, which includes
 *       {@code initInstances}), never above {@code maxInstances}. A cut is reported in {@link
 *       Decision#limitedBy()} with a reason, never as a failure.
 * </ol>
 *
 * <p>Pure and stateless: the window of past recommendations comes in as a {@link ScalingState} and
 * goes out in the decision; time is the round's timestamp (and, for the warm-up, each sample's own).
 */
public final class Autoscaler {

  private Autoscaler() {}

  /** One metric's view of the round. */
  private record Evaluation(
      String name, Double utilization, double target, Integer recommended, String phrase, int missing) {}

  /** Decides the pool size for {@code round}, given the window kept from earlier rounds. */
  public static Decision decide(ScalingParams params, MetricsRound round, ScalingState state) {
    int current = round.current();
    long now = round.timestamp();
    if (!params.enabled()) {
      return new Decision(now, current, current, current, Condition.SCALING_DISABLED, null, null, null,
          "autoscaling is off: stays at " + current + " instances", state);
    }
    Map<Integer, PodSample> byInstance = new HashMap<>();
    for (PodSample s : round.samples()) {
      byInstance.put(s.instanceId(), s);
    }
    List<PodSample> pods = new ArrayList<>(current);
    for (int id : round.instances()) {
      PodSample s = byInstance.get(id);
      pods.add(s != null ? s : PodSample.missing(id, PodSample.State.MISSING_POD, 0, 0, now));
    }
    Evaluation cpu = evaluate("cpu", params.targetCpuUtilization(), PodSample::cpuMillis, PodSample::cpuRequestMillis,
        pods, params, current);
    Evaluation memory = evaluate("memory", params.targetMemoryUtilization(), PodSample::memoryBytes,
        PodSample::memoryRequestBytes, pods, params, current);

    boolean anyMetric = cpu.recommended() != null || memory.recommended() != null;
    int recommended = current;
    if (cpu.recommended() != null) {
      recommended = cpu.recommended();
    }
    if (memory.recommended() != null && (cpu.recommended() == null || memory.recommended() > recommended)) {
      recommended = memory.recommended();
    }
    int missing = Math.max(cpu.missing(), memory.missing());
    boolean partial = anyMetric && (cpu.recommended() == null || memory.recommended() == null);

    ScalingState next = state.with(new ScalingState.Recommendation(now, recommended), params.scaleDownStabilizationMillis());
    Condition condition = anyMetric ? Condition.DESIRED_WITHIN_RANGE : Condition.FAILED_GET_RESOURCE_METRIC;
    StringBuilder why = new StringBuilder(cpu.phrase()).append(", ").append(memory.phrase());
    why.append(": ").append(recommended == current ? "stays at " + current : current + " -> " + recommended)
        .append(" instances");

    int wanted = recommended;
    Limit limit = null;
    if (recommended < current && partial) {
      // HPA's computeReplicasForMetrics: with any metric invalid, a scale-down is not made on the others.
      condition = Condition.FAILED_GET_RESOURCE_METRIC;
      why.append("; held at ").append(current).append(": no scale-down while ")
          .append(cpu.recommended() == null ? "cpu" : "memory").append(" is unknown (")
          .append(Condition.FAILED_GET_RESOURCE_METRIC.word()).append(')');
      wanted = current;
    } else if (recommended < current) {
      int stabilized = Math.min(current, next.highestSince(now, params.scaleDownStabilizationMillis(), recommended));
      if (stabilized >= current) {
        condition = Condition.SCALE_DOWN_STABILIZED;
        why.append("; held at ").append(current).append(" by the highest recommendation of the last ")
            .append(seconds(params.scaleDownStabilizationMillis())).append(" (").append(Condition.SCALE_DOWN_STABILIZED.word()).append(')');
        wanted = current;
      } else if (missing > 0) {
        condition = Condition.SCALE_DOWN_BLOCKED;
        why.append("; held at ").append(current).append(": ").append(missing)
            .append(missing == 1 ? " pod has" : " pods have").append(" no metrics (").append(Condition.SCALE_DOWN_BLOCKED.word()).append(')');
        wanted = current;
      } else {
        if (stabilized > recommended) {
          why.append("; stabilized at ").append(stabilized).append(", the highest recommendation of the last ")
              .append(seconds(params.scaleDownStabilizationMillis()));
        }
        wanted = stabilized;
        if (wanted < current - 1) {
          wanted = current - 1;
          limit = Limit.SCALE_DOWN_LIMIT;
          why.append("; one instance per round: ").append(current).append(" -> ").append(wanted)
              .append(" (").append(Limit.SCALE_DOWN_LIMIT.word()).append(')');
        }
      }
    } else if (recommended > current) {
      int step = params.maxScaleUpStep(current);
      if (recommended > current + step) {
        wanted = current + step;
        limit = Limit.SCALE_UP_LIMIT;
        why.append("; at most ").append(step).append(" more per round: ").append(current).append(" -> ")
            .append(wanted).append(" (").append(Limit.SCALE_UP_LIMIT.word()).append(')');
      }
    }

    int upper = params.maxInstances();
    int lower = countMinimum(params, round.resourceCount());
    int to = wanted;
    if (to > upper) {
      to = upper;
      limit = Limit.TOO_MANY_REPLICAS;
      why.append("; limited by maxInstances ").append(upper).append(": ").append(current).append(" -> ").append(to)
          .append(" (").append(Limit.TOO_MANY_REPLICAS.word()).append(')');
    } else if (to < lower) {
      to = lower;
      limit = Limit.TOO_FEW_REPLICAS;
      why.append("; limited by the minimum of ").append(lower).append(" (count formula for ")
          .append(round.resourceCount()).append(" resources at ").append(params.resourcePerInstance())
          .append(" per instance, initInstances ").append(params.initInstances()).append("): ")
          .append(current).append(" -> ").append(to).append(" (").append(Limit.TOO_FEW_REPLICAS.word()).append(')');
    }
    if (to != current) {
      condition = Condition.SUCCEEDED_RESCALE;
    }
    return new Decision(now, current, to, recommended, condition, limit, cpu.utilization(), memory.utilization(),
        why.toString(), next);
  }

  /**
   * The least instances the bounds allow: the count formula's pool for the live resources (at least
   * {@code initInstances}), capped at {@code maxInstances} when the formula asks for more (the
   * planner reports that case itself; the autoscaler just stops at the maximum).
   */
  static int countMinimum(ScalingParams params, int resourceCount) {
    try {
      Sizing.Result size = Sizing.size(resourceCount, params.initInstances(), params.maxInstances(), params.resourcePerInstance());
      return Math.min(size.instances(), params.maxInstances());
    } catch (SizingException e) {
      return params.maxInstances();
    }
  }

  private static Evaluation evaluate(String name, double target, ToDoubleFunction<PodSample> usageOf,
      ToDoubleFunction<PodSample> requestOf, List<PodSample> pods, ScalingParams params, int current) {
    double usage = 0;
    double requests = 0;
    int usable = 0;
    List<PodSample> missing = new ArrayList<>();
    List<PodSample> unusable = new ArrayList<>();
    List<Integer> withoutRequests = new ArrayList<>();
    for (PodSample pod : pods) {
      switch (pod.state()) {
        case MISSING_POD, MISSING_METRICS -> missing.add(pod);
        case NO_REQUESTS -> withoutRequests.add(pod.instanceId());
        case MEASURED -> {
          if (requestOf.applyAsDouble(pod) <= 0) {
            withoutRequests.add(pod.instanceId());
          } else if (!pod.ready() || pod.timestamp() - pod.startedAt() < params.warmupMillis()) {
            unusable.add(pod);
          } else {
            usage += usageOf.applyAsDouble(pod);
            requests += requestOf.applyAsDouble(pod);
            usable++;
          }
        }
      }
    }
    if (!withoutRequests.isEmpty()) {
      return new Evaluation(name, null, target, null,
          name + " unknown (no " + name + " request on instance" + (withoutRequests.size() == 1 ? " " : "s ")
              + join(withoutRequests) + ")", missing.size());
    }
    if (usable == 0) {
      return new Evaluation(name, null, target, null,
          name + " unknown (no Ready pod past its " + seconds(params.warmupMillis()) + " warm-up has metrics)",
          missing.size());
    }
    double utilization = usage / requests;
    double ratio = utilization / target;
    String phrase = name + " " + percent(utilization) + " of requests " + relation(ratio, params.tolerance())
        + " target " + percent(target);
    boolean scaleUpWithUnusable = !unusable.isEmpty() && ratio > 1;
    if (!scaleUpWithUnusable && missing.isEmpty()) {
      int recommended = within(ratio, params.tolerance()) ? current : (int) Math.ceil(ratio * usable);
      return new Evaluation(name, utilization, target, recommended, phrase, 0);
    }
    double meanRequest = requests / usable;
    double rebalancedUsage = usage;
    double rebalancedRequests = requests;
    int counted = usable;
    for (PodSample pod : missing) {
      double request = requestOf.applyAsDouble(pod) > 0 ? requestOf.applyAsDouble(pod) : meanRequest;
      if (ratio < 1) {
        rebalancedUsage += request;
      }
      if (ratio != 1) {
        rebalancedRequests += request;
        counted++;
      }
    }
    if (scaleUpWithUnusable) {
      for (PodSample pod : unusable) {
        rebalancedRequests += requestOf.applyAsDouble(pod);
        counted++;
      }
    }
    double rebalanced = rebalancedUsage / rebalancedRequests / target;
    StringBuilder p = new StringBuilder(phrase);
    if (!missing.isEmpty()) {
      p.append(" (").append(missing.size()).append(missing.size() == 1 ? " pod" : " pods").append(" without metrics counted at ")
          .append(ratio < 1 ? "100%" : "0%").append(')');
    }
    if (scaleUpWithUnusable) {
      p.append(" (").append(unusable.size()).append(" not Ready or warming up counted at 0%)");
    }
    int recommended;
    if (within(rebalanced, params.tolerance()) || (ratio < 1 && rebalanced > 1) || (ratio > 1 && rebalanced < 1)) {
      recommended = current;
    } else {
      recommended = (int) Math.ceil(rebalanced * counted);
      if ((rebalanced < 1 && recommended > current) || (rebalanced > 1 && recommended < current)) {
        recommended = current;
      }
    }
    return new Evaluation(name, utilization, target, recommended, p.toString(), missing.size());
  }

  private static boolean within(double ratio, double tolerance) {
    return Math.abs(ratio - 1) <= tolerance;
  }

  private static String relation(double ratio, double tolerance) {
    if (within(ratio, tolerance)) {
      return "within " + percent(tolerance) + " of";
    }
    return ratio > 1 ? ">" : "<";
  }

  private static String percent(double fraction) {
    return String.format(Locale.ROOT, "%d%%", Math.round(fraction * 100));
  }

  private static String seconds(long millis) {
    return millis % 1000 == 0 ? (millis / 1000) + " s" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  private static String join(List<Integer> ids) {
    StringBuilder b = new StringBuilder();
    for (int id : ids) {
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(id);
    }
    return b.toString();
  }
}
