package iota.orchestrator.topology;

import iota.orchestrator.autoscale.Decision;
import iota.orchestrator.autoscale.PodSample;
import iota.orchestrator.autoscale.ScalingParams;
import iota.orchestrator.autoscale.ScalingReport;
import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.config.ResourceType;
import iota.orchestrator.placement.InstanceView;
import iota.orchestrator.placement.LoadEstimator;
import iota.orchestrator.placement.LoadRebalancer;
import iota.orchestrator.placement.TypePlan;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The configured side of load-driven orchestration (issue 12 §3, §4) for the processor: each type's
 * autoscaling parameters within its orchestration bounds, a fresh load estimator, the loads the
 * rebalancer takes, and the {@link ScalingReport} a round leaves behind. Plain Java: the processor
 * decides when, this says with what.
 */
final class Elasticity {
  /**
   * Half-life of an instance's smoothed work, in metrics intervals: {@code ElasticBenchmark}'s noisy
   * hour makes no moves at four, and a step in load still settles within a few rounds.
   */
  private static final int HALF_LIFE_ROUNDS = 4;

  private final OrchestratorConfig config;
  private final long intervalMillis;
  private final long halfLifeMillis;

  Elasticity(OrchestratorConfig config) {
    this.config = config;
    this.intervalMillis = config.get(ConfigKeys.METRICS_INTERVAL).toMillis();
    this.halfLifeMillis = HALF_LIFE_ROUNDS * intervalMillis;
  }

  /**
   * How far beyond the band an instance must be before a re-plan starts: the jitter the estimates
   * still carry ({@link LoadRebalancer#noiseTolerance}), so noise alone moves nothing.
   */
  double tolerance(TypeRuntime rt) {
    return LoadRebalancer.noiseTolerance(rt.estimator.noise(intervalMillis));
  }

  LoadEstimator estimator(ResourceType type) {
    return new LoadEstimator(config.get(ConfigKeys.LOAD_IDLE_CPU.of(type.name())), halfLifeMillis);
  }

  boolean enabled(ResourceType type) {
    return config.get(ConfigKeys.AUTOSCALE.of(type.name()));
  }

  /** The type's autoscaling parameters within the bounds of its last orchestration. */
  ScalingParams params(TypeRuntime rt) {
    String t = rt.name();
    return new ScalingParams(enabled(rt.type),
        config.get(ConfigKeys.TARGET_CPU_UTILIZATION.of(t)),
        config.get(ConfigKeys.TARGET_MEMORY_UTILIZATION.of(t)),
        config.get(ConfigKeys.SCALE_TOLERANCE.of(t)),
        config.get(ConfigKeys.SCALE_UP_MAX_STEP.of(t)),
        1.0,
        config.get(ConfigKeys.SCALE_DOWN_STABILIZATION.of(t)).toMillis(),
        config.get(ConfigKeys.METRICS_WARMUP.of(t)).toMillis(),
        rt.state.initInstances(),
        Math.max(rt.state.maxInstances(), rt.state.initInstances()),
        rt.state.resourcePerInstance());
  }

  /**
   * The loads the rebalancer takes: the estimates when there are any; otherwise one unit per
   * resource, so that moves that must happen without measurements (a drain, a scale-down) still
   * spread by count.
   */
  static Map<String, Double> loads(TypeRuntime rt) {
    if (measured(rt)) {
      return rt.estimator.loads(rt.plan);
    }
    Map<String, Double> units = new HashMap<>();
    for (InstanceView v : rt.plan.instances().values()) {
      for (String r : v.resources()) {
        units.put(r, 1.0);
      }
    }
    return units;
  }

  /** Whether the type has load estimates, i.e. whether load may move resources that need not move. */
  static boolean measured(TypeRuntime rt) {
    return !rt.estimator.instances().isEmpty();
  }

  /** The report as the type has it, or the initial one. */
  ScalingReport report(TypeRuntime rt) {
    if (rt.report != null) {
      return rt.report;
    }
    ScalingParams p = params(rt);
    return ScalingReport.initial(rt.name(), p.enabled(), rt.plan.instances().size(),
        new ScalingReport.Utilization(p.targetCpuUtilization(), p.targetMemoryUtilization()));
  }

  /**
   * The report after a metrics round: the decision, every instance as measured and as the plan has
   * it now, the round's point of the plot (the pool as the round left it). Events are added by the caller, once it knows the moves.
   */
  ScalingReport measured(TypeRuntime rt, Decision d, Collection<PodSample> samples) {
    ScalingReport before = report(rt);
    ScalingParams p = params(rt);
    Map<Integer, PodSample> byId = new HashMap<>();
    for (PodSample s : samples) {
      byId.put(s.instanceId(), s);
    }
    ScalingReport after = new ScalingReport(rt.name(), p.enabled(), rt.plan.instances().size(), d.to(),
        d.limitedBy() == null ? null : d.limitedBy().word(),
        new ScalingReport.Utilization(d.cpuUtilization(), d.memoryUtilization()),
        new ScalingReport.Utilization(p.targetCpuUtilization(), p.targetMemoryUtilization()),
        instances(rt, byId), before.events(), before.history(), maxOverMean(rt), before.eventsTotal(), before.movesTotal());
    return after.withPoint(new ScalingReport.Point(d.at(), rt.plan.instances().size(), d.cpuUtilization(), d.memoryUtilization()));
  }

