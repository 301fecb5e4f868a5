package iota.orchestrator.topology;

import iota.orchestrator.autoscale.Autoscaler;
import iota.orchestrator.autoscale.Decision;
import iota.orchestrator.autoscale.MetricsRound;
import iota.orchestrator.autoscale.PodMetrics;
import iota.orchestrator.autoscale.PodSample;
import iota.orchestrator.autoscale.ScalingReport;
import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.config.ResourceType;
import iota.orchestrator.health.PodHealthPolicy;
import iota.orchestrator.model.Assignment;
import iota.orchestrator.model.ChangeEvent;
import iota.orchestrator.model.DrainRequest;
import iota.orchestrator.model.InvalidRecordException;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.OrchestrateRequest;
import iota.orchestrator.model.OrchestrationParams;
import iota.orchestrator.model.OrchestrationReport;
import iota.orchestrator.model.PodCommand;
import iota.orchestrator.model.PodInventory;
import iota.orchestrator.model.PodStatus;
import iota.orchestrator.model.Precondition;
import iota.orchestrator.model.RequestResult;
import iota.orchestrator.placement.CoolestInstance;
import iota.orchestrator.placement.Delta;
import iota.orchestrator.placement.InstanceView;
import iota.orchestrator.placement.LoadPlan;
import iota.orchestrator.placement.LoadRebalancer;
import iota.orchestrator.placement.Move;
import iota.orchestrator.placement.Orchestration;
import iota.orchestrator.placement.SizingException;
import iota.orchestrator.placement.TypePlan;
import iota.orchestrator.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The orchestrating processor: owns every resource type whose key lands on its task, so decisions
 * for a type are serialized without locks. It routes each record by kind, asks the planner ({@link
 * TypePlan}) or the pod health policy ({@link PodHealthPolicy}) what to do, records the answer in
 * the stores ({@link PlanCache}) and emits it: pod commands and request results at once, assignments
 * through the {@link AssignmentEmitter}.
 *
 * <p>Placement depends only on the order of change and request records. The wall clock decides only
 * pod re-creation (heartbeat and start deadlines, checked at the tick) and when dirty assignments
 * are flushed. Every decision writes the stores first and then emits, both inside the task's
 * transaction.
 */
final class OrchestratorProcessor implements Processor<String, Input, String, Output> {
  private static final Logger LOG = LoggerFactory.getLogger(OrchestratorProcessor.class);

  /**
   * A drain moves only what it must: a band this wide never starts balancing, so the drained
   * instance's resources are all that move (the next metrics round balances if need be).
   */
  private static final double DRAIN_ONLY = 1e9;

  private final TypeRegistry types;
  private final PodHealthPolicy health;
  private final Elasticity elasticity;
  private final Duration flushInterval;
  private final boolean exactlyOnce;
  /** {@code iota.assignment.max.bytes}: the byte budget of every instance's resources znode. */
  private final int maxBytes;

  private ProcessorContext<String, Output> context;
  private PlanCache cache;
  private AssignmentEmitter assignments;
  private RefusedResources refused;
  /** When this task started judging deadlines: nothing is late from before it (see {@link PodHealthPolicy}). */
  private long graceStart;
  /** No deadline falls before this, so ticks until then skip the check. */
  private long nextDeadlineCheck;

  OrchestratorProcessor(OrchestratorConfig config) {
    this.types = new TypeRegistry(config.resourceTypes());
    this.health = new PodHealthPolicy(config.get(ConfigKeys.HEARTBEAT_TIMEOUT).toMillis(), config.get(ConfigKeys.POD_START_TIMEOUT).toMillis());
    this.flushInterval = flushInterval(config);
    this.exactlyOnce = exactlyOnce(config);
    this.maxBytes = config.get(ConfigKeys.ASSIGNMENT_MAX_BYTES);
    this.elasticity = new Elasticity(config);
  }

  private static boolean exactlyOnce(OrchestratorConfig config) {
    return config.get(ConfigKeys.PROCESSING_GUARANTEE).equals("exactly_once_v2");
  }

