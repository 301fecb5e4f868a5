package iota.orchestrator.api;

import iota.orchestrator.config.ResourceType;
import iota.orchestrator.model.InstanceIds;
import iota.orchestrator.model.Json;
import iota.orchestrator.orphans.OrphanReport;
import iota.orchestrator.topology.InstanceState;
import iota.orchestrator.topology.TypeState;
import java.util.ArrayList;
import java.util.Collections;
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

  /** {@code GET /v1/api/orchestrations/{resource}}: every live instance with its resources. */
  public Reply plan(ResourceType type, PlanStores stores, long now) {
    Map<String, InstanceState> instances = liveInstances(type.name(), stores.instances());
    Map<String, List<String>> ids = resourcesByInstance(type.name(), stores.placements(), null);
    Map<String, Object> byId = new LinkedHashMap<>();
    instances.forEach((id, state) -> byId.put(id, instanceJson(type, state, ids.getOrDefault(id, List.of()), now)));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("resource", type.name());
    body.put("instances", byId);
    return Reply.ok(body);
  }

  /** {@code GET /v1/api/orchestrations/{resource}/instances/{instanceId}}: one instance, 404 when absent. */
  public Reply instance(ResourceType type, String instanceId, PlanStores stores, long now) {
    InstanceState state = stores.instances().get(type.name() + "/" + instanceId);
    if (state == null || state.removed()) {
      return Reply.error(404, type.name() + " instance '" + instanceId + "' does not exist");
    }
    List<String> ids = resourcesByInstance(type.name(), stores.placements(), instanceId).getOrDefault(instanceId, List.of());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("resource", type.name());
    body.put("instanceId", instanceId);
    body.putAll(instanceJson(type, state, ids, now));
    return Reply.ok(body);
  }

  /** {@code GET /v1/api/orchestrations/{resource}/{id}/instances}: where one resource runs. */
  public Reply placement(ResourceType type, String resourceId, PlanStores stores) {
    String instanceId = stores.placements().get(type.name() + "/" + resourceId);
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
    json.put("resources", Map.of("ids", ids));
    json.put("_reload", Map.of("times", s.reload()));
    json.put("health", health);
    return json;
  }

  private static Map<String, InstanceState> liveInstances(String type, ReadOnlyKeyValueStore<String, InstanceState> store) {
    Map<String, InstanceState> live = new TreeMap<>(INSTANCE_ORDER);
    String prefix = type + "/";
    try (KeyValueIterator<String, InstanceState> it = store.prefixScan(prefix, KEYS)) {
      while (it.hasNext()) {
        KeyValue<String, InstanceState> kv = it.next();
        if (kv.value != null && !kv.value.removed()) {
          live.put(kv.key.substring(prefix.length()), kv.value);
        }
      }
    }
    return live;
  }

  /** Resource ids grouped by instance, each list sorted; only {@code onlyInstance} when not null. */
  private static Map<String, List<String>> resourcesByInstance(
      String type, ReadOnlyKeyValueStore<String, String> store, String onlyInstance) {
    Map<String, List<String>> byInstance = new HashMap<>();
    String prefix = type + "/";
    try (KeyValueIterator<String, String> it = store.prefixScan(prefix, KEYS)) {
      while (it.hasNext()) {
        KeyValue<String, String> kv = it.next();
        if (kv.value != null && (onlyInstance == null || onlyInstance.equals(kv.value))) {
          byInstance.computeIfAbsent(kv.value, k -> new ArrayList<>()).add(kv.key.substring(prefix.length()));
        }
      }
    }
    byInstance.values().forEach(Collections::sort);
    return byInstance;
  }
}
