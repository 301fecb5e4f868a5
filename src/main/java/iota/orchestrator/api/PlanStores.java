package iota.orchestrator.api;

import iota.orchestrator.topology.InstanceState;
import iota.orchestrator.topology.TypeState;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The plan stores of one task (or any read-only view of them), as {@link PlanReader} reads them.
 * Keys are {@code <Resource>/...} for placements and instances, {@code
 * <Resource>/<instanceId>/<resourceId>} for the by-instance index, {@code <Resource>} for types and
 * scaling reports. An interface so that a query opens only the stores it reads: the placement
 * lookup is the hot path and needs one.
 */
public interface PlanStores {
  ReadOnlyKeyValueStore<String, String> placements();

  /** {@link iota.orchestrator.topology.StoreNames#INSTANCE_RESOURCES}: one instance's ids, in order. */
  ReadOnlyKeyValueStore<String, String> byInstance();

  ReadOnlyKeyValueStore<String, InstanceState> instances();

  ReadOnlyKeyValueStore<String, TypeState> types();

  /** {@link iota.orchestrator.topology.StoreNames#SCALING}: a type's {@code ScalingReport} as JSON bytes. */
  ReadOnlyKeyValueStore<String, byte[]> scaling();

  /** Fixed stores without scaling reports, e.g. a TopologyTestDriver's for the plan reads. */
  static PlanStores of(
      ReadOnlyKeyValueStore<String, String> placements,
      ReadOnlyKeyValueStore<String, String> byInstance,
      ReadOnlyKeyValueStore<String, InstanceState> instances,
      ReadOnlyKeyValueStore<String, TypeState> types) {
    return of(placements, byInstance, instances, types, null);
  }

  /**
   * Fixed stores, e.g. a TopologyTestDriver's; a null {@code scaling} store is not readable, as a
   * store missing from a running app is not.
   */
  static PlanStores of(
      ReadOnlyKeyValueStore<String, String> placements,
      ReadOnlyKeyValueStore<String, String> byInstance,
      ReadOnlyKeyValueStore<String, InstanceState> instances,
      ReadOnlyKeyValueStore<String, TypeState> types,
      ReadOnlyKeyValueStore<String, byte[]> scaling) {
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

      @Override
      public ReadOnlyKeyValueStore<String, byte[]> scaling() {
        if (scaling == null) {
          throw new InvalidStateStoreException("these stores hold no scaling reports");
        }
        return scaling;
      }
    };
  }
}