  /**
   * Under exactly-once, consumers see outputs only when the transaction commits, so writing an
   * instance more than once per commit interval is work nobody can observe: the flush is never
   * shorter than the commit interval then. (Measured end to end at 1,000 events/s: p50 293 ms with a
   * 20 ms flush against 146 ms with a 50 ms flush, both at a 50 ms commit interval.)
   */
  static Duration flushInterval(OrchestratorConfig config) {
    Duration flush = config.get(ConfigKeys.ASSIGNMENT_FLUSH_INTERVAL);
    if (exactlyOnce(config)) {
      Duration commit = config.get(ConfigKeys.COMMIT_INTERVAL);
      return commit.compareTo(flush) > 0 ? commit : flush;
    }
    return flush;
  }

  @Override
  public void init(ProcessorContext<String, Output> context) {
    this.context = context;
    this.cache = new PlanCache(context, types, maxBytes, elasticity::estimator);
    this.assignments = new AssignmentEmitter(context, cache, flushInterval, exactlyOnce);
    this.refused = new RefusedResources(context, maxBytes);
    rebuild();
    long now = context.currentSystemTimeMs();
    // A task that was just assigned or restored has not been hearing heartbeats: give every
    // instance one full timeout before judging it.
    graceStart = now;
    nextDeadlineCheck = now + health.shortestTimeoutMs();
    context.schedule(flushInterval, PunctuationType.WALL_CLOCK_TIME, this::tick);
  }

  private void rebuild() {
    cache.rebuild();
    assignments.restart();
  }

  // ---- route the record

  @Override
  public void process(Record<String, Input> record) {
    Input input = record.value();
    ResourceType type = types.type(record.key());
    if (type == null) {
      if (input.kind() == Input.Kind.REQUEST) {
        OrchestrateRequest r = input.request();
        result(record, RequestResult.error(r.requestId(), r.resource(), 404, "unknown resource type " + r.resource()));
        return;
      }
      if (input.kind() == Input.Kind.DRAIN) {
        DrainRequest r = input.drain();
        result(record, RequestResult.error(r.requestId(), r.resource(), 404, "unknown resource type " + r.resource()));
        return;
      }
      throw new InvalidRecordException("resource '" + record.key() + "' is not a configured resource type");
    }
    try {
      switch (input.kind()) {
        case CHANGE -> onChange(record, type, input);
        case REQUEST -> {
          try (MDC.MDCCloseable ignored = MDC.putCloseable(OrchestrateRequest.MDC_REQUEST_ID, input.request().requestId())) {
            onRequest(record, type, input.request());
          }
        }
        case HEARTBEAT -> onHeartbeat(type, input.instanceId());
        case POD_STATUS -> onPodStatus(record, type, input.pod());
        case POD_INVENTORY -> onInventory(record, type, input.inventory());
        case POD_METRICS -> onMetrics(record, type, input.metrics());
        case DRAIN -> onDrain(record, type, input.drain());
      }
    } catch (RuntimeException e) {
      // The cache may now be ahead of the stores; rebuild it from them before the next record.
      rebuild();
      throw e;
    }
  }

  /** The clock: the one-time index repair, the deadlines when one may have passed, the assignment flush. */
  private void tick(long now) {
    cache.indexPlacementsIfMissing();
    if (now >= nextDeadlineCheck) {
      checkDeadlines(now);
    }
    assignments.flush(now);
  }

  // ---- ask the planner

  private void onChange(Record<String, Input> record, ResourceType type, Input input) {
    ChangeEvent event = input.change();
    if (input.dependent()) {
      TypeRuntime rt = cache.get(type.name());
      if (rt != null) {
        apply(record, rt, rt.plan.reloadAll(), "dependent table " + event.table() + " changed");
      }
      return;
    }
    TypeRuntime rt = runtime(record, type);
    String reason = "'" + event.rawOp() + "' of " + type.name();
    if (event.op().adds()) {
      CoolestInstance chooser = chooser(rt);
      Delta delta = chooser == null ? rt.plan.addAll(event.ids()) : rt.plan.addAll(event.ids(), chooser);
      apply(record, rt, delta, reason);
      rt.coolest = chooser;
      if (!delta.refused().isEmpty()) {
        refused.deadLetter(record, type.name(), rt.plan.maxInstances(), delta.refused());
      }
    } else if (event.op().removes()) {
      CoolestInstance chooser = rt.coolest;
      if (Elasticity.measured(rt)) {
        // Their load leaves their instances now rather than over the next rounds.
        Set<Integer> touched = new TreeSet<>();
        event.ids().forEach(id -> rt.plan.instanceOf(id).ifPresent(touched::add));
        rt.estimator.forget(event.ids(), rt.plan);
        cache.putLoads(rt, touched, event.ids());
      }
      Delta delta = rt.plan.removeAll(event.ids());
      apply(record, rt, delta, reason);
      if (chooser != null) {
        chooser.lost(delta.lost());
        rt.coolest = chooser;
      }
    } else if (event.op().updates()) {
      apply(record, rt, rt.plan.updateAll(event.ids()), reason);
    }
  }

