package iota.orchestrator.placement;

import java.util.Collections;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What one mutation of a {@link TypePlan} did, so the caller publishes exactly the instances that
 * need a new ZooKeeper state and the pods to create or delete.
 *
 * <p>Sets are unmodifiable, ascending, never null.
 *
 * @param changed instances whose state (count, used, resources or reload counter) changed,
 *     including every created instance
 * @param created instances that did not exist before
 * @param deleted instances that no longer exist
 */
public record Delta(SortedSet<Integer> changed, SortedSet<Integer> created, SortedSet<Integer> deleted) {

  private static final Delta EMPTY = new Delta(new TreeSet<>(), new TreeSet<>(), new TreeSet<>());

  public Delta {
    changed = frozen(changed, "changed");
    created = frozen(created, "created");
    deleted = frozen(deleted, "deleted");
  }

  /** Nothing changed. */
  public static Delta empty() {
    return EMPTY;
  }

  /** True when the mutation changed nothing. */
  public boolean isEmpty() {
    return changed.isEmpty() && created.isEmpty() && deleted.isEmpty();
  }

  static Delta changed(int id) {
    return new Delta(new TreeSet<>(Collections.singleton(id)), new TreeSet<>(), new TreeSet<>());
  }

  static Delta created(int id) {
    TreeSet<Integer> one = new TreeSet<>(Collections.singleton(id));
    return new Delta(one, one, new TreeSet<>());
  }

  private static SortedSet<Integer> frozen(SortedSet<Integer> ids, String name) {
    Objects.requireNonNull(ids, name);
    // A copy with natural order: callers may hand in a set with another comparator or keep mutating theirs.
    TreeSet<Integer> copy = new TreeSet<>();
    copy.addAll(ids);
    return Collections.unmodifiableSortedSet(copy);
  }
}
