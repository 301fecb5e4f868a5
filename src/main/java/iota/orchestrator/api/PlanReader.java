package iota.orchestrator.api;

import iota.orchestrator.autoscale.ScalingReport;
import iota.orchestrator.config.ResourceType;
import iota.orchestrator.model.InstanceIds;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.StoreKey;
import iota.orchestrator.orphans.OrphanReport;
import iota.orchestrator.topology.InstanceState;
import iota.orchestrator.topology.TypeState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Turns the plan stores of one resource type into the REST answers (DESIGN.md §2). Pure reading:
 * no Kafka Streams instance, no forwarding, so the shapes are tested against plain maps.
 *
 * <p>All entries of a type live in the one task that owns the type's key, so every answer is read
 * from a single partition's stores with a prefix scan over {@code <Resource>/}.
 */
public final class PlanReader {
  private static final Serializer<String> KEYS = new StringSerializer();

  /** Instance ids in numeric order ("2" before "10"); ids that are not numbers sort last. */
  static final Comparator<String> INSTANCE_ORDER =
      Comparator.<String>comparingLong(id -> InstanceIds.isValid(id) ? Long.parseLong(id) : Long.MAX_VALUE)
          .thenComparing(Comparator.naturalOrder());

  private final long heartbeatTimeoutMs;

  /** @param heartbeatTimeoutMs the heartbeat timeout that separates healthy from late instances */
  public PlanReader(long heartbeatTimeoutMs) {
    this.heartbeatTimeoutMs = heartbeatTimeoutMs;
  }

  /**
   * {@code GET /v1/api/orchestrations/{resource}}: every live instance with data, {@code _reload} and
   * health, and its resource ids when {@code withIds} (one ordered walk of the by-instance index).
   * Without ids the answer is proportional to the instances, not the resources.
   */
  public Reply plan(ResourceType type, PlanStores stores, long now, boolean withIds) {
    Map<String, InstanceState> instances = liveInstances(type.name(), stores.instances());
    Map<String, List<String>> ids = withIds ? resourcesByInstance(type.name(), stores.byInstance()) : Map.of();
    Map<String, Object> byId = new LinkedHashMap<>();
    instances.forEach((id, state) -> byId.put(id, instanceJson(type, state, withIds ? ids.getOrDefault(id, List.of()) : null, now)));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("resource", type.name());
    body.put("instances", byId);
    return Reply.ok(body);
  }

  /**
   * {@code GET /v1/api/orchestrations/{resource}/instances/{instanceId}}: one instance, 404 when
   * absent. Reads the instance's own state and, when {@code withIds}, its own index entries: no
   * other instance's placements are touched.
   */
  public Reply instance(ResourceType type, String instanceId, PlanStores stores, long now, boolean withIds) {
    InstanceState state = stores.instances().get(StoreKey.of(type.name(), instanceId));
    if (state == null || state.removed()) {
      return Reply.error(404, type.name() + " instance '" + instanceId + "' does not exist");
    }
    List<String> ids = withIds ? page(type.name(), instanceId, null, Integer.MAX_VALUE, stores.byInstance()).ids() : null;
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("resource", type.name());
    body.put("instanceId", instanceId);
    body.putAll(instanceJson(type, state, ids, now));
    return Reply.ok(body);
  }

  /**
   * {@code GET /v1/api/orchestrations/{resource}/instances/{instanceId}/resources}: at most {@code
   * limit} of the instance's ids after {@code after} (exclusive; null for the first page), in id
   * order. {@code next} is the cursor of the following page (the last id returned), null on the
   * last page. A cursor is an id, not a position, so ids placed or removed between two pages
   * neither repeat nor skip the others.
   */
  public Reply resources(ResourceType type, String instanceId, String after, int limit, PlanStores stores) {
    InstanceState state = stores.instances().get(StoreKey.of(type.name(), instanceId));
    if (state == null || state.removed()) {
      return Reply.error(404, type.name() + " instance '" + instanceId + "' does not exist");
    }
    Page page = page(type.name(), instanceId, after, limit, stores.byInstance());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("resource", type.name());
    body.put("instanceId", instanceId);
    body.put("used", state.used());
    body.put("limit", limit);
    body.put("ids", page.ids());
    body.put("next", page.more() ? page.ids().get(page.ids().size() - 1) : null);
    return Reply.ok(body);
  }

  private record Page(List<String> ids, boolean more) {}

  private static Page page(String type, String instanceId, String after, int limit, ReadOnlyKeyValueStore<String, String> index) {
    String prefix = StoreKey.Indexed.prefix(type, instanceId);
    List<String> ids = new ArrayList<>();
    boolean more = false;
    try (KeyValueIterator<String, String> it = after == null ? index.prefixScan(prefix, KEYS) : index.range(StoreKey.Indexed.of(type, instanceId, after), null)) {
      while (it.hasNext()) {
        String key = it.next().key;
        if (!key.startsWith(prefix)) {
          break;
        }
        String id = StoreKey.Indexed.parse(key).resourceId();
        if (id.equals(after)) {
          continue;
        }
        if (ids.size() == limit) {
          more = true;
          break;
        }
        ids.add(id);
      }
    }
    return new Page(ids, more);
  }

  /** {@code GET /v1/api/orchestrations/{resource}/{id}/instances}: where one resource runs. */
  public Reply placement(ResourceType type, String resourceId, PlanStores stores) {
    String instanceId = stores.placements().get(StoreKey.of(type.name(), resourceId));
    if (instanceId == null) {
      return Reply.error(404, type.name() + " '" + resourceId + "' is not placed");
    }
    return new Reply(200, "{\"runIn\":" + Json.string(instanceId) + "}", Map.of());
  }

