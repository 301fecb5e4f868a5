package iota.orchestrator.placement;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one mutation of a {@link TypePlan} did, so the caller publishes exactly the instances that
 * need a new ZooKeeper state and the pods to create or delete, and records exactly the placements
 * that changed.
 *
 * <p>Sets and maps are unmodifiable, ascending, never null.
 *
 * @param changed instances whose state (count, used, resources or reload counter) changed,
 *     including every created instance
 * @param created instances that did not exist before
 * @param deleted instances that no longer exist
 * @param refused resources of the mutation that were not placed because no instance could take
 *     them within the byte budget, in the order given; they are not in the plan
 * @param gained by instance, the resources the mutation placed on it that were not on it before
 *     (new ones and ones moved there); no resource twice
 * @param lost by instance (deleted instances included), the resources that were on it before and
 *     are not any more (removed, dropped or moved away); a resource lost by one instance and gained
 *     by none has left the plan
 */
public record Delta(
    SortedSet<Integer> changed,
    SortedSet<Integer> created,
    SortedSet<Integer> deleted,
    List<String> refused,
    SortedMap<Integer, List<String>> gained,
    SortedMap<Integer, List<String>> lost) {

  private static final SortedSet<Integer> NONE = Collections.unmodifiableSortedSet(new TreeSet<>());
  private static final SortedMap<Integer, List<String>> NO_IDS = Collections.emptySortedMap();
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
    gained = frozen(gained, "gained");
    lost = frozen(lost, "lost");
  }

  /** A delta that moved no resource on or off an instance. */
  public Delta(SortedSet<Integer> changed, SortedSet<Integer> created, SortedSet<Integer> deleted, List<String> refused) {
    this(changed, created, deleted, refused, NO_IDS, NO_IDS);
  }

  /** A delta that refused nothing and moved no resource on or off an instance. */
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

  /** {@code resource} was placed on the existing instance {@code id}. */
  static Delta gained(int id, String resource) {
    return new Delta(single(id), NONE, NONE, List.of(), one(id, resource), NO_IDS);
  }

  /** {@code resource} was placed on {@code id}, created for it. */
  static Delta createdFor(int id, String resource) {
    SortedSet<Integer> one = single(id);
    return new Delta(one, one, NONE, List.of(), one(id, resource), NO_IDS);
  }

  /** {@code resource} was taken off instance {@code id}. */
  static Delta lost(int id, String resource) {
    return new Delta(single(id), NONE, NONE, List.of(), NO_IDS, one(id, resource));
  }

  private static SortedMap<Integer, List<String>> one(int id, String resource) {
    Ids one = new Ids();
    one.put(id, List.of(resource));
    return one;
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

  /**
   * Ids by instance that {@link TypePlan} builds for a delta and never touches again: frozen by
   * wrapping rather than copying, since a bulk change or a re-orchestration lists up to a million ids
   * and an incremental event builds one of these hundreds of thousands of times a second.
   */
  static final class Ids extends TreeMap<Integer, List<String>> {
    /** Appends {@code resource} to the ids of {@code instance}. */
    void add(int instance, String resource) {
      computeIfAbsent(instance, k -> new ArrayList<>()).add(resource);
    }
  }

  private static SortedMap<Integer, List<String>> frozen(SortedMap<Integer, List<String>> ids, String name) {
    Objects.requireNonNull(ids, name);
    if (ids == NO_IDS) {
      return ids;
    }
    if (ids instanceof Ids owned) {
      if (owned.isEmpty()) {
        return NO_IDS;
      }
      // A list of one (the incremental events') is List.of already, frozen at no cost.
      owned.replaceAll((id, list) -> list instanceof ArrayList ? Collections.unmodifiableList(list) : list);
      return Collections.unmodifiableSortedMap(owned);
    }
    TreeMap<Integer, List<String>> copy = new TreeMap<>();
    for (Map.Entry<Integer, List<String>> e : ids.entrySet()) {
      if (!e.getValue().isEmpty()) {
        copy.put(e.getKey(), List.copyOf(e.getValue()));
      }
    }
    return copy.isEmpty() ? NO_IDS : Collections.unmodifiableSortedMap(copy);
  }

  private static boolean isShared(SortedSet<Integer> one) {
    int id = one.first();
    return id >= 0 && id < SHARED_SINGLES && SINGLES[id] == one;
  }
}
