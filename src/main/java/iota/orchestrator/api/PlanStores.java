package iota.orchestrator.api;

import iota.orchestrator.topology.InstanceState;
import iota.orchestrator.topology.TypeState;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The three plan stores of one task (or any read-only view of them), as {@link PlanReader} reads
 * them. Keys are {@code <Resource>/...} for placements and instances, {@code <Resource>} for types.
 */
public record PlanStores(
    ReadOnlyKeyValueStore<String, String> placements,
    ReadOnlyKeyValueStore<String, InstanceState> instances,
    ReadOnlyKeyValueStore<String, TypeState> types) {}
