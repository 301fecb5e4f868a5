package iota.orchestrator.topology;

import iota.orchestrator.autoscale.ScalingReport;
import iota.orchestrator.config.ResourceType;
import iota.orchestrator.model.StoreKey;
import iota.orchestrator.placement.Delta;
import iota.orchestrator.placement.LoadEstimator;
import iota.orchestrator.placement.TypePlan;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task's stores and the in-memory {@link TypeRuntime} of every type rebuilt from them.
 *
 * <p>The stores are the truth; the runtimes are a cache of them, rebuilt by {@link #rebuild} when
 * the task starts (Kafka Streams initializes a processor after restoration, and again after any
 * task revival) and after a failed record, so reads never touch RocksDB on the hot path. Every
 * write goes to both, inside the task's transaction.
 */
final class PlanCache {
  private static final Logger LOG = LoggerFactory.getLogger(PlanCache.class);
  private static final StringSerializer KEYS = new StringSerializer();

  private final TypeRegistry types;
  /** {@code iota.assignment.max.bytes}: the byte budget of every instance's resources znode. */
  private final int maxBytes;
  private final KeyValueStore<String, String> placements;
  private final KeyValueStore<String, String> byInstance;
  private final KeyValueStore<String, InstanceState> instances;
  private final KeyValueStore<String, TypeState> typeStates;
  private final KeyValueStore<String, byte[]> scaling;
  private final KeyValueStore<String, ElasticState> elastic;
  private final KeyValueStore<String, LoadEstimator.InstanceLoad> loadInstances;
  private final KeyValueStore<String, Double> loadWeights;
  /** A fresh estimator for a type, with the type's idle base. */
  private final Function<ResourceType, LoadEstimator> estimators;
  private final Map<String, TypeRuntime> runtimes = new HashMap<>();
  private boolean indexChecked;

  PlanCache(ProcessorContext<?, ?> context, TypeRegistry types, int maxBytes, Function<ResourceType, LoadEstimator> estimators) {
    this.types = types;
    this.maxBytes = maxBytes;
    this.estimators = estimators;
    this.scaling = context.getStateStore(StoreNames.SCALING);
    this.elastic = context.getStateStore(StoreNames.ELASTIC);
    this.loadInstances = context.getStateStore(StoreNames.LOAD_INSTANCES);
    this.loadWeights = context.getStateStore(StoreNames.LOAD_WEIGHTS);
    this.placements = context.getStateStore(StoreNames.PLACEMENTS);
    this.byInstance = context.getStateStore(StoreNames.INSTANCE_RESOURCES);
    this.instances = context.getStateStore(StoreNames.INSTANCES);
    this.typeStates = context.getStateStore(StoreNames.TYPES);
  }

  /** Drops the cache and reads every configured type back from the stores. */
  void rebuild() {
    runtimes.clear();
    try (KeyValueIterator<String, TypeState> it = typeStates.all()) {
      while (it.hasNext()) {
        KeyValue<String, TypeState> kv = it.next();
        ResourceType type = types.type(kv.key);
        if (type == null) {
          LOG.warn("store holds resource type {} which is no longer configured; ignoring it", kv.key);
          continue;
        }
        TypeRuntime rt = new TypeRuntime(type, kv.value, plan(kv.value), estimators.apply(type));
        ElasticState e = elastic.get(type.name());
        rt.elastic = e == null ? ElasticState.empty() : e;
        byte[] report = scaling.get(type.name());
        rt.report = report == null ? null : ScalingReport.fromJson(report);
        runtimes.put(type.name(), rt);
      }
    }
    try (KeyValueIterator<String, LoadEstimator.InstanceLoad> it = loadInstances.all()) {
      while (it.hasNext()) {
        KeyValue<String, LoadEstimator.InstanceLoad> kv = it.next();
        StoreKey key = StoreKey.parse(kv.key);
        TypeRuntime rt = runtimes.get(key.type());
        if (rt != null) {
          rt.estimator.restoreInstance(key.instanceId(), kv.value);
        }
      }
    }
    try (KeyValueIterator<String, Double> it = loadWeights.all()) {
      while (it.hasNext()) {
        KeyValue<String, Double> kv = it.next();
        StoreKey key = StoreKey.parse(kv.key);
        TypeRuntime rt = runtimes.get(key.type());
        if (rt != null) {
          rt.estimator.restoreWeight(key.id(), kv.value);
        }
      }
    }
    try (KeyValueIterator<String, InstanceState> it = instances.all()) {
      while (it.hasNext()) {
        KeyValue<String, InstanceState> kv = it.next();
        TypeRuntime rt = runtimes.get(StoreKey.typeOf(kv.key));
        if (rt == null) {
          continue;
        }
        int id = StoreKey.parse(kv.key).instanceId();
        rt.instances.put(id, kv.value);
        if (!kv.value.removed()) {
          rt.plan.restoreInstance(id, kv.value.count(), kv.value.reload());
        }
      }
    }
    try (KeyValueIterator<String, String> it = placements.all()) {
      while (it.hasNext()) {
        KeyValue<String, String> kv = it.next();
        StoreKey placement = StoreKey.parse(kv.key);
        TypeRuntime rt = runtimes.get(placement.type());
        if (rt != null) {
          rt.plan.restorePlacement(placement.id(), Integer.parseInt(kv.value));
        }
      }
    }
  }

  private TypePlan plan(TypeState state) {
    return new TypePlan(state.resourcePerInstance(), state.maxInstances(), maxBytes);
  }

  /** The cached type, null when it has no plan yet. */
  TypeRuntime get(String type) {
    return runtimes.get(type);
  }

  /** Every type with a plan. */
  Collection<TypeRuntime> all() {
    return runtimes.values();
  }

  /** A type's first plan: empty, sized by {@code state}. */
  TypeRuntime create(ResourceType type, TypeState state) {
    TypeRuntime rt = new TypeRuntime(type, state, plan(state), estimators.apply(type));
    runtimes.put(type.name(), rt);
    typeStates.put(type.name(), state);
    return rt;
  }

  void putType(TypeRuntime rt, TypeState state) {
    rt.state = state;
    typeStates.put(rt.name(), state);
  }

  void putElastic(TypeRuntime rt, ElasticState state) {
    rt.elastic = state;
    elastic.put(rt.name(), state);
  }

  void putReport(TypeRuntime rt, ScalingReport report) {
    rt.report = report;
    scaling.put(rt.name(), report.toJson());
  }

  /**
   * Writes what the type's estimator holds now of {@code instances} and of {@code resources} (a
   * missing entry is deleted): the estimator changes only the entries its calls name, so those are
   * all a call needs written.
   */
  void putLoads(TypeRuntime rt, Collection<Integer> instances, Collection<String> resources) {
    Map<Integer, LoadEstimator.InstanceLoad> loads = rt.estimator.instances();
    for (int id : instances) {
      LoadEstimator.InstanceLoad l = loads.get(id);
      if (l == null) {
        loadInstances.delete(StoreKey.of(rt.name(), id));
      } else {
        loadInstances.put(StoreKey.of(rt.name(), id), l);
      }
    }
    Map<String, Double> weights = rt.estimator.weights();
    for (String r : resources) {
      Double w = weights.get(r);
      if (w == null) {
        loadWeights.delete(StoreKey.of(rt.name(), r));
      } else {
        loadWeights.put(StoreKey.of(rt.name(), r), w);
      }
    }
  }

  void putInstance(TypeRuntime rt, int id, InstanceState state) {
    rt.instances.put(id, state);
    instances.put(StoreKey.of(rt.name(), id), state);
  }

  /**
   * Writes the placements a planner mutation changed, as its delta lists them, to the placements
   * store and the by-instance index. The plan already holds them: a lost resource that is on no
   * instance now has left the plan.
   */
  void recordPlacements(TypeRuntime rt, Delta delta) {
    String type = rt.name();
    for (Map.Entry<Integer, List<String>> e : delta.lost().entrySet()) {
      String instanceId = String.valueOf(e.getKey());
      for (String id : e.getValue()) {
        byInstance.delete(StoreKey.Indexed.of(type, instanceId, id));
        if (rt.plan.instanceOf(id).isEmpty()) {
          placements.delete(StoreKey.of(type, id));
        }
      }
    }
    for (Map.Entry<Integer, List<String>> e : delta.gained().entrySet()) {
      String instanceId = String.valueOf(e.getKey());
      for (String id : e.getValue()) {
        placements.put(StoreKey.of(type, id), instanceId);
        byInstance.put(StoreKey.Indexed.of(type, instanceId, id), "");
      }
    }
  }

  /**
   * Fills the by-instance index of a type whose index is empty while its plan is not: stores written
   * before the index existed. Does its work once per task start, to be called from a punctuation
   * (where store writes join the task's transaction like any other). Afterwards the index is written
   * with every placement change, in the same call and transaction, so it never needs checking again.
   */
  void indexPlacementsIfMissing() {
    if (indexChecked) {
      return;
    }
    indexChecked = true;
    for (TypeRuntime rt : runtimes.values()) {
      String type = rt.name();
      try (KeyValueIterator<String, String> it = byInstance.prefixScan(StoreKey.typePrefix(type), KEYS)) {
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
          byInstance.put(StoreKey.Indexed.of(type, instanceId, id), "");
          written++;
        }
      }
      if (written > 0) {
        LOG.info("indexed {} placements of {} by instance (stores written before the index existed)", written, type);
      }
    }
  }
}
