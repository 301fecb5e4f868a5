package iota.orchestrator.placement;

import java.util.Collections;
import java.util.List;
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
 * @param refused resources of the mutation that were not placed because no instance could take
 *     them within the byte budget, in the order given; they are not in the plan
 */
public record Delta(
    SortedSet<Integer> changed, SortedSet<Integer> created, SortedSet<Integer> deleted, List<String> refused) {

  private static final SortedSet<Integer> NONE = Collections.unmodifiableSortedSet(new TreeSet<>());
  /**
   * Frozen one-id sets for the usual small ids. An incremental event builds a delta of one instance
   * hundreds of thousands of times a second; sharing these sets spares the allocation and the copy.
   */
  private static final int SHARED_SINGLES = 128;

  @SuppressWarnings("unchecked")
  private static final SortedSet<Integer>[] SINGLES = new SortedSet[SHARED_SINGLES];

  static {
    for (int id = 0; id < SHARED_SINGLES; id++) {
      SINGLES[id] = Collections.unmodifiableSortedSet(new TreeSet<>(Collections.singleton(id)));
    }
  }

  private static final Delta EMPTY = new Delta(NONE, NONE, NONE);

  public Delta {
    changed = frozen(changed, "changed");
    created = frozen(created, "created");
    deleted = frozen(deleted, "deleted");
    refused = List.copyOf(Objects.requireNonNull(refused, "refused"));
  }

  /** A delta that refused nothing. */
  public Delta(SortedSet<Integer> changed, SortedSet<Integer> created, SortedSet<Integer> deleted) {
    this(changed, created, deleted, List.of());
  }

  /** Nothing changed. */
  public static Delta empty() {
    return EMPTY;
  }

  /** True when the mutation changed nothing and refused nothing. */
  public boolean isEmpty() {
    return changed.isEmpty() && created.isEmpty() && deleted.isEmpty() && refused.isEmpty();
  }

  static Delta refused(String resource) {
    return new Delta(NONE, NONE, NONE, List.of(resource));
  }

  static Delta changed(int id) {
    return new Delta(single(id), NONE, NONE);
  }

  static Delta created(int id) {
    SortedSet<Integer> one = single(id);
    return new Delta(one, one, NONE);
  }

  private static SortedSet<Integer> single(int id) {
    return id >= 0 && id < SHARED_SINGLES ? SINGLES[id] : new TreeSet<>(Collections.singleton(id));
  }

  private static SortedSet<Integer> frozen(SortedSet<Integer> ids, String name) {
    Objects.requireNonNull(ids, name);
    if (ids == NONE || (ids.size() == 1 && isShared(ids))) {
      return ids;
    }
    // A copy with natural order: callers may hand in a set with another comparator or keep mutating theirs.
    TreeSet<Integer> copy = new TreeSet<>();
    copy.addAll(ids);
    return Collections.unmodifiableSortedSet(copy);
  }

  private static boolean isShared(SortedSet<Integer> one) {
    int id = one.first();
    return id >= 0 && id < SHARED_SINGLES && SINGLES[id] == one;
  }
}
