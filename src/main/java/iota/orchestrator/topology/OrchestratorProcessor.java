package iota.orchestrator.topology;

import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.config.ResourceType;
import iota.orchestrator.model.Assignment;
import iota.orchestrator.model.AssignmentJson;
import iota.orchestrator.model.ChangeEvent;
import iota.orchestrator.model.EncodedIds;
import iota.orchestrator.model.InvalidRecordException;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.OrchestrateRequest;
import iota.orchestrator.model.OrchestrationParams;
import iota.orchestrator.model.PodCommand;
import iota.orchestrator.model.PodInventory;
import iota.orchestrator.model.PodStatus;
import iota.orchestrator.model.RequestResult;
import iota.orchestrator.placement.Delta;
import iota.orchestrator.placement.InstanceView;
import iota.orchestrator.placement.Orchestration;
import iota.orchestrator.placement.SizingException;
import iota.orchestrator.placement.TypePlan;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestrating processor: owns every resource type whose key lands on its task, so decisions
 * for a type are serialized without locks.
 *
 * <p>The stores are the truth; the in-memory {@link TypePlan} per type is a cache of them, rebuilt
 * in {@link #init} (which Kafka Streams calls after restoration, and again after any task
 * revival), so reads never touch RocksDB on the hot path. Every decision writes the stores first
 * and then emits commands, both inside the task's transaction.
 *
 * <p>Placement depends only on the order of change and request records. The wall clock decides only
 * pod re-creation (heartbeat deadlines) and when dirty assignments are flushed: an assignment is
 * the whole state of an instance, so it is written once per flush interval however many changes
 * the instance took meanwhile, instead of once per change (a 5,000-resource instance would
 * otherwise cost 200 KB per created resource). The first change after a quiet interval is written
 * at once (leading edge), so a lone change waits for no flush. A pending flush is recorded in the instance's
 * state ({@code emittedSeq < seq}), so a crash between a change and its flush loses nothing.
 */
final class OrchestratorProcessor implements Processor<String, Input, String, Output> {
  private static final Logger LOG = LoggerFactory.getLogger(OrchestratorProcessor.class);
  private static final StringSerializer KEYS = new StringSerializer();

  private final TypeRegistry types;
  private final long timeoutMs;
  private final PodStartPolicy startPolicy;
  private final Duration flushInterval;
  private final boolean exactlyOnce;
  /** {@code iota.assignment.max.bytes}: the byte budget of every instance's resources znode. */
  private final int maxBytes;

  private ProcessorContext<String, Output> context;
  private KeyValueStore<String, String> placements;
  private KeyValueStore<String, String> byInstance;
  private KeyValueStore<String, InstanceState> instances;
  private KeyValueStore<String, TypeState> typeStates;
  private final Map<String, TypeRuntime> runtimes = new HashMap<>();
  private long graceStart;
  private boolean indexChecked;
  private long nextDeadlineCheck;

