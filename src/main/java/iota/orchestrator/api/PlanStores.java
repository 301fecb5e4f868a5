package iota.orchestrator.api;

import iota.orchestrator.topology.InstanceState;
import iota.orchestrator.topology.TypeState;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The plan stores of one task (or any read-only view of them), as {@link PlanReader} reads them.
 * Keys are {@code <Resource>/...} for placements and instances, {@code
 * <Resource>/<instanceId>/<resourceId>} for the by-instance index, {@code <Resource>} for types.
 * An interface so that a query opens only the stores it reads: the placement lookup is the hot
 * path and needs one.
 */
public interface PlanStores {
  ReadOnlyKeyValueStore<String, String> placements();

  /** {@link iota.orchestrator.topology.StoreNames#INSTANCE_RESOURCES}: one instance's ids, in order. */
  ReadOnlyKeyValueStore<String, String> byInstance();

  ReadOnlyKeyValueStore<String, InstanceState> instances();

  ReadOnlyKeyValueStore<String, TypeState> types();

  /** Fixed stores, e.g. a TopologyTestDriver's. */
  static PlanStores of(
      ReadOnlyKeyValueStore<String, String> placements,
      ReadOnlyKeyValueStore<String, String> byInstance,
      ReadOnlyKeyValueStore<String, InstanceState> instances,
      ReadOnlyKeyValueStore<String, TypeState> types) {
    return new PlanStores() {
      @Override
      public ReadOnlyKeyValueStore<String, String> placements() {
        return placements;
      }

      @Override
      public ReadOnlyKeyValueStore<String, String> byInstance() {
        return byInstance;
      }

      @Override
      public ReadOnlyKeyValueStore<String, InstanceState> instances() {
        return instances;
      }

      @Override
      public ReadOnlyKeyValueStore<String, TypeState> types() {
        return types;
      }
    };
  }
}
