package iota.orchestrator.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The plan of every resource type as the workers see it: per type, per instance, the ZooKeeper
 * state. Built from the assignments topic (the live plan) or from a replay's stores, so the two can
 * be compared.
 */
public final class PlanSnapshot {
  /** One instance as written to ZooKeeper. */
  public record Instance(int used, int count, List<String> ids, long reload) {
    public Instance {
      ids = List.copyOf(ids);
    }
  }

  private final SortedMap<String, SortedMap<Integer, Instance>> types = new TreeMap<>();

  public void put(String type, int instanceId, Instance instance) {
    types.computeIfAbsent(type, t -> new TreeMap<>()).put(instanceId, instance);
  }

  public void remove(String type, int instanceId) {
    SortedMap<Integer, Instance> instances = types.get(type);
    if (instances != null) {
      instances.remove(instanceId);
      if (instances.isEmpty()) {
        types.remove(type);
      }
    }
  }

  /** Applies one record of the assignments topic: a state, or a tombstone (null value). */
  public void apply(String key, Assignment value) {
    StoreKey instance = StoreKey.parse(key);
    if (value == null) {
      remove(instance.type(), instance.instanceId());
    } else {
      put(instance.type(), instance.instanceId(), new Instance(value.data().used(), value.data().count(), value.resources().ids(), value.reload().times()));
    }
  }

  public SortedMap<String, SortedMap<Integer, Instance>> types() {
    return types;
  }

  public int resourceCount() {
    int n = 0;
    for (var instances : types.values()) {
      for (Instance i : instances.values()) {
        n += i.ids().size();
      }
    }
    return n;
  }

  /** Human-readable differences from {@code other}; empty when the plans are equal. */
  public List<String> differences(PlanSnapshot other, String thisName, String otherName) {
    List<String> out = new ArrayList<>();
    TreeMap<String, Boolean> allTypes = new TreeMap<>();
    types.keySet().forEach(t -> allTypes.put(t, true));
    other.types.keySet().forEach(t -> allTypes.put(t, true));
    for (String type : allTypes.keySet()) {
      SortedMap<Integer, Instance> mine = types.getOrDefault(type, new TreeMap<>());
      SortedMap<Integer, Instance> theirs = other.types.getOrDefault(type, new TreeMap<>());
      TreeMap<Integer, Boolean> ids = new TreeMap<>();
      mine.keySet().forEach(i -> ids.put(i, true));
      theirs.keySet().forEach(i -> ids.put(i, true));
      for (int id : ids.keySet()) {
        Instance a = mine.get(id);
        Instance b = theirs.get(id);
        String where = StoreKey.of(type, id);
        if (a == null) {
          out.add(where + ": only in " + otherName);
        } else if (b == null) {
          out.add(where + ": only in " + thisName);
        } else if (!a.equals(b)) {
          out.add(where + ": " + describe(a, b, thisName, otherName));
        }
      }
    }
    return out;
  }

  private static String describe(Instance a, Instance b, String an, String bn) {
    List<String> parts = new ArrayList<>();
    if (a.count() != b.count()) parts.add("count " + an + "=" + a.count() + " " + bn + "=" + b.count());
    if (a.reload() != b.reload()) parts.add("_reload " + an + "=" + a.reload() + " " + bn + "=" + b.reload());
    if (!Objects.equals(a.ids(), b.ids())) {
      List<String> onlyA = new ArrayList<>(a.ids());
      onlyA.removeAll(b.ids());
      List<String> onlyB = new ArrayList<>(b.ids());
      onlyB.removeAll(a.ids());
      parts.add("resources only in " + an + " " + abbreviate(onlyA) + ", only in " + bn + " " + abbreviate(onlyB));
    }
    return String.join("; ", parts);
  }

  private static String abbreviate(List<String> ids) {
    return ids.size() <= 10 ? ids.toString() : ids.subList(0, 10) + " and " + (ids.size() - 10) + " more";
  }

  /** JSON shape: {@code {"Thing":{"0":{"data":{"used","count"},"resources":{"ids"},"_reload":{"times"}}}}}. */
  public Map<String, Object> toJson() {
    Map<String, Object> out = new TreeMap<>();
    types.forEach((type, instances) -> {
      Map<String, Object> byId = new LinkedHashMap<>();
      instances.forEach((id, i) -> {
        // The ZooKeeper layout's order, and the same bytes for the same plan.
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("used", i.used());
        data.put("count", i.count());
        Map<String, Object> instance = new LinkedHashMap<>();
        instance.put("data", data);
        instance.put("resources", Map.of("ids", i.ids()));
        instance.put("_reload", Map.of("times", i.reload()));
        byId.put(String.valueOf(id), instance);
      });
      out.put(type, byId);
    });
    return out;
  }
}
