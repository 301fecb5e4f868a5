package iota.orchestrator.placement;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The mutable plan of one resource type: its instances, their capacity and reload counters, and
 * which instance serves which resource. Not thread-safe; one Streams task owns a type, so calls are
 * serialized by design.
 *
 * <p>Rules (DESIGN.md §2 and the planner issue):
 *
 * <ul>
 *   <li>A new resource goes to the least-loaded instance that has room ({@code used < count}),
 *       lowest id on ties; when none has room, a new instance with the lowest free id and the plan's
 *       {@link #capacity()} is created.
 *   <li>A removed resource frees its slot and nothing else moves; an empty instance stays.
 *   <li>Every change of an instance's resource set bumps its reload counter once per mutation; an
 *       update of a placed resource bumps its instance; {@link #reloadAll()} bumps every instance.
 *   <li>{@link #orchestrate} resizes the pool with {@link Sizing}, keeps the lowest existing ids,
 *       creates the lowest free ids, balances loads to within one, and moves the fewest resources
 *       that reach such a balance.
 * </ul>
 *
 * <p>Every decision depends only on the plan and the call: iteration is over sorted structures, so
 * the same calls in the same order always give the same plan.
 */
public final class TypePlan {

  /** Least-loaded first, lowest id on ties: the order in which instances with room take new resources. */
  private static final Comparator<Slot> BY_LOAD =
      (a, b) -> a.used != b.used ? Integer.compare(a.used, b.used) : Integer.compare(a.id, b.id);

  private final TreeMap<Integer, Slot> instances = new TreeMap<>();
  private final SortedMap<Integer, InstanceView> instancesView = Collections.unmodifiableSortedMap(instances);
  /** Resource id to its instance; the instance itself rather than its id saves a tree lookup per event. */
  private final HashMap<String, Slot> placements = new HashMap<>();
  /**
   * Exactly the instances with {@code used < count}, ordered by {@link #BY_LOAD}. The order depends
   * on mutable fields, so an instance leaves this set before its load or capacity changes and
   * re-enters after ({@link #detach}, {@link #attach}).
   */
  private final TreeSet<Slot> open = new TreeSet<>(BY_LOAD);
  private int capacity;

  /** An empty plan whose new instances get {@code capacity}. */
  public TypePlan(int capacity) {
    this.capacity = requireCapacity(capacity);
  }

  /** The capacity given to instances created when all are full. */
  public int capacity() {
    return capacity;
  }

  /** Sets the capacity of instances created from now on; existing instances keep theirs. */
  public void capacity(int capacity) {
    this.capacity = requireCapacity(capacity);
  }

  /**
   * Creates or overwrites an instance as stored, without bumping anything: the topology rebuilds
   * the plan from its stores with this and {@link #restorePlacement}. Resources already placed on
   * the instance stay.
   */
  public void restoreInstance(int id, int count, long reload) {
    if (id < 0) {
      throw new IllegalArgumentException("instance id must not be negative, got " + id);
    }
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative, got " + count);
    }
    Slot slot = instances.get(id);
    if (slot == null) {
      slot = new Slot(id, count);
      instances.put(id, slot);
    } else {
      detach(slot);
      slot.count = count;
    }
    slot.reload = reload;
    attach(slot);
  }

  /**
   * Places {@code resource} on a restored instance as stored, without bumping anything and without
   * looking at capacity. A resource placed elsewhere is taken off there, so a resource is never on
   * two instances.
   *
   * @throws IllegalStateException when the instance has not been restored
   */
  public void restorePlacement(String resource, int instanceId) {
    Objects.requireNonNull(resource, "resource");
    Slot slot = instances.get(instanceId);
    if (slot == null) {
      throw new IllegalStateException(
          "instance " + instanceId + " must be restored before resource '" + resource + "' is placed on it");
    }
    Slot previous = placements.get(resource);
    if (previous == slot) {
      return;
    }
    if (previous != null) {
      detach(previous);
      previous.take(resource);
      attach(previous);
    }
    detach(slot);
    slot.put(resource);
    attach(slot);
    placements.put(resource, slot);
  }

  /**
   * The automatic plan of a type that has never been orchestrated: creates {@code n} empty
   * instances with the lowest free ids and capacity {@code count}, and makes {@code count} the
   * capacity of later instances.
   */
  public Delta createInstances(int n, int count) {
    if (n < 0) {
      throw new IllegalArgumentException("n must not be negative, got " + n);
    }
    capacity(count);
    TreeSet<Integer> created = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      Slot slot = newSlot(lowestFreeId(), count);
      attach(slot);
      created.add(slot.id);
    }
    return created.isEmpty() ? Delta.empty() : new Delta(created, created, new TreeSet<>());
  }

  /**
   * Places a new resource on the least-loaded instance with room (lowest id on ties), or on a new
   * instance with the lowest free id when every instance is full. A resource already placed stays
   * where it is and nothing changes.
   */
  public Delta add(String resource) {
    Objects.requireNonNull(resource, "resource");
    if (placements.containsKey(resource)) {
      return Delta.empty();
    }
    boolean created = open.isEmpty();
    Slot slot = place(resource);
    slot.reload++;
    return created ? Delta.created(slot.id) : Delta.changed(slot.id);
  }

  /**
   * Adds the resources of one bulk change in order, each as {@link #add} would place it; every
   * instance that gained resources reloads once, since the change reached it as one message.
   */
  public Delta addAll(Collection<String> resources) {
    TreeSet<Integer> changed = new TreeSet<>();
    TreeSet<Integer> created = new TreeSet<>();
    List<Slot> touched = new ArrayList<>();
    for (String resource : resources) {
      Objects.requireNonNull(resource, "resource");
      if (placements.containsKey(resource)) {
        continue;
      }
      boolean fresh = open.isEmpty();
      Slot slot = place(resource);
      if (changed.add(slot.id)) {
        touched.add(slot);
      }
      if (fresh) {
        created.add(slot.id);
      }
    }
    return bumped(touched, changed, created);
  }

  /** Places a resource that is not placed yet, without bumping. */
  private Slot place(String resource) {
    Slot slot = open.pollFirst();
    if (slot == null) {
      slot = newSlot(lowestFreeId(), capacity);
    }
    slot.put(resource);
    attach(slot);
    placements.put(resource, slot);
    return slot;
  }

  /** Bumps each touched instance once and describes the change. */
  private static Delta bumped(List<Slot> touched, TreeSet<Integer> changed, TreeSet<Integer> created) {
    if (touched.isEmpty()) {
      return Delta.empty();
    }
    for (Slot slot : touched) {
      slot.reload++;
    }
    return new Delta(changed, created, new TreeSet<>());
  }


  /**
   * Takes a resource off its instance, freeing the slot; nothing else moves and the instance stays
   * even when it becomes empty. Removing a resource that is not placed changes nothing.
   */
  public Delta remove(String resource) {
    Objects.requireNonNull(resource, "resource");
    Slot slot = placements.remove(resource);
    if (slot == null) {
      return Delta.empty();
    }
    detach(slot);
    slot.take(resource);
    slot.reload++;
    attach(slot);
    return Delta.changed(slot.id);
  }

  /**
   * The configuration of a resource changed: its instance must reload. An update of a resource that
   * is not placed changes nothing.
   */
  public Delta update(String resource) {
    Objects.requireNonNull(resource, "resource");
    Slot slot = placements.get(resource);
    if (slot == null) {
      return Delta.empty();
    }
    slot.reload++;
    return Delta.changed(slot.id);
  }

  /** Removes the resources of one bulk change; every instance that lost resources reloads once. */
  public Delta removeAll(Collection<String> resources) {
    TreeSet<Integer> changed = new TreeSet<>();
    List<Slot> touched = new ArrayList<>();
    for (String resource : resources) {
      Slot slot = placements.remove(Objects.requireNonNull(resource, "resource"));
      if (slot == null) {
        continue;
      }
      detach(slot);
      slot.take(resource);
      attach(slot);
      if (changed.add(slot.id)) {
        touched.add(slot);
      }
    }
    return bumped(touched, changed, new TreeSet<>());
  }

  /** The resources of one bulk update changed: each of their instances reloads once. */
  public Delta updateAll(Collection<String> resources) {
    TreeSet<Integer> changed = new TreeSet<>();
    List<Slot> touched = new ArrayList<>();
    for (String resource : resources) {
      Slot slot = placements.get(Objects.requireNonNull(resource, "resource"));
      if (slot != null && changed.add(slot.id)) {
        touched.add(slot);
      }
    }
    return bumped(touched, changed, new TreeSet<>());
  }

  /** A table every resource depends on changed: every instance must reload. */
  public Delta reloadAll() {
    if (instances.isEmpty()) {
      return Delta.empty();
    }
    for (Slot slot : instances.values()) {
      slot.reload++;
    }
    return new Delta(new TreeSet<>(instances.keySet()), new TreeSet<>(), new TreeSet<>());
  }

  /** The instance serving {@code resource}, empty when it is not placed. */
  public Optional<Integer> instanceOf(String resource) {
    Slot slot = placements.get(resource);
    return slot == null ? Optional.empty() : Optional.of(slot.id);
  }

  /** All instances by ascending id; unmodifiable and live. */
  public SortedMap<Integer, InstanceView> instances() {
    return instancesView;
  }

  /** The instance with {@code id}, or null when there is none. */
  public InstanceView instance(int id) {
    return instances.get(id);
  }

  /** How many resources are placed. */
  public int resourceCount() {
    return placements.size();
  }

  /**
   * Re-orchestrates the resources that are placed now. See {@link #orchestrate(Collection, int,
   * int, int)}.
   */
  public Orchestration orchestrate(int initInstances, int maxInstances, int resourcePerInstance)
      throws SizingException {
    Sizing.Result size = Sizing.size(placements.size(), initInstances, maxInstances, resourcePerInstance);
    return apply(null, List.of(), size);
  }

  /**
   * Re-orchestrates to the live set: resources not in {@code live} are dropped, live resources not
   * placed yet are placed. The pool is sized by {@link Sizing} for the number of live resources; the
   * lowest existing ids are kept, the rest deleted, and missing instances take the lowest free ids.
   * Loads end within one of each other, every instance gets the new capacity, and the fewest
   * resources move that reach such a plan: the {@code N mod K} larger targets go to the kept
   * instances that hold the most live resources, an instance over its target gives up its greatest
   * resource ids, and the given-up, orphaned and new resources fill instances below their target in
   * ascending instance id order, ascending resource ids.
   *
   * @param live the live resource ids; duplicates count once, and a {@link Set} is used as given
   *     (its {@code contains} decides membership) to spare copying 500,000 ids
   * @throws SizingException when the pool would exceed {@code maxInstances}; the plan is unchanged
   */
  public Orchestration orchestrate(
      Collection<String> live, int initInstances, int maxInstances, int resourcePerInstance)
      throws SizingException {
    Objects.requireNonNull(live, "live");
    Set<String> liveSet = live instanceof Set<String> set ? set : new HashSet<>(live);
    // Read-only pass first, so a null id or a sizing failure leaves the plan untouched.
    List<String> unplaced = new ArrayList<>();
    for (String resource : liveSet) {
      Objects.requireNonNull(resource, "live resource");
      if (!placements.containsKey(resource)) {
        unplaced.add(resource);
      }
    }
    Sizing.Result size = Sizing.size(liveSet.size(), initInstances, maxInstances, resourcePerInstance);
    // When every placed resource is live (the usual request), nothing is dropped: skipping the
    // membership test of each placed resource saves a hash lookup per resource.
    boolean allPlacedLive = liveSet.size() - unplaced.size() == placements.size();
    return apply(allPlacedLive ? null : liveSet, unplaced, size);
  }

  /**
   * Carries out a re-orchestration whose sizing has succeeded.
   *
   * @param live the live set, or null when every placed resource is live
   * @param unplaced live resources not placed yet
   */
  private Orchestration apply(Set<String> live, List<String> unplaced, Sizing.Result size) {
    int k = size.instances();
    int cap = size.resourcePerInstance();
    int n = live == null ? placements.size() + unplaced.size() : live.size();

    List<Slot> kept = new ArrayList<>(Math.min(k, instances.size()));
    List<Slot> deleted = new ArrayList<>();
    for (Slot slot : instances.values()) {
      slot.touched = false;
      (kept.size() < k ? kept : deleted).add(slot);
    }
    open.clear();

    List<String> pool = new ArrayList<>(unplaced);
    int moved = 0;
    TreeSet<Integer> deletedIds = new TreeSet<>();
    for (Slot slot : deleted) {
      for (String resource : slot.resources) {
        if (live == null || live.contains(resource)) {
          pool.add(resource);
          moved++;
        } else {
          placements.remove(resource);
        }
      }
      instances.remove(slot.id);
      deletedIds.add(slot.id);
    }
    if (live != null) {
      for (Slot slot : kept) {
        for (Iterator<String> it = slot.resources.iterator(); it.hasNext(); ) {
          String resource = it.next();
          if (!live.contains(resource)) {
            it.remove();
            slot.used--;
            placements.remove(resource);
            slot.touched = true;
          }
        }
      }
    }

    TreeSet<Integer> createdIds = new TreeSet<>();
    List<Slot> pooled = new ArrayList<>(kept);
    for (int id = 0; pooled.size() < k; id++) {
      if (!instances.containsKey(id)) {
        Slot slot = newSlot(id, cap);
        pooled.add(slot);
        createdIds.add(id);
      }
    }

    assignTargets(pooled, n / k, n % k);

    for (Slot slot : kept) {
      int surplus = slot.used() - slot.target;
      if (surplus > 0) {
        for (int i = 0; i < surplus; i++) {
          pool.add(slot.pollLast());
        }
        moved += surplus;
        slot.touched = true;
      }
    }

    pool.sort(null);
    int next = 0;
    for (Slot slot : instances.values()) {
      int need = slot.target - slot.used();
      if (need > 0) {
        for (int i = 0; i < need; i++) {
          String resource = pool.get(next++);
          slot.put(resource);
          placements.put(resource, slot);
        }
        slot.touched = true;
      }
    }

    TreeSet<Integer> changed = new TreeSet<>(createdIds);
    int maxLoad = 0;
    int minLoad = Integer.MAX_VALUE;
    for (Slot slot : instances.values()) {
      boolean recounted = slot.count != cap;
      slot.count = cap;
      if (slot.touched) {
        slot.reload++;
      }
      if (slot.touched || recounted) {
        changed.add(slot.id);
      }
      maxLoad = Math.max(maxLoad, slot.used());
      minLoad = Math.min(minLoad, slot.used());
      attach(slot);
    }
    capacity = cap;

    Report report =
        new Report(k, cap, moved, n - moved - unplaced.size(), names(createdIds), names(deletedIds), maxLoad, minLoad);
    return new Orchestration(new Delta(changed, createdIds, deletedIds), report);
  }

  /**
   * Gives every instance its target load, {@code q} or {@code q + 1}. The {@code r} larger targets go
   * to the instances holding the most live resources (lowest id on ties): an instance holding more
   * than {@code q} is the only one for which the larger target saves a move, so this choice
   * minimises the resources that must leave their instance.
   */
  private static void assignTargets(List<Slot> slots, int q, int r) {
    List<Slot> byLoadDesc = new ArrayList<>(slots);
    byLoadDesc.sort((a, b) -> a.used() != b.used() ? Integer.compare(b.used(), a.used()) : Integer.compare(a.id, b.id));
    for (int i = 0; i < byLoadDesc.size(); i++) {
      byLoadDesc.get(i).target = i < r ? q + 1 : q;
    }
  }

  private static List<String> names(SortedSet<Integer> ids) {
    List<String> names = new ArrayList<>(ids.size());
    for (int id : ids) {
      names.add(Integer.toString(id));
    }
    return names;
  }

  private Slot newSlot(int id, int count) {
    Slot slot = new Slot(id, count);
    instances.put(id, slot);
    return slot;
  }

  /** The smallest id not in use: ids are dense from 0 unless instances were deleted or restored sparsely. */
  private int lowestFreeId() {
    int expected = 0;
    for (int id : instances.keySet()) {
      if (id != expected) {
        break;
      }
      expected++;
    }
    return expected;
  }

  private void detach(Slot slot) {
    if (slot.used() < slot.count) {
      open.remove(slot);
    }
  }

  private void attach(Slot slot) {
    if (slot.used() < slot.count) {
      open.add(slot);
    }
  }

  private static int requireCapacity(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive, got " + capacity);
    }
    return capacity;
  }

  /** One instance. Mutable; handed out only as {@link InstanceView}. */
  private static final class Slot implements InstanceView {
    final int id;
    int count;
    long reload;
    final TreeSet<String> resources = new TreeSet<>();
    final SortedSet<String> resourcesView = Collections.unmodifiableSortedSet(resources);
    /**
     * Always {@code resources.size()}, kept as a field because the open-set comparator reads it on
     * every event and following the pointer into the tree costs a cache miss each time.
     */
    int used;
    /** Scratch for {@link #apply}: its resource set changed in this orchestration. */
    boolean touched;
    /** Scratch for {@link #apply}: its load after this orchestration. */
    int target;

    Slot(int id, int count) {
      this.id = id;
      this.count = count;
    }

    @Override
    public int id() {
      return id;
    }

    @Override
    public int count() {
      return count;
    }

    @Override
    public int used() {
      return used;
    }

    void put(String resource) {
      if (resources.add(resource)) {
        used++;
      }
    }

    void take(String resource) {
      if (resources.remove(resource)) {
        used--;
      }
    }

    String pollLast() {
      used--;
      return resources.pollLast();
    }

    @Override
    public long reload() {
      return reload;
    }

    @Override
    public SortedSet<String> resources() {
      return resourcesView;
    }

    @Override
    public String toString() {
      return "Instance{id=" + id + ", count=" + count + ", used=" + used() + ", reload=" + reload + "}";
    }
  }
}
