package iota.orchestrator.orphans;

/**
 * One orphan: an observed object that belongs to no planned instance.
 *
 * @param observed what it is
 * @param firstSeen wall-clock ms of the first sweep that found it an orphan
 * @param dueAt {@code firstSeen + grace}: from then on it may be removed
 * @param due the sweep that decided is at or past {@code dueAt} and removal is not held for its type
 */
public record Orphan(Observed observed, long firstSeen, long dueAt, boolean due) {}