  /** {@code GET /v1/api/orchestrations/{resource}/summary}: counts, counters and current parameters. */
  public Reply summary(ResourceType type, PlanStores stores) {
    TypeState state = stores.types().get(type.name());
    TypeCounts counts = counts(type.name(), stores);
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("initInstances", state == null ? type.defaults().initInstances() : state.initInstances());
    params.put("maxInstances", state == null ? type.defaults().maxInstances() : state.maxInstances());
    params.put("resourcePerInstance", state == null ? type.defaults().resourcePerInstance() : state.resourcePerInstance());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("resource", type.name());
    body.put("instances", counts.instances());
    body.put("resources", counts.resources());
    body.put("moves", counts.moves());
    body.put("recreates", counts.recreates());
    body.put("startTimeouts", counts.startTimeouts());
    body.put("orchestrations", counts.orchestrations());
    body.put("orchestrated", state != null && state.orchestrated());
    body.put("overCapacity", counts.beyondCapacity() > 0);
    body.put("beyondCapacity", counts.beyondCapacity());
    body.put("params", params);
    return Reply.ok(body);
  }

  /**
   * {@code GET /v1/api/orchestrations/{resource}/orphans}: the executor's last report as it made
   * it; before its first sweep, the same shape with {@code checkedAt: null} and no orphans.
   */
  public static Reply orphans(ResourceType type, Optional<OrphanReport> report) {
    if (report.isPresent()) {
      return Reply.ok(report.get());
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("resource", type.name());
    body.put("checkedAt", null);
    body.put("orphans", List.of());
    body.put("note", "the executor has not reported an orphan sweep yet");
    return Reply.ok(body);
  }

  /**
   * {@code GET /v1/api/orchestrations/{resource}/scaling}: the report the topology stored for the
   * type, or before its first one the initial report (nothing measured, the pool as it is).
   */
  public Reply scaling(ResourceType type, InitialScaling initial, PlanStores stores) {
    return Reply.ok(scalingReport(type, initial, stores));
  }

  /** The type's scaling report as {@link #scaling} answers it, for the metrics. */
  public ScalingReport scalingReport(ResourceType type, InitialScaling initial, PlanStores stores) {
    byte[] stored = stores.scaling().get(type.name());
    return stored != null ? ScalingReport.fromJson(stored) : initial.report(type.name(), counts(type.name(), stores).instances());
  }

  /**
   * Counts of one type. Resources are the sum of the instances' {@code used}, which the topology
   * keeps equal to their placements, so the gauges never scan the placements; resources beyond
   * capacity are the sum of what each instance holds over its {@code count}.
   */
  public TypeCounts counts(String type, PlanStores stores) {
    int instances = 0;
    long resources = 0;
    long beyond = 0;
    for (InstanceState s : liveInstances(type, stores.instances()).values()) {
      instances++;
      resources += s.used();
      beyond += Math.max(0, s.used() - s.count());
    }
    TypeState state = stores.types().get(type);
    return state == null
        ? new TypeCounts(instances, resources, 0, 0, 0, beyond, 0)
        : new TypeCounts(instances, resources, state.moves(), state.recreates(), state.orchestrations(), beyond, state.startTimeouts());
  }

  /** The instance's JSON; {@code resources.ids} only when {@code ids} is not null. */
  private Map<String, Object> instanceJson(ResourceType type, InstanceState s, List<String> ids, long now) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("used", s.used());
    data.put("count", s.count());
    Map<String, Object> health = new LinkedHashMap<>();
    health.put("status", s.health(type.heart(), now, heartbeatTimeoutMs));
    health.put("lastHeartbeat", s.lastHeartbeat() > 0 ? s.lastHeartbeat() : null);
    health.put("heartbeatAgeMs", s.lastHeartbeat() > 0 ? Math.max(0, now - s.lastHeartbeat()) : null);
    health.put("podPhase", s.podPhase());
    health.put("recreates", s.recreates());
    health.put("lastRecreate", s.lastRecreate() > 0 ? s.lastRecreate() : null);
    health.put("lastRecreateReason", s.lastRecreateReason());
    health.put("startPending", s.startPending());
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("data", data);
    if (ids != null) {
      json.put("resources", Map.of("ids", ids));
    }
    json.put("_reload", Map.of("times", s.reload()));
    json.put("health", health);
    return json;
  }

  private static Map<String, InstanceState> liveInstances(String type, ReadOnlyKeyValueStore<String, InstanceState> store) {
    Map<String, InstanceState> live = new TreeMap<>(INSTANCE_ORDER);
    try (KeyValueIterator<String, InstanceState> it = store.prefixScan(StoreKey.typePrefix(type), KEYS)) {
      while (it.hasNext()) {
        KeyValue<String, InstanceState> kv = it.next();
        if (kv.value != null && !kv.value.removed()) {
          live.put(StoreKey.parse(kv.key).id(), kv.value);
        }
      }
    }
    return live;
  }

  /** Resource ids grouped by instance, each list in id order: one walk of the type's index. */
  private static Map<String, List<String>> resourcesByInstance(String type, ReadOnlyKeyValueStore<String, String> index) {
    Map<String, List<String>> byInstance = new HashMap<>();
    try (KeyValueIterator<String, String> it = index.prefixScan(StoreKey.typePrefix(type), KEYS)) {
      while (it.hasNext()) {
        StoreKey.Indexed key = StoreKey.Indexed.parse(it.next().key);
        byInstance.computeIfAbsent(key.instanceId(), k -> new ArrayList<>()).add(key.resourceId());
      }
    }
    return byInstance;
  }
}
