package iota.orchestrator.topology;

import iota.orchestrator.model.Assignment;
import iota.orchestrator.model.PodCommand;
import iota.orchestrator.model.Precondition;
import iota.orchestrator.placement.Delta;
import iota.orchestrator.placement.InstanceView;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * Records what a planner mutation changed: the placements it lists, instance states (each change
 * takes the instance's next sequence number, which makes its assignment due), pod create and delete
 * commands; then hands the change to the assignment emitter. Every path that changes a plan (changes,
 * orchestrate requests, metrics rounds, drains) goes through here, so the stores, the pods and the
 * assignments cannot disagree about what changed.
 */
final class PlanRecorder {
  private final PlanCache cache;
  private final AssignmentEmitter assignments;
  private final TaskOutputs outputs;
  private final PodSupervisor pods;
  private final LongSupplier clock;

  PlanRecorder(PlanCache cache, AssignmentEmitter assignments, TaskOutputs outputs, PodSupervisor pods, LongSupplier clock) {
    this.cache = cache;
    this.assignments = assignments;
    this.outputs = outputs;
    this.pods = pods;
    this.clock = clock;
  }

  /** Records {@code delta}; pod commands carry {@code timestamp}, the time of the record that caused it. */
  void apply(long timestamp, TypeRuntime rt, Delta delta, String reason) {
    apply(timestamp, rt, delta, reason, false);
  }

  /**
   * As {@link #apply(long, TypeRuntime, Delta, String)}; with {@code deleteAfterEmptied} each pod
   * delete waits for its instance's emptied assignment (the state before the removal) to be in
   * ZooKeeper, so a pod goes only once no resource is listed on it.
   */
  void apply(long timestamp, TypeRuntime rt, Delta delta, String reason, boolean deleteAfterEmptied) {
    long now = clock.getAsLong();
    rt.coolest = null;
    cache.recordPlacements(rt, delta);
    forgetDeleted(rt, delta.deleted());
    for (int id : delta.deleted()) {
      InstanceState old = rt.instances.get(id);
      InstanceState removed = old.asRemoved(old.seq() + 1);
      cache.putInstance(rt, id, removed);
      List<Precondition> after = deleteAfterEmptied
          ? List.of(new Precondition(Assignment.key(rt.name(), String.valueOf(id)), old.seq()))
          : List.of();
      outputs.podCommand(timestamp, rt, id, PodCommand.Action.delete, "t" + removed.seq(), reason, after);
    }
    for (int id : delta.changed()) {
      InstanceView view = rt.plan.instance(id);
      InstanceState old = rt.instances.get(id);
      if (old == null || old.removed()) {
        long seq = old == null ? 1 : old.seq() + 1;
        cache.putInstance(rt, id, InstanceState.created(view.count(), seq, now).withPlan(view.count(), view.used(), view.reload(), seq, timestamp));
        pods.podCreated(now);
        outputs.podCommand(timestamp, rt, id, PodCommand.Action.create, "s" + seq, reason, List.of());
      } else {
        cache.putInstance(rt, id, old.withPlan(view.count(), view.used(), view.reload(), old.seq() + 1, timestamp));
      }
    }
    assignments.planChanged(rt, delta, now);
  }

  /**
   * A deleted instance carries no load, and is neither drained nor awaited any more: its id may come
   * back as a new instance.
   */
  private void forgetDeleted(TypeRuntime rt, Collection<Integer> deleted) {
    if (deleted.isEmpty()) {
      return;
    }
    for (int id : deleted) {
      rt.estimator.forgetInstance(id);
    }
    cache.putLoads(rt, deleted, List.of());
    TreeSet<Integer> draining = new TreeSet<>(rt.elastic.draining());
    TreeSet<Integer> awaiting = new TreeSet<>(rt.elastic.awaitingReady());
    if (draining.removeAll(deleted) | awaiting.removeAll(deleted)) {
      cache.putElastic(rt, rt.elastic.withDraining(draining).withAwaitingReady(awaiting));
    }
  }
}