  OrchestratorProcessor(OrchestratorConfig config) {
    this.types = new TypeRegistry(config.resourceTypes());
    this.timeoutMs = config.get(ConfigKeys.HEARTBEAT_TIMEOUT).toMillis();
    this.startPolicy = new PodStartPolicy(config.get(ConfigKeys.POD_START_TIMEOUT).toMillis());
    this.flushInterval = flushInterval(config);
    this.exactlyOnce = exactlyOnce(config);
    this.maxBytes = config.get(ConfigKeys.ASSIGNMENT_MAX_BYTES);
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

  /** The cached state of one resource type. */
  private static final class TypeRuntime {
    final ResourceType type;
    TypeState state;
    TypePlan plan;
    /** Every instance ever created, including removed markers (they keep the sequence going). */
    final TreeMap<Integer, InstanceState> instances = new TreeMap<>();
    final TreeSet<Integer> dirty = new TreeSet<>();
    /** Wall-clock ms of each instance's last assignment write (memory only: after a restart all may write). */
    final Map<Integer, Long> lastEmit = new HashMap<>();
    /** Each instance's ids as last written, patched at the next write. */
    final EncodedInstances encoded = new EncodedInstances();

    TypeRuntime(ResourceType type) {
      this.type = type;
    }
  }

  @Override
  public void init(ProcessorContext<String, Output> context) {
    this.context = context;
    this.placements = context.getStateStore(Stores.PLACEMENTS);
    this.byInstance = context.getStateStore(Stores.INSTANCE_RESOURCES);
    indexChecked = false;
    this.instances = context.getStateStore(Stores.INSTANCES);
    this.typeStates = context.getStateStore(Stores.TYPES);
    runtimes.clear();
    rebuildFromStores();
    long now = context.currentSystemTimeMs();
    // A task that was just assigned or restored has not been hearing heartbeats: give every
    // instance one full timeout before judging it.
    graceStart = now;
    nextDeadlineCheck = now + shortestTimeout();
    context.schedule(flushInterval, PunctuationType.WALL_CLOCK_TIME, this::tick);
  }

  private void rebuildFromStores() {
    try (KeyValueIterator<String, TypeState> it = typeStates.all()) {
      while (it.hasNext()) {
        KeyValue<String, TypeState> kv = it.next();
        ResourceType type = types.type(kv.key);
        if (type == null) {
          LOG.warn("store holds resource type {} which is no longer configured; ignoring it", kv.key);
          continue;
        }
        TypeRuntime rt = new TypeRuntime(type);
        rt.state = kv.value;
        rt.plan = new TypePlan(kv.value.resourcePerInstance(), kv.value.maxInstances(), maxBytes);
        runtimes.put(type.name(), rt);
      }
    }
    try (KeyValueIterator<String, InstanceState> it = instances.all()) {
      while (it.hasNext()) {
        KeyValue<String, InstanceState> kv = it.next();
        TypeRuntime rt = runtimes.get(typeOf(kv.key));
        if (rt == null) {
          continue;
        }
        int id = Integer.parseInt(kv.key.substring(kv.key.indexOf('/') + 1));
        rt.instances.put(id, kv.value);
        if (!kv.value.removed()) {
          rt.plan.restoreInstance(id, kv.value.count(), kv.value.reload());
        }
        if (kv.value.pendingEmit()) {
          rt.dirty.add(id);
        }
      }
    }
    try (KeyValueIterator<String, String> it = placements.all()) {
      while (it.hasNext()) {
        KeyValue<String, String> kv = it.next();
        String typeName = typeOf(kv.key);
        TypeRuntime rt = runtimes.get(typeName);
        if (rt != null) {
          rt.plan.restorePlacement(kv.key.substring(typeName.length() + 1), Integer.parseInt(kv.value));
        }
      }
    }
  }

  /** The {@link Stores#INSTANCE_RESOURCES} key of a placement. */
  static String indexKey(String type, String instanceId, String resourceId) {
    return type + "/" + instanceId + "/" + resourceId;
  }

  /**
   * Fills the by-instance index of a type whose index is empty while its plan is not: stores written
   * before the index existed. Done once per task start, at the first tick (a punctuation, where
   * store writes join the task's transaction like any other). Afterwards the index is written with
   * every placement change, in the same call and transaction, so it never needs checking again.
   */
  private void indexPlacementsIfMissing() {
    indexChecked = true;
    for (TypeRuntime rt : runtimes.values()) {
      String type = rt.type.name();
      try (KeyValueIterator<String, String> it = byInstance.prefixScan(type + "/", KEYS)) {
        if (it.hasNext()) {
          continue;
        }
      }
      long written = 0;
      for (var e : rt.instances.entrySet()) {
        if (e.getValue().removed()) {
          continue;
        }
        String instanceId = String.valueOf(e.getKey());
        for (String id : rt.plan.instance(e.getKey()).resources()) {
          byInstance.put(indexKey(type, instanceId, id), "");
          written++;
        }
      }
      if (written > 0) {
        LOG.info("indexed {} placements of {} by instance (stores written before the index existed)", written, type);
      }
    }
  }

  private static String typeOf(String key) {
    return key.substring(0, key.indexOf('/') < 0 ? key.length() : key.indexOf('/'));
  }

  @Override
  public void process(Record<String, Input> record) {
    Input input = record.value();
    ResourceType type = types.type(record.key());
    if (type == null) {
      if (input.kind() == Input.Kind.REQUEST) {
        OrchestrateRequest r = input.request();
        emit(record, r.requestId(), Topics.RESULTS, Json.bytes(RequestResult.error(r.requestId(), r.resource(), 404, "unknown resource type " + r.resource())));
        return;
      }
      throw new InvalidRecordException("resource '" + record.key() + "' is not a configured resource type");
    }
    try {
      switch (input.kind()) {
        case CHANGE -> onChange(record, type, input);
        case REQUEST -> onRequest(record, type, input.request());
        case HEARTBEAT -> onHeartbeat(type, input.instanceId());
        case POD_STATUS -> onPodStatus(record, type, input.pod());
        case POD_INVENTORY -> onInventory(record, type, input.inventory());
      }
    } catch (RuntimeException e) {
      // The cache may now be ahead of the stores; rebuild it from them before the next record.
      runtimes.clear();
      rebuildFromStores();
      throw e;
    }
  }

  // ---- changes

  private void onChange(Record<String, Input> record, ResourceType type, Input input) {
    ChangeEvent event = input.change();
    if (input.dependent()) {
      TypeRuntime rt = runtimes.get(type.name());
      if (rt != null) {
        apply(record, rt, rt.plan.reloadAll(), "dependent table " + event.table() + " changed");
      }
      return;
    }
    TypeRuntime rt = runtime(record, type);
    String reason = "'" + event.rawOp() + "' of " + type.name();
    if (event.op().adds()) {
      // The plan mirrors the placements store, so only ids it did not hold yet need a write.
      Set<String> fresh = new LinkedHashSet<>();
      for (String id : event.ids()) {
        if (rt.plan.instanceOf(id).isEmpty()) {
          fresh.add(id);
        }
      }
      Delta delta = rt.plan.addAll(event.ids());
      for (String id : fresh) {
        Optional<Integer> instance = rt.plan.instanceOf(id);
        if (instance.isPresent()) {
          placements.put(type.name() + "/" + id, String.valueOf(instance.get()));
          byInstance.put(indexKey(type.name(), String.valueOf(instance.get()), id), "");
          rt.encoded.added(instance.get(), id);
        }
      }
      apply(record, rt, delta, reason);
      if (!delta.refused().isEmpty()) {
        deadLetterRefused(record, rt, delta.refused());
      }
    } else if (event.op().removes()) {
      for (String id : new HashSet<>(event.ids())) {
        rt.plan.instanceOf(id).ifPresent(instance -> {
          rt.encoded.removed(instance, id);
          byInstance.delete(indexKey(type.name(), String.valueOf(instance), id));
        });
      }
      Delta delta = rt.plan.removeAll(event.ids());
      for (String id : event.ids()) {
        placements.delete(type.name() + "/" + id);
      }
      apply(record, rt, delta, reason);
    } else if (event.op().updates()) {
      apply(record, rt, rt.plan.updateAll(event.ids()), reason);
    }
  }

  /** The runtime of a type, creating its automatic plan at the type's first event. */
  private TypeRuntime runtime(Record<String, Input> record, ResourceType type) {
    TypeRuntime rt = runtimes.get(type.name());
    if (rt != null) {
      return rt;
    }
    OrchestrationParams.Sizing d = type.defaults();
    rt = new TypeRuntime(type);
    rt.state = new TypeState(false, d.initInstances(), d.maxInstances(), d.resourcePerInstance(), 0, 0, 0, 0);
    rt.plan = new TypePlan(d.resourcePerInstance(), d.maxInstances(), maxBytes);
    runtimes.put(type.name(), rt);
    typeStates.put(type.name(), rt.state);
    apply(record, rt, rt.plan.createInstances(d.initInstances(), d.resourcePerInstance()), "automatic plan for " + type.name());
    return rt;
  }

  /**
   * Resources no instance could take within the byte budget at the pool's maximum are not placed:
   * placing them would make an assignment Kafka or ZooKeeper refuses, which stops the whole
   * instance. They go to the DLQ as bulk creates of the type (each record within the budget too),
   * with the reason, so an operator can publish them again once there is room.
   */
  private void deadLetterRefused(Record<String, Input> record, TypeRuntime rt, List<String> refused) {
    String type = rt.type.name();
    String reason = refused.size() + " " + type + " resource(s) not placed: every instance is full by bytes at the pool's maximum of "
        + rt.plan.maxInstances() + " (iota.assignment.max.bytes " + maxBytes + " per resources znode)";
    LOG.warn("{}; dead-lettering them, first {}", reason, refused.get(0));
    Headers headers = new RecordHeaders();
    headers.add(Topics.DLQ_HEADER_EXCEPTION, utf8("over capacity"));
    headers.add(Topics.DLQ_HEADER_MESSAGE, utf8(reason));
    context.recordMetadata().ifPresent(m -> {
      headers.add(Topics.DLQ_HEADER_TOPIC, utf8(m.topic()));
      headers.add(Topics.DLQ_HEADER_PARTITION, utf8(String.valueOf(m.partition())));
      headers.add(Topics.DLQ_HEADER_OFFSET, utf8(String.valueOf(m.offset())));
    });
    List<String> chunk = new ArrayList<>();
    long room = maxBytes - change(type, List.of()).length;
    long bytes = 0;
    for (String id : refused) {
      int length = EncodedIds.encodedLength(id) + 1;
      if (!chunk.isEmpty() && bytes + length > room) {
        deadLetterChunk(record, type, chunk, headers);
        chunk = new ArrayList<>();
        bytes = 0;
      }
      chunk.add(id);
      bytes += length;
    }
    deadLetterChunk(record, type, chunk, headers);
  }

  private void deadLetterChunk(Record<String, Input> record, String type, List<String> ids, Headers headers) {
    context.forward(new Record<>(type, new Output(Topics.DLQ, change(type, ids)), record.timestamp(), new RecordHeaders(headers.toArray())));
    DeadLetterHandler.countSent();
  }

  /** A bulk create of {@code ids}, as the config service would publish it. */
  private static byte[] change(String type, List<String> ids) {
    Map<String, Object> change = new LinkedHashMap<>();
    change.put("o", "bc");
    change.put("t", type);
    change.put("keys", ids);
    return Json.bytes(change);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // ---- requests

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
    for (int id : outcome.delta().changed()) {
      rt.encoded.forget(id);
      for (String resource : rt.plan.instance(id).resources()) {
        String key = type.name() + "/" + resource;
        String placed = String.valueOf(id);
        String before = placements.get(key);
        if (!placed.equals(before)) {
          placements.put(key, placed);
          if (before != null) {
            byInstance.delete(indexKey(type.name(), before, resource));
          }
          byInstance.put(indexKey(type.name(), placed, resource), "");
        }
      }
    }
    var report = outcome.report();
    rt.state = rt.state.orchestratedWith(sizing.initInstances(), sizing.maxInstances(), report.resourcePerInstance(), report.moved());
    typeStates.put(type.name(), rt.state);
    apply(record, rt, outcome.delta(), "orchestrate request " + request.requestId());
    LOG.info("orchestrated {} for request {}: {} instances x {}, moved {}, kept {}, created {}, deleted {}",
        type.name(), request.requestId(), report.instances(), report.resourcePerInstance(), report.moved(), report.kept(), report.created(), report.deleted());
    result(record, RequestResult.ok(request.requestId(), report.toOrchestrationReport(type.name())));
  }

  private void result(Record<String, Input> record, RequestResult result) {
    emit(record, result.requestId(), Topics.RESULTS, Json.bytes(result));
  }

  // ---- applying a plan change

  /**
   * Records what a planner mutation changed: instance states (each change takes the instance's
   * next sequence number and marks it for the next flush), pod create and delete commands.
   */
  private void apply(Record<String, Input> record, TypeRuntime rt, Delta delta, String reason) {
    long now = context.currentSystemTimeMs();
    for (int id : delta.deleted()) {
      rt.encoded.forget(id);
      InstanceState old = rt.instances.get(id);
      InstanceState removed = old.asRemoved(old.seq() + 1);
      putInstance(rt, id, removed);
      podCommand(record.timestamp(), rt, id, PodCommand.Action.delete, "t" + removed.seq(), reason);
    }
    for (int id : delta.changed()) {
      InstanceView view = rt.plan.instance(id);
      InstanceState old = rt.instances.get(id);
      if (old == null || old.removed()) {
        long seq = old == null ? 1 : old.seq() + 1;
        putInstance(rt, id, InstanceState.created(view.count(), seq, now).withPlan(view.count(), view.used(), view.reload(), seq));
        noDeadlineLaterThan(now + shortestTimeout());
        podCommand(record.timestamp(), rt, id, PodCommand.Action.create, "s" + seq, reason);
      } else {
        putInstance(rt, id, old.withPlan(view.count(), view.used(), view.reload(), old.seq() + 1));
      }
    }
    if (!exactlyOnce) {
      emitQuietInstances(rt, delta.deleted(), now);
      emitQuietInstances(rt, delta.changed(), now);
    }
  }

  /** Leading edge (at least once only): an instance not written within the last flush interval is written now. */
  private void emitQuietInstances(TypeRuntime rt, Collection<Integer> ids, long now) {
    for (int id : ids) {
      Long last = rt.lastEmit.get(id);
      if ((last == null || now - last >= flushInterval.toMillis()) && rt.dirty.remove(id)) {
        emit(rt, id, now);
      }
    }
  }

  private void putInstance(TypeRuntime rt, int id, InstanceState state) {
    rt.instances.put(id, state);
    instances.put(rt.type.name() + "/" + id, state);
    if (state.pendingEmit()) {
      rt.dirty.add(id);
    }
  }

  private void podCommand(long timestamp, TypeRuntime rt, int id, PodCommand.Action action, String discriminator, String reason) {
    String instanceId = String.valueOf(id);
    String commandId = rt.type.name() + "/" + instanceId + "/" + action + "/" + discriminator;
    PodCommand command = new PodCommand(commandId, action, rt.type.name(), instanceId, rt.type.instanceName(), reason);
    context.forward(new Record<>(command.key(), new Output(Topics.POD_COMMANDS, Json.bytes(command)), timestamp));
  }

  private void emit(Record<String, Input> cause, String key, String topic, byte[] value) {
    context.forward(new Record<>(key, new Output(topic, value), cause.timestamp()));
  }

  // ---- heartbeats and pods

  private void onHeartbeat(ResourceType type, String instanceId) {
    TypeRuntime rt = runtimes.get(type.name());
    int id = Integer.parseInt(instanceId);
    InstanceState state = rt == null ? null : rt.instances.get(id);
    if (state == null || state.removed()) {
      LOG.debug("heartbeat from {}/{} which is not planned; ignored", type.name(), instanceId);
      return;
    }
    // A worker that heartbeats is running, whatever the pod watcher has or has not reported.
    putInstance(rt, id, state.withHeartbeat(context.currentSystemTimeMs()).withStarted());
  }

  private void onPodStatus(Record<String, Input> record, ResourceType type, PodStatus pod) {
    TypeRuntime rt = runtimes.get(type.name());
    int id = Integer.parseInt(pod.instanceId());
    InstanceState state = rt == null ? null : rt.instances.get(id);
    if (state == null || state.removed()) {
      return;
    }
    long now = context.currentSystemTimeMs();
    state = startPolicy.observe(state, pod);
    putInstance(rt, id, state);
    if (pod.needsRecreate() && mayRecreate(state, now)) {
      recreate(record.timestamp(), rt, id, pod.gone() ? "pod " + pod.podName() + " is gone" : "pod " + pod.podName() + " is " + pod.phase());
    }
  }

  /**
   * A planned instance the inventory does not list has no pod: recreate it, unless it was created
   * or recreated within the last timeout (its pod may simply not exist yet) or it was recreated
   * within the no-storm window.
   */
  private void onInventory(Record<String, Input> record, ResourceType type, PodInventory inventory) {
    TypeRuntime rt = runtimes.get(type.name());
    if (rt == null) {
      return;
    }
    long now = context.currentSystemTimeMs();
    Set<String> present = new HashSet<>(inventory.inventory());
    List<Integer> missing = new ArrayList<>();
    for (var e : rt.instances.entrySet()) {
      InstanceState s = e.getValue();
      if (!s.removed() && !present.contains(String.valueOf(e.getKey()))
          && now - Math.max(s.createdAt(), s.lastRecreate()) >= timeoutMs && mayRecreate(s, now)) {
        missing.add(e.getKey());
      }
    }
    for (int id : missing) {
      recreate(record.timestamp(), rt, id, "no pod found for the instance");
    }
  }

  /** No storm: an instance is recreated again only once a full timeout has passed since the last time. */
  private boolean mayRecreate(InstanceState state, long now) {
    return state.lastRecreate() == 0 || now - state.lastRecreate() >= timeoutMs;
  }

  private void recreate(long timestamp, TypeRuntime rt, int id, String reason) {
    long now = context.currentSystemTimeMs();
    InstanceState state = rt.instances.get(id).withRecreate(now, reason);
    putInstance(rt, id, state);
    noDeadlineLaterThan(now + shortestTimeout());
    rt.state = rt.state.recreated();
    typeStates.put(rt.type.name(), rt.state);
    LOG.info("recreating pod of {}/{}: {}", rt.type.name(), id, reason);
    podCommand(timestamp, rt, id, PodCommand.Action.recreate, "r" + state.recreates(), reason);
  }

  // ---- the clock

  private void tick(long now) {
    if (!indexChecked) {
      indexPlacementsIfMissing();
    }
    if (now >= nextDeadlineCheck) {
      checkDeadlines(now);
    }
    boolean wrote = false;
    for (TypeRuntime rt : runtimes.values()) {
      wrote |= flush(rt, now);
    }
    if (wrote && exactlyOnce) {
      // Commit right after the flush rather than up to a commit interval later. (Kafka Streams
      // keeps its own interval commits as well: a requested commit does not restart that timer.)
      context.commit();
    }
  }

  /**
   * Recreates every instance whose heartbeat deadline (heartbeat types only) or pod start deadline
   * ({@link PodStartPolicy}, every type) has passed, and remembers the earliest deadline left so
   * that ticks in between cost nothing. A heartbeat or a start only moves a deadline later, and a
   * recreate or a new instance between checks lowers the cached minimum to its own first deadline
   * ({@link #noDeadlineLaterThan}), so the cached minimum stays a safe lower bound.
   */
  private void checkDeadlines(long now) {
    long earliest = Long.MAX_VALUE;
    for (TypeRuntime rt : runtimes.values()) {
      Map<Integer, String> late = new TreeMap<>();
      List<Integer> startsTimedOut = new ArrayList<>();
      for (var e : rt.instances.entrySet()) {
        InstanceState s = e.getValue();
        if (s.removed()) {
          continue;
        }
        long heartbeat = rt.type.heart() ? deadline(s) : Long.MAX_VALUE;
        long start = startPolicy.deadline(s, graceStart);
        if (now >= heartbeat) {
          late.put(e.getKey(), s.lastHeartbeat() == 0
              ? "no heartbeat within " + timeoutMs + " ms"
              : "no heartbeat for " + (now - s.lastHeartbeat()) + " ms (timeout " + timeoutMs + " ms)");
        } else if (now >= start) {
          if (mayRecreate(s, now)) {
            late.put(e.getKey(), startPolicy.reason(s, PodCommand.podName(rt.type.instanceName(), String.valueOf(e.getKey()))));
            startsTimedOut.add(e.getKey());
          } else {
            // No storm: the start rule waits until a full heartbeat timeout since the last recreate.
            earliest = Math.min(earliest, Math.min(heartbeat, s.lastRecreate() + timeoutMs));
          }
        } else {
          earliest = Math.min(earliest, Math.min(heartbeat, start));
        }
      }
      for (var e : late.entrySet()) {
        recreate(now, rt, e.getKey(), e.getValue());
        earliest = Math.min(earliest, now + shortestTimeout());
      }
      if (!startsTimedOut.isEmpty()) {
        rt.state = rt.state.withStartTimeouts(startsTimedOut.size());
        typeStates.put(rt.type.name(), rt.state);
      }
    }
    nextDeadlineCheck = earliest == Long.MAX_VALUE ? now + shortestTimeout() : earliest;
  }

  /** A new instance's first deadline, or a recreated one's next, is at least this far away. */
  private long shortestTimeout() {
    return Math.min(timeoutMs, startPolicy.timeoutMs());
  }

  /**
   * A new deadline between two checks: the two timeouts differ, so it can fall before the cached
   * earliest one (a start of 60 s after a recreate, while every heartbeat deadline is 89 s away).
   */
  private void noDeadlineLaterThan(long deadline) {
    nextDeadlineCheck = Math.min(nextDeadlineCheck, deadline);
  }

  private long deadline(InstanceState s) {
    long since = Math.max(Math.max(s.lastHeartbeat(), s.lastRecreate()), Math.max(s.createdAt(), graceStart));
    return since + timeoutMs;
  }

  /** Writes every dirty instance of the type; true when there was any. */
  private boolean flush(TypeRuntime rt, long now) {
    if (rt.dirty.isEmpty()) {
      return false;
    }
    for (int id : rt.dirty) {
      emit(rt, id, now);
    }
    rt.dirty.clear();
    return true;
  }

  /**
   * Writes the whole state of one instance, or once removed a tombstone with the removal's sequence
   * in a header, and records it as written.
   */
  private void emit(TypeRuntime rt, int id, long now) {
    String type = rt.type.name();
    InstanceState s = rt.instances.get(id);
    String key = Assignment.key(type, String.valueOf(id));
    if (s.removed()) {
      RecordHeaders headers = new RecordHeaders();
      headers.add(Topics.ASSIGNMENT_SEQ_HEADER, Long.toString(s.seq()).getBytes(StandardCharsets.UTF_8));
      context.forward(new Record<>(key, new Output(Topics.ASSIGNMENTS, null), now, headers));
    } else {
      InstanceView view = rt.plan.instance(id);
      byte[] value = AssignmentJson.write(type, String.valueOf(id), s.seq(), view.count(), rt.encoded.current(type, view), view.reload());
      context.forward(new Record<>(key, new Output(Topics.ASSIGNMENTS, value), now));
    }
    InstanceState emitted = s.emitted();
    rt.instances.put(id, emitted);
    instances.put(key, emitted);
    rt.lastEmit.put(id, now);
  }

}
