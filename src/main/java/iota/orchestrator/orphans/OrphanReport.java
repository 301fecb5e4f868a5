package iota.orchestrator.orphans;

import java.util.List;

/**
 * What the executor's last sweep found for one resource type, as published on {@code
 * iota.orchestrator.orphans} (compacted, key = the type) and served by {@code GET
 * /v1/api/orchestrations/:resource/orphans}. It is the executor's observation, served as it was
 * made: {@code checkedAt} says how old it is.
 *
 * @param resource the resource type
 * @param checkedAt wall-clock ms of the sweep
 * @param purge false when {@code iota.orphans.purge=false}: orphans are reported, never removed
 * @param graceMs {@code iota.orphans.grace}
 * @param held why nothing of this type is removed right now (its plan is empty), or null
 * @param orphans what is left after the sweep's removals, oldest first
 * @param purged orphans of this type removed since the executor started
 */
public record OrphanReport(String resource, long checkedAt, boolean purge, long graceMs, String held, List<Entry> orphans, long purged) {

  public OrphanReport {
    orphans = orphans == null ? List.of() : List.copyOf(orphans);
  }

  /**
   * One orphan.
   *
   * @param kind {@code pod} or {@code znode}
   * @param name the pod name (pods only)
   * @param path the znode path (znodes only)
   * @param firstSeen wall-clock ms of the first sweep that found it
   * @param dueAt from when it may be removed ({@code firstSeen + grace})
   */
  public record Entry(String kind, String name, String path, long firstSeen, long dueAt) {

    public static Entry of(Orphan o) {
      Observed seen = o.observed();
      boolean pod = seen.kind() == Observed.Kind.pod;
      return new Entry(seen.kind().name(), pod ? seen.name() : null, pod ? null : seen.name(), o.firstSeen(), o.dueAt());
    }
  }

  /** How many orphans of the given kind the report lists. */
  public long count(String kind) {
    return orphans.stream().filter(e -> e.kind().equals(kind)).count();
  }

  /** How many orphans of the given kind are past their grace at {@code checkedAt} (held or not). */
  public long due(String kind) {
    return orphans.stream().filter(e -> e.kind().equals(kind) && e.dueAt() <= checkedAt).count();
  }
}