  /**
   * Where new resources of the type go: by load while the type is autoscaled and measured, away
   * from drained instances while any is drained; null when the count rules place them, as before
   * load was measured.
   */
  private CoolestInstance chooser(TypeRuntime rt) {
    boolean drained = !rt.elastic.draining().isEmpty();
    if (!drained && !(elasticity.enabled(rt.type) && Elasticity.measured(rt))) {
      return null;
    }
    return rt.coolest != null ? rt.coolest : new CoolestInstance(rt.plan, Elasticity.chooserLoads(rt), Set.copyOf(rt.elastic.draining()));
  }

  /** The runtime of a type, creating its automatic plan at the type's first event. */
  private TypeRuntime runtime(Record<String, Input> record, ResourceType type) {
    TypeRuntime rt = cache.get(type.name());
    if (rt != null) {
      return rt;
    }
    OrchestrationParams.Sizing d = type.defaults();
    rt = cache.create(type, new TypeState(false, d.initInstances(), d.maxInstances(), d.resourcePerInstance(), 0, 0, 0, 0));
    apply(record, rt, rt.plan.createInstances(d.initInstances(), d.resourcePerInstance()), "automatic plan for " + type.name());
    return rt;
  }

  private void onRequest(Record<String, Input> record, ResourceType type, OrchestrateRequest request) {
    List<String> problems = request.params().problems();
    OrchestrationParams.Sizing sizing = null;
    String error = problems.isEmpty() ? null : String.join("; ", problems);
    if (error == null) {
      try {
        sizing = request.params().withDefaults(type.defaults());
      } catch (InvalidRecordException e) {
        error = e.getMessage();
      }
    }
    if (error != null) {
      result(record, RequestResult.error(request.requestId(), type.name(), 400, error));
      return;
    }
    TypeRuntime rt = runtime(record, type);
    Orchestration outcome;
    try {
      outcome = rt.plan.orchestrate(sizing.initInstances(), sizing.maxInstances(), sizing.resourcePerInstance());
    } catch (SizingException e) {
      result(record, RequestResult.error(request.requestId(), type.name(), 409, e.getMessage()));
      return;
    }
    var report = outcome.report();
    cache.putType(rt, rt.state.orchestratedWith(sizing.initInstances(), sizing.maxInstances(), report.resourcePerInstance(), report.moved()));
    apply(record, rt, outcome.delta(), "orchestrate request " + request.requestId());
    LOG.info("orchestrated {} for request {}: {} instances x {}, moved {}, kept {}, created {}, deleted {}",
        type.name(), request.requestId(), report.instances(), report.resourcePerInstance(), report.moved(), report.kept(), report.created(), report.deleted());
    result(record, RequestResult.ok(request.requestId(), report.toOrchestrationReport(type.name())));
  }

  /**
   * Records what a planner mutation changed: the placements it lists, instance states (each change
   * takes the instance's next sequence number, which makes its assignment due), pod create and
   * delete commands; then hands the change to the assignment emitter.
   */
  private void apply(Record<String, Input> record, TypeRuntime rt, Delta delta, String reason) {
    apply(record, rt, delta, reason, false);
  }

