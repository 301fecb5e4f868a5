package iota.orchestrator.topology;

import iota.orchestrator.config.ResourceType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Lookup of the configured resource types by name and by the tables they depend on. */
public final class TypeRegistry {
  private final Map<String, ResourceType> byName = new LinkedHashMap<>();
  private final Map<String, List<ResourceType>> byDependentTable = new LinkedHashMap<>();

  public TypeRegistry(List<ResourceType> types) {
    for (ResourceType t : types) {
      byName.put(t.name(), t);
    }
    for (ResourceType t : types) {
      for (String table : t.dependsOn()) {
        byDependentTable.computeIfAbsent(table, k -> new ArrayList<>()).add(t);
      }
    }
  }

  /** The type with this name, or null. */
  public ResourceType type(String name) {
    return byName.get(name);
  }

  /** The types that depend on this table; empty when none. */
  public List<ResourceType> dependents(String table) {
    return byDependentTable.getOrDefault(table, Collections.emptyList());
  }

  public List<ResourceType> all() {
    return List.copyOf(byName.values());
  }
}
