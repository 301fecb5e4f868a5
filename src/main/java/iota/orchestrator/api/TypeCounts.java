package iota.orchestrator.api;

/**
 * Sizes and counters of one resource type, read from its stores: what {@code GET
 * /v1/api/orchestrations} lists and what the per-type gauges report.
 *
 * @param instances live instances (deleted ones awaiting their tombstone are not counted)
 * @param resources resources placed on live instances
 * @param moves resources moved by re-orchestrations so far
 * @param recreates pod re-creations so far
 * @param orchestrations successful re-orchestrations so far
 * @param beyondCapacity resources placed beyond their instance's count (the pool was full at its
 *     maximum); the type is over capacity when this is more than zero
 * @param startTimeouts recreates because a pod did not reach Running within the start timeout
 */
public record TypeCounts(int instances, long resources, long moves, long recreates, long orchestrations, long beyondCapacity, long startTimeouts) {
  public static final TypeCounts EMPTY = new TypeCounts(0, 0, 0, 0, 0, 0, 0);

  /** Counts of a type within its capacity. */
  public TypeCounts(int instances, long resources, long moves, long recreates, long orchestrations) {
    this(instances, resources, moves, recreates, orchestrations, 0, 0);
  }
}
