package iota.orchestrator.topology;

/**
 * Value of the {@link StoreNames#TYPES} store: the parameters and counters of one resource type.
 *
 * @param orchestrated false while the type runs on its automatic plan
 * @param initInstances the parameters of the last orchestration (the configured defaults before)
 * @param maxInstances see above
 * @param resourcePerInstance the capacity given to new instances
 * @param moves resources moved by re-orchestrations so far
 * @param recreates pod recreate commands so far
 * @param orchestrations successful re-orchestrations so far
 * @param startTimeouts recreates because a pod was not Running within {@code iota.pod.start.timeout}
 */
public record TypeState(
    boolean orchestrated,
    int initInstances,
    int maxInstances,
    int resourcePerInstance,
    long moves,
    long recreates,
    long orchestrations,
    long startTimeouts) {

  public TypeState orchestratedWith(int init, int max, int capacity, int moved) {
    return new TypeState(true, init, max, capacity, moves + moved, recreates, orchestrations + 1, startTimeouts);
  }

  public TypeState recreated() {
    return new TypeState(orchestrated, initInstances, maxInstances, resourcePerInstance, moves, recreates + 1, orchestrations, startTimeouts);
  }

  public TypeState withStartTimeouts(int more) {
    return new TypeState(orchestrated, initInstances, maxInstances, resourcePerInstance, moves, recreates, orchestrations, startTimeouts + more);
  }
}