  /**
   * As {@link #apply(Record, TypeRuntime, Delta, String)}; with {@code deleteAfterEmptied} each pod
   * delete waits for its instance's emptied assignment (the state before the removal) to be in
   * ZooKeeper, so a pod goes only once no resource is listed on it.
   */
  private void apply(Record<String, Input> record, TypeRuntime rt, Delta delta, String reason, boolean deleteAfterEmptied) {
    long now = context.currentSystemTimeMs();
    rt.coolest = null;
    cache.recordPlacements(rt, delta);
    forgetElastic(rt, delta.deleted());
    for (int id : delta.deleted()) {
      rt.estimator.forgetInstance(id);
    }
    if (!delta.deleted().isEmpty()) {
      cache.putLoads(rt, delta.deleted(), List.of());
    }
    for (int id : delta.deleted()) {
      InstanceState old = rt.instances.get(id);
      InstanceState removed = old.asRemoved(old.seq() + 1);
      cache.putInstance(rt, id, removed);
      List<Precondition> after = deleteAfterEmptied
          ? List.of(new Precondition(Assignment.key(rt.name(), String.valueOf(id)), old.seq()))
          : List.of();
      podCommand(record.timestamp(), rt, id, PodCommand.Action.delete, "t" + removed.seq(), reason, after);
    }
    for (int id : delta.changed()) {
      InstanceView view = rt.plan.instance(id);
      InstanceState old = rt.instances.get(id);
      if (old == null || old.removed()) {
        long seq = old == null ? 1 : old.seq() + 1;
        cache.putInstance(rt, id, InstanceState.created(view.count(), seq, now).withPlan(view.count(), view.used(), view.reload(), seq));
        noDeadlineLaterThan(now + health.shortestTimeoutMs());
        podCommand(record.timestamp(), rt, id, PodCommand.Action.create, "s" + seq, reason);
      } else {
        cache.putInstance(rt, id, old.withPlan(view.count(), view.used(), view.reload(), old.seq() + 1));
      }
    }
    assignments.planChanged(rt, delta, now);
  }

  // ---- ask the autoscaler and the load rebalancer

