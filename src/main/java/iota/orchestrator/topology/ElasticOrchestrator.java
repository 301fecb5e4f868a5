package iota.orchestrator.topology;

import iota.orchestrator.autoscale.Autoscaler;
import iota.orchestrator.autoscale.Decision;
import iota.orchestrator.autoscale.MetricsRound;
import iota.orchestrator.autoscale.PodMetrics;
import iota.orchestrator.autoscale.PodSample;
import iota.orchestrator.autoscale.ScalingReport;
import iota.orchestrator.config.ResourceType;
import iota.orchestrator.model.Assignment;
import iota.orchestrator.model.DrainRequest;
import iota.orchestrator.model.OrchestrationReport;
import iota.orchestrator.model.Precondition;
import iota.orchestrator.model.RequestResult;
import iota.orchestrator.placement.CoolestInstance;
import iota.orchestrator.placement.Delta;
import iota.orchestrator.placement.InstanceView;
import iota.orchestrator.placement.LoadPlan;
import iota.orchestrator.placement.LoadRebalancer;
import iota.orchestrator.placement.Move;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-orchestrates a type by its measured load (DESIGN.md §7): each metrics round goes to the load
 * estimator and the {@link Autoscaler}, and the plan follows its decision (scale up, scale down by
 * emptying instances first, or a load re-plan); drain requests empty an instance. Every move is made
 * before the matching break ({@link #moveMakeBeforeBreak}). The {@link LoadRebalancer} decides what
 * moves; this class only applies it through the {@link PlanRecorder}.
 */
final class ElasticOrchestrator {
  private static final Logger LOG = LoggerFactory.getLogger(ElasticOrchestrator.class);

  /**
   * A drain moves only what it must: a band this wide never starts balancing, so the drained
   * instance's resources are all that move (the next metrics round balances if need be).
   */
  private static final double DRAIN_ONLY = 1e9;

  private final Elasticity elasticity;
  private final PlanCache cache;
  private final PlanRecorder recorder;
  private final AssignmentEmitter assignments;
  private final TaskOutputs outputs;
  private final LongSupplier clock;

  ElasticOrchestrator(Elasticity elasticity, PlanCache cache, PlanRecorder recorder, AssignmentEmitter assignments, TaskOutputs outputs,
      LongSupplier clock) {
    this.elasticity = elasticity;
    this.cache = cache;
    this.recorder = recorder;
    this.assignments = assignments;
    this.outputs = outputs;
    this.clock = clock;
  }

  /**
   * Where new resources of the type go: by load while the type is autoscaled and measured, away
   * from drained instances while any is drained; null when the count rules place them, as before
   * load was measured.
   */
  CoolestInstance chooser(TypeRuntime rt) {
    boolean drained = !rt.elastic.draining().isEmpty();
    if (!drained && !(elasticity.enabled(rt.type) && Elasticity.measured(rt))) {
      return null;
    }
    return rt.coolest != null ? rt.coolest : new CoolestInstance(rt.plan, Elasticity.chooserLoads(rt), Set.copyOf(rt.elastic.draining()));
  }

  /** Before {@code ids} are removed: their load leaves their instances now rather than over the next rounds. */
  void removing(TypeRuntime rt, Collection<String> ids) {
    if (!Elasticity.measured(rt)) {
      return;
    }
    Set<Integer> touched = new TreeSet<>();
    ids.forEach(id -> rt.plan.instanceOf(id).ifPresent(touched::add));
    rt.estimator.forget(ids, rt.plan);
    cache.putLoads(rt, touched, ids);
  }

  /**
   * One metrics round of a type: the load estimates take it in, the autoscaler decides the pool
   * size, and the plan follows: a scale-up creates instances (their pods are created as for a count
   * grow), a scale-down empties the highest ids by load and deletes them, and otherwise the load is
   * re-planned when the spread is outside the band, once every instance a scale-up created is
   * measured Ready. Time is the record's timestamp throughout, so a replay decides the same.
   */
  void onMetrics(long at, ResourceType type, PodMetrics metrics) {
    TypeRuntime rt = cache.get(type.name());
    if (rt == null) {
      LOG.debug("metrics of {} before it has a plan; ignored", type.name());
      return;
    }
    List<PodSample> samples = new ArrayList<>();
    Map<Integer, Double> usage = new TreeMap<>();
    Set<Integer> ready = new HashSet<>();
    for (PodSample s : metrics.samples()) {
      if (rt.plan.instance(s.instanceId()) == null) {
        continue;
      }
      samples.add(s);
      boolean measured = s.state() == PodSample.State.MEASURED || s.state() == PodSample.State.NO_REQUESTS;
      if (measured && s.ready()) {
        ready.add(s.instanceId());
        InstanceState state = rt.instances.get(s.instanceId());
        // A window that began before the instance's resources last changed much mixes the old set
        // with the new one: the autoscaler takes it (usage is usage), the load estimates learn
        // nothing from it and wait for a window of the new set.
        if (state == null || s.timestamp() - s.windowMillis() >= state.loadChangedAt()) {
          usage.put(s.instanceId(), s.cpuMillis());
        }
      }
    }
    Set<String> reweighed = rt.estimator.observe(at, usage);
    cache.putLoads(rt, usage.keySet(), reweighed);

    Decision d = Autoscaler.decide(elasticity.params(rt), new MetricsRound(at, Elasticity.pool(rt.plan), rt.plan.resourceCount(), samples),
        rt.elastic.scaling());
    ElasticState elastic = rt.elastic.withScaling(d.state());
    ScalingReport.Event event = null;
    if (d.to() > d.from()) {
      Delta grown = rt.plan.createInstances(d.to() - d.from(), rt.plan.capacity());
      recorder.apply(at, rt, grown, "scale-up: " + d.reason());
      TreeSet<Integer> awaiting = new TreeSet<>(elastic.awaitingReady());
      awaiting.addAll(grown.created());
      elastic = elastic.withAwaitingReady(awaiting);
      event = new ScalingReport.Event(at, ScalingReport.Kind.SCALE_UP, d.from(), rt.plan.instances().size(), d.reason(), 0);
    } else if (d.to() < d.from()) {
      event = scaleDown(at, rt, elastic, d);
    } else {
      TreeSet<Integer> awaiting = new TreeSet<>(elastic.awaitingReady());
      awaiting.removeIf(id -> ready.contains(id) || rt.plan.instance(id) == null);
      boolean nowReady = awaiting.isEmpty() && !elastic.awaitingReady().isEmpty();
      elastic = elastic.withAwaitingReady(awaiting);
      if (awaiting.isEmpty() && Elasticity.measured(rt) && elasticity.enabled(type)) {
        event = rebalance(at, rt, elastic, d, nowReady);
      }
    }
    cache.putElastic(rt, elastic);
    rt.coolest = null;
    ScalingReport report = elasticity.measured(rt, d, samples);
    cache.putReport(rt, event == null ? report : report.withEvent(event));
  }

  private ScalingReport.Event rebalance(long timestamp, TypeRuntime rt, ElasticState elastic, Decision d, boolean nowReady) {
    Set<Integer> draining = Set.copyOf(elastic.draining());
    double tolerance = elasticity.tolerance(rt);
    if (!LoadRebalancer.needed(rt.plan, Elasticity.instanceLoads(rt), draining, LoadRebalancer.DEFAULT_BAND, tolerance)) {
      return null;
    }
    LoadPlan lp = LoadRebalancer.rebalance(rt.plan, Elasticity.loads(rt), draining, LoadRebalancer.DEFAULT_BAND,
        LoadRebalancer.BALANCE_MARGIN, tolerance);
    if (lp.moves().isEmpty()) {
      return null;
    }
    double[] before = Elasticity.spread(rt);
    moveMakeBeforeBreak(timestamp, rt, lp.moves(), "load re-plan");
    double[] after = Elasticity.spread(rt);
    String why = (nowReady ? "the new instances are Ready; " : "") + String.format(Locale.ROOT,
        "estimated loads from %.0f%% to %.0f%% of the mean, outside the band of %.0f%%: moved %d resources, now %.0f%% to %.0f%%",
        100 * before[0], 100 * before[1], 100 * LoadRebalancer.DEFAULT_BAND, lp.moves().size(), 100 * after[0], 100 * after[1]);
    return new ScalingReport.Event(d.at(), ScalingReport.Kind.REBALANCE, d.from(), d.from(), why, lp.moves().size());
  }

  private ScalingReport.Event scaleDown(long timestamp, TypeRuntime rt, ElasticState elastic, Decision d) {
    LoadPlan lp = LoadRebalancer.scaleDown(rt.plan, Elasticity.loads(rt), Set.copyOf(elastic.draining()), d.to(), LoadRebalancer.DEFAULT_BAND);
    String reason = "scale-down: " + d.reason();
    moveMakeBeforeBreak(timestamp, rt, lp.moves(), reason);
    // The emptied instances' last states must be on the topic before their tombstones, and each pod
    // delete waits for its instance's emptied state to be in ZooKeeper.
    assignments.writeNow(rt, lp.removed(), clock.getAsLong());
    recorder.apply(timestamp, rt, rt.plan.deleteInstances(lp.removed()), reason, true);
    String why = d.reason() + "; instance" + (lp.removed().size() == 1 ? " " : "s ") + lp.removed() + " emptied first ("
        + lp.moves().size() + " resources moved)";
    if (!lp.unplaced().isEmpty()) {
      why += "; " + lp.unplaced().size() + " resources found no room, so their instance stays";
    }
    return new ScalingReport.Event(d.at(), ScalingReport.Kind.SCALE_DOWN, d.from(), rt.plan.instances().size(), why, lp.moves().size());
  }

  /**
   * Applies load moves make-before-break. Each instance's assignment is one record, so an instance
   * cannot be written both before and after another: the moves go in steps in which no instance both
   * gives and takes. In a step every giver's assignment names the receivers' new sequence numbers as
   * preconditions, and the step is written at once, so the next step's preconditions name records
   * that exist.
   */
  private void moveMakeBeforeBreak(long timestamp, TypeRuntime rt, List<Move> moves, String reason) {
    List<Move> left = moves;
    long now = clock.getAsLong();
    while (!left.isEmpty()) {
      Set<Integer> giving = new HashSet<>();
      Set<Integer> taking = new HashSet<>();
      List<Move> step = new ArrayList<>();
      List<Move> rest = new ArrayList<>();
      for (Move m : left) {
        if (!taking.contains(m.from()) && !giving.contains(m.to())) {
          step.add(m);
          giving.add(m.from());
          taking.add(m.to());
        } else {
          rest.add(m);
        }
      }
      Map<Integer, TreeSet<Integer>> receiversOf = new TreeMap<>();
      for (Move m : step) {
        receiversOf.computeIfAbsent(m.from(), k -> new TreeSet<>()).add(m.to());
      }
      for (var e : receiversOf.entrySet()) {
        List<Precondition> after = new ArrayList<>();
        for (int to : e.getValue()) {
          // apply gives every changed instance its next sequence number.
          after.add(new Precondition(Assignment.key(rt.name(), String.valueOf(to)), rt.instances.get(to).seq() + 1));
        }
        assignments.after(rt, e.getKey(), after);
      }
      // The estimator carries the moving loads along; it reads the plan as it was before the moves.
      rt.estimator.moved(timestamp, step, rt.plan);
      List<String> moved = new ArrayList<>(step.size());
      step.forEach(m -> moved.add(m.resource()));
      Set<Integer> ends = new TreeSet<>(giving);
      ends.addAll(taking);
      cache.putLoads(rt, ends, moved);
      Delta delta = rt.plan.applyMoves(step);
      recorder.apply(timestamp, rt, delta, reason);
      // Receivers first: on the topic too, each giver follows the records it names.
      assignments.writeNow(rt, taking, now);
      assignments.writeNow(rt, delta.changed(), now);
      left = rest;
    }
  }

  /**
   * A drain or undrain request. A drain moves every resource off the instance, each to the coolest
   * instance with room, and keeps it out of new placements; refused with 409 when the others lack
   * room for all of them (then nothing moves). An undrain makes it eligible again; the next metrics
   * round gives it work if the load calls for it.
   */
  void onDrain(long timestamp, ResourceType type, DrainRequest request) {
    TypeRuntime rt = cache.get(type.name());
    int id = request.instanceId();
    if (rt == null || rt.plan.instance(id) == null) {
      outputs.result(timestamp, RequestResult.error(request.requestId(), type.name(), 404, "no instance " + id + " of " + type.name()));
      return;
    }
    TreeSet<Integer> draining = new TreeSet<>(rt.elastic.draining());
    int from = rt.plan.instances().size();
    int moved = 0;
    String why;
    if (request.drain()) {
      draining.add(id);
      LoadPlan lp = LoadRebalancer.rebalance(rt.plan, Elasticity.loads(rt), draining, DRAIN_ONLY, 1);
      if (!lp.unplaced().isEmpty()) {
        outputs.result(timestamp, RequestResult.error(request.requestId(), type.name(), 409, "instance " + id + " of " + type.name()
            + " cannot be emptied: no room elsewhere for " + lp.unplaced().size() + " of its resources"));
        return;
      }
      moveMakeBeforeBreak(timestamp, rt, lp.moves(), "drain request " + request.requestId());
      moved = lp.moves().size();
      why = "drain request " + request.requestId() + ": instance " + id + " gave its " + moved + " resources away and takes no new ones";
    } else {
      boolean was = draining.remove(id);
      why = "undrain request " + request.requestId() + ": instance " + id + (was ? " takes resources again" : " was not drained");
    }
    cache.putElastic(rt, rt.elastic.withDraining(draining));
    rt.coolest = null;
    ScalingReport.Kind kind = request.drain() ? ScalingReport.Kind.DRAIN : ScalingReport.Kind.UNDRAIN;
    cache.putReport(rt, elasticity.refreshed(rt).withEvent(new ScalingReport.Event(timestamp, kind, from, from, why, moved)));
    LOG.info("{} {}/{} for request {}: moved {}", request.op(), type.name(), id, request.requestId(), moved);
    outputs.result(timestamp, RequestResult.ok(request.requestId(), drainReport(rt, moved)));
  }

  private static OrchestrationReport drainReport(TypeRuntime rt, int moved) {
    int max = 0;
    int min = Integer.MAX_VALUE;
    for (InstanceView v : rt.plan.instances().values()) {
      max = Math.max(max, v.used());
      min = Math.min(min, v.used());
    }
    return new OrchestrationReport(rt.name(), rt.plan.instances().size(), rt.plan.capacity(), moved,
        rt.plan.resourceCount() - moved, List.of(), List.of(), max, min == Integer.MAX_VALUE ? 0 : min);
  }
}