  /** The report with the pool and the loads as the plan has them now (after moves or a drain). */
  ScalingReport refreshed(TypeRuntime rt) {
    ScalingReport r = report(rt);
    Map<Integer, PodSample> none = Map.of();
    TreeMap<String, ScalingReport.InstanceLoad> instances = new TreeMap<>();
    Map<String, ScalingReport.InstanceLoad> fresh = instances(rt, none);
    for (var e : fresh.entrySet()) {
      ScalingReport.InstanceLoad old = r.instances().get(e.getKey());
      ScalingReport.InstanceLoad now = e.getValue();
      instances.put(e.getKey(), old == null ? now : new ScalingReport.InstanceLoad(old.cpuMillis(), old.memoryBytes(),
          old.cpuUtilization(), old.memoryUtilization(), now.resources(), now.estimatedLoad(), now.draining()));
    }
    return new ScalingReport(r.resource(), r.enabled(), rt.plan.instances().size(), r.desired(), r.limitedBy(),
        r.utilization(), r.target(), instances, r.events(), r.history(), maxOverMean(rt), r.eventsTotal(), r.movesTotal());
  }

  private static TreeMap<String, ScalingReport.InstanceLoad> instances(TypeRuntime rt, Map<Integer, PodSample> byId) {
    Set<Integer> draining = Set.copyOf(rt.elastic.draining());
    Map<Integer, Double> estimates = instanceLoads(rt);
    TreeMap<String, ScalingReport.InstanceLoad> out = new TreeMap<>();
    for (InstanceView v : rt.plan.instances().values()) {
      PodSample s = byId.get(v.id());
      boolean used = s != null && (s.state() == PodSample.State.MEASURED || s.state() == PodSample.State.NO_REQUESTS);
      Double cpu = used ? s.cpuMillis() : null;
      Double memory = used ? s.memoryBytes() : null;
      Double cpuUtil = used && s.cpuRequestMillis() > 0 ? s.cpuMillis() / s.cpuRequestMillis() : null;
      Double memUtil = used && s.memoryRequestBytes() > 0 ? s.memoryBytes() / s.memoryRequestBytes() : null;
      out.put(String.valueOf(v.id()), new ScalingReport.InstanceLoad(cpu, memory, cpuUtil, memUtil, v.used(),
          estimates.getOrDefault(v.id(), 0.0), draining.contains(v.id())));
    }
    return out;
  }

  /** Per-instance loads for the chooser of new resources: estimated when measured, else by count. */
  static Map<Integer, Double> chooserLoads(TypeRuntime rt) {
    if (measured(rt)) {
      return instanceLoads(rt);
    }
    Map<Integer, Double> counts = new HashMap<>();
    for (InstanceView v : rt.plan.instances().values()) {
      counts.put(v.id(), (double) v.used());
    }
    return counts;
  }

  /**
   * Each instance's estimated load, in O(instances): the estimator splits an instance's smoothed work
   * over its resources, so their loads add up to that work; an instance never measured (none is, once
   * moves have reached it) counts its resources at the fleet's work per resource. Empty when nothing
   * is measured. A metrics round reads this several times on every type, so it must not build the
   * per-resource map of {@link #loads} (500,000 entries at the scale of a fleet).
   */
  static Map<Integer, Double> instanceLoads(TypeRuntime rt) {
    if (!measured(rt)) {
      return Map.of();
    }
    Map<Integer, LoadEstimator.InstanceLoad> known = rt.estimator.instances();
    double work = 0;
    long used = 0;
    for (InstanceView v : rt.plan.instances().values()) {
      LoadEstimator.InstanceLoad l = known.get(v.id());
      if (l != null) {
        work += l.work();
        used += v.used();
      }
    }
    double perResource = used > 0 ? work / used : 0;
    Map<Integer, Double> loads = new HashMap<>();
    for (InstanceView v : rt.plan.instances().values()) {
      LoadEstimator.InstanceLoad l = known.get(v.id());
      loads.put(v.id(), v.used() == 0 ? 0.0 : l != null ? l.work() : perResource * v.used());
    }
    return loads;
  }

  /** The hottest instance's estimated load over the mean of those that take resources; 1 when nothing is measured. */
  static double maxOverMean(TypeRuntime rt) {
    return spread(rt)[1];
  }

  /**
   * The lowest and the highest estimated load of the instances that take resources, over their mean:
   * {@code {min/mean, max/mean}}; {@code {1, 1}} when nothing is measured.
   */
  static double[] spread(TypeRuntime rt) {
    Set<Integer> draining = Set.copyOf(rt.elastic.draining());
    Map<Integer, Double> estimates = instanceLoads(rt);
    double max = 0;
    double min = Double.POSITIVE_INFINITY;
    double total = 0;
    int n = 0;
    for (InstanceView v : rt.plan.instances().values()) {
      if (draining.contains(v.id())) {
        continue;
      }
      double l = estimates.getOrDefault(v.id(), 0.0);
      max = Math.max(max, l);
      min = Math.min(min, l);
      total += l;
      n++;
    }
    if (n == 0 || total <= 0) {
      return new double[] {1, 1};
    }
    double mean = total / n;
    return new double[] {min / mean, max / mean};
  }

  /** The instance ids of a plan, ascending. */
  static List<Integer> pool(TypePlan plan) {
    return List.copyOf(plan.instances().keySet());
  }
}