  /**
   * One metrics round of a type: the load estimates take it in, the autoscaler decides the pool
   * size, and the plan follows: a scale-up creates instances (their pods are created as for a count
   * grow), a scale-down empties the highest ids by load and deletes them, and otherwise the load is
   * re-planned when the spread is outside the band, once every instance a scale-up created is
   * measured Ready. Time is the record's timestamp throughout, so a replay decides the same.
   */
  private void onMetrics(Record<String, Input> record, ResourceType type, PodMetrics metrics) {
    TypeRuntime rt = cache.get(type.name());
    if (rt == null) {
      LOG.debug("metrics of {} before it has a plan; ignored", type.name());
      return;
    }
    long at = record.timestamp();
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
        usage.put(s.instanceId(), s.cpuMillis());
        ready.add(s.instanceId());
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
      apply(record, rt, grown, "scale-up: " + d.reason());
      TreeSet<Integer> awaiting = new TreeSet<>(elastic.awaitingReady());
      awaiting.addAll(grown.created());
      elastic = elastic.withAwaitingReady(awaiting);
      event = new ScalingReport.Event(at, ScalingReport.Kind.SCALE_UP, d.from(), rt.plan.instances().size(), d.reason(), 0);
    } else if (d.to() < d.from()) {
      event = scaleDown(record, rt, elastic, d);
    } else {
      TreeSet<Integer> awaiting = new TreeSet<>(elastic.awaitingReady());
      awaiting.removeIf(id -> ready.contains(id) || rt.plan.instance(id) == null);
      boolean nowReady = awaiting.isEmpty() && !elastic.awaitingReady().isEmpty();
      elastic = elastic.withAwaitingReady(awaiting);
      if (awaiting.isEmpty() && Elasticity.measured(rt) && elasticity.enabled(type)) {
        event = rebalance(record, rt, elastic, d, nowReady);
      }
    }
    cache.putElastic(rt, elastic);
    rt.coolest = null;
    ScalingReport report = elasticity.measured(rt, d, samples);
    cache.putReport(rt, event == null ? report : report.withEvent(event));
  }

  private ScalingReport.Event rebalance(Record<String, Input> record, TypeRuntime rt, ElasticState elastic, Decision d, boolean nowReady) {
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
    moveMakeBeforeBreak(record, rt, lp.moves(), "load re-plan");
    double[] after = Elasticity.spread(rt);
    String why = (nowReady ? "the new instances are Ready; " : "") + String.format(Locale.ROOT,
        "estimated loads from %.0f%% to %.0f%% of the mean, outside the band of %.0f%%: moved %d resources, now %.0f%% to %.0f%%",
        100 * before[0], 100 * before[1], 100 * LoadRebalancer.DEFAULT_BAND, lp.moves().size(), 100 * after[0], 100 * after[1]);
    return new ScalingReport.Event(d.at(), ScalingReport.Kind.REBALANCE, d.from(), d.from(), why, lp.moves().size());
  }

  private ScalingReport.Event scaleDown(Record<String, Input> record, TypeRuntime rt, ElasticState elastic, Decision d) {
    LoadPlan lp = LoadRebalancer.scaleDown(rt.plan, Elasticity.loads(rt), Set.copyOf(elastic.draining()), d.to(), LoadRebalancer.DEFAULT_BAND);
    String reason = "scale-down: " + d.reason();
    moveMakeBeforeBreak(record, rt, lp.moves(), reason);
    // The emptied instances' last states must be on the topic before their tombstones, and each pod
    // delete waits for its instance's emptied state to be in ZooKeeper.
    assignments.writeNow(rt, lp.removed(), context.currentSystemTimeMs());
    apply(record, rt, rt.plan.deleteInstances(lp.removed()), reason, true);
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
  private void moveMakeBeforeBreak(Record<String, Input> record, TypeRuntime rt, List<Move> moves, String reason) {
    List<Move> left = moves;
    long now = context.currentSystemTimeMs();
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
      rt.estimator.moved(record.timestamp(), step, rt.plan);
      List<String> moved = new ArrayList<>(step.size());
      step.forEach(m -> moved.add(m.resource()));
      Set<Integer> ends = new TreeSet<>(giving);
      ends.addAll(taking);
      cache.putLoads(rt, ends, moved);
      Delta delta = rt.plan.applyMoves(step);
      apply(record, rt, delta, reason);
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
  private void onDrain(Record<String, Input> record, ResourceType type, DrainRequest request) {
    TypeRuntime rt = cache.get(type.name());
    int id = request.instanceId();
    if (rt == null || rt.plan.instance(id) == null) {
      result(record, RequestResult.error(request.requestId(), type.name(), 404, "no instance " + id + " of " + type.name()));
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
        result(record, RequestResult.error(request.requestId(), type.name(), 409, "instance " + id + " of " + type.name()
            + " cannot be emptied: no room elsewhere for " + lp.unplaced().size() + " of its resources"));
        return;
      }
      moveMakeBeforeBreak(record, rt, lp.moves(), "drain request " + request.requestId());
      moved = lp.moves().size();
      why = "drain request " + request.requestId() + ": instance " + id + " gave its " + moved + " resources away and takes no new ones";
    } else {
      boolean was = draining.remove(id);
      why = "undrain request " + request.requestId() + ": instance " + id + (was ? " takes resources again" : " was not drained");
    }
    cache.putElastic(rt, rt.elastic.withDraining(draining));
    rt.coolest = null;
    ScalingReport.Kind kind = request.drain() ? ScalingReport.Kind.DRAIN : ScalingReport.Kind.UNDRAIN;
    cache.putReport(rt, elasticity.refreshed(rt).withEvent(new ScalingReport.Event(record.timestamp(), kind, from, from, why, moved)));
    LOG.info("{} {}/{} for request {}: moved {}", request.op(), type.name(), id, request.requestId(), moved);
    result(record, RequestResult.ok(request.requestId(), drainReport(rt, moved)));
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

  /** A deleted instance is neither drained nor awaited any more: its id may come back as a new instance. */
  private void forgetElastic(TypeRuntime rt, Collection<Integer> deleted) {
    if (deleted.isEmpty()) {
      return;
    }
    TreeSet<Integer> draining = new TreeSet<>(rt.elastic.draining());
    TreeSet<Integer> awaiting = new TreeSet<>(rt.elastic.awaitingReady());
    if (draining.removeAll(deleted) | awaiting.removeAll(deleted)) {
      cache.putElastic(rt, rt.elastic.withDraining(draining).withAwaitingReady(awaiting));
    }
  }

  // ---- ask the pod health policy

  private void onHeartbeat(ResourceType type, String instanceId) {
    TypeRuntime rt = cache.get(type.name());
    int id = Integer.parseInt(instanceId);
    InstanceState state = rt == null ? null : rt.instances.get(id);
    if (state == null || state.removed()) {
      LOG.debug("heartbeat from {}/{} which is not planned; ignored", type.name(), instanceId);
      return;
    }
    // A worker that heartbeats is running, whatever the pod watcher has or has not reported.
    cache.putInstance(rt, id, state.withHeartbeat(context.currentSystemTimeMs()).withStarted());
  }

  private void onPodStatus(Record<String, Input> record, ResourceType type, PodStatus pod) {
    TypeRuntime rt = cache.get(type.name());
    int id = Integer.parseInt(pod.instanceId());
    InstanceState state = rt == null ? null : rt.instances.get(id);
    if (state == null || state.removed()) {
      return;
    }
    InstanceState observed = state.observed(pod, health.start());
    cache.putInstance(rt, id, observed);
    health.recreateForStatus(observed, pod.podName(), pod.phase(), pod.gone(), context.currentSystemTimeMs())
        .ifPresent(reason -> recreate(record.timestamp(), rt, id, reason));
  }

  /** Recreates every planned instance the inventory does not list, as far as the policy allows. */
  private void onInventory(Record<String, Input> record, ResourceType type, PodInventory inventory) {
    TypeRuntime rt = cache.get(type.name());
    if (rt == null) {
      return;
    }
    long now = context.currentSystemTimeMs();
    Set<String> present = new HashSet<>(inventory.inventory());
    List<Integer> missing = new ArrayList<>();
    for (var e : rt.instances.entrySet()) {
      if (!present.contains(String.valueOf(e.getKey())) && health.recreateUnlisted(e.getValue(), now)) {
        missing.add(e.getKey());
      }
    }
    for (int id : missing) {
      recreate(record.timestamp(), rt, id, "no pod found for the instance");
    }
  }

  /**
   * Recreates every instance the policy finds past a deadline, and remembers the earliest deadline
   * left so that ticks in between cost nothing. A heartbeat or a start only moves a deadline later,
   * and a recreate or a new instance between checks lowers the cached minimum to its own first
   * deadline ({@link #noDeadlineLaterThan}), so the cached minimum stays a safe lower bound.
   */
  private void checkDeadlines(long now) {
    long earliest = Long.MAX_VALUE;
    for (TypeRuntime rt : cache.all()) {
      Map<Integer, String> late = new TreeMap<>();
      int startsTimedOut = 0;
      for (var e : rt.instances.entrySet()) {
        String podName = PodCommand.podName(rt.type.instanceName(), String.valueOf(e.getKey()));
        PodHealthPolicy.Check check = health.check(e.getValue(), rt.type.heart(), podName, now, graceStart);
        if (check.recreate()) {
          late.put(e.getKey(), check.recreateReason());
          startsTimedOut += check.startTimedOut() ? 1 : 0;
        }
        earliest = Math.min(earliest, check.nextCheck());
      }
      for (var e : late.entrySet()) {
        recreate(now, rt, e.getKey(), e.getValue());
      }
      if (startsTimedOut > 0) {
        cache.putType(rt, rt.state.withStartTimeouts(startsTimedOut));
      }
    }
    nextDeadlineCheck = earliest == Long.MAX_VALUE ? now + health.shortestTimeoutMs() : earliest;
  }

  /**
   * A new deadline between two checks: the two timeouts differ, so it can fall before the cached
   * earliest one (a start of 60 s after a recreate, while every heartbeat deadline is 89 s away).
   */
  private void noDeadlineLaterThan(long deadline) {
    nextDeadlineCheck = Math.min(nextDeadlineCheck, deadline);
  }

  private void recreate(long timestamp, TypeRuntime rt, int id, String reason) {
    long now = context.currentSystemTimeMs();
    InstanceState state = rt.instances.get(id).withRecreate(now, reason);
    cache.putInstance(rt, id, state);
    noDeadlineLaterThan(now + health.shortestTimeoutMs());
    cache.putType(rt, rt.state.recreated());
    LOG.info("recreating pod of {}/{}: {}", rt.name(), id, reason);
    podCommand(timestamp, rt, id, PodCommand.Action.recreate, "r" + state.recreates(), reason);
  }

  // ---- emit (assignments go through the emitter)

  private void podCommand(long timestamp, TypeRuntime rt, int id, PodCommand.Action action, String discriminator, String reason) {
    podCommand(timestamp, rt, id, action, discriminator, reason, List.of());
  }

  private void podCommand(long timestamp, TypeRuntime rt, int id, PodCommand.Action action, String discriminator, String reason,
      List<Precondition> after) {
    String instanceId = String.valueOf(id);
    String commandId = rt.name() + "/" + instanceId + "/" + action + "/" + discriminator;
    PodCommand command = new PodCommand(commandId, action, rt.name(), instanceId, rt.type.instanceName(), reason, after);
    context.forward(new Record<>(command.key(), new Output(Topics.POD_COMMANDS.name(), Json.bytes(command)), timestamp));
  }

  private void result(Record<String, Input> cause, RequestResult result) {
    context.forward(new Record<>(result.requestId(), new Output(Topics.RESULTS.name(), Json.bytes(result)), cause.timestamp()));
  }
}
