package iota.orchestrator.topology;

import iota.orchestrator.autoscale.ScalingReport;
import iota.orchestrator.config.ResourceType;
import iota.orchestrator.placement.CoolestInstance;
import iota.orchestrator.placement.LoadEstimator;
import iota.orchestrator.placement.TypePlan;
import java.util.TreeMap;

/**
 * The cached state of one resource type in its task: a copy of what the stores hold, so the hot
 * path reads memory only. {@link PlanCache} builds it and writes every change through to the stores.
 */
final class TypeRuntime {
  final ResourceType type;
  TypeState state;
  final TypePlan plan;
  /** Every instance ever created, including removed markers (they keep the sequence going). */
  final TreeMap<Integer, InstanceState> instances = new TreeMap<>();
  /** The estimated load of each resource, from the type's metrics rounds. */
  final LoadEstimator estimator;
  ElasticState elastic = ElasticState.empty();
  /** The type's scaling as people see it; null before its first metrics round or drain. */
  ScalingReport report;
  /**
   * Where new resources go while placement is load-aware, with its per-instance load sums; null when
   * it must be built afresh (any change but an add or a removal makes the sums stale).
   */
  CoolestInstance coolest;

  TypeRuntime(ResourceType type, TypeState state, TypePlan plan, LoadEstimator estimator) {
    this.type = type;
    this.state = state;
    this.plan = plan;
    this.estimator = estimator;
  }

  String name() {
    return type.name();
  }
}
