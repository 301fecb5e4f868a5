package iota.orchestrator.placement;

import iota.orchestrator.model.EncodedIds;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
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
 *   <li>An instance has room for a resource when it holds fewer than its {@code count} and its
 *       encoded {@code resources} znode with the resource would stay within {@link #maxBytes()}.
 *   <li>A new resource goes to the least-loaded instance that has room, lowest id on ties; when none
 *       has room and the pool is smaller than {@link #maxInstances()}, a new instance with the lowest
 *       free id and the plan's {@link #capacity()} is created. At the maximum, it goes to the
 *       least-loaded instance beyond its count that still has byte room (the type is then over
 *       capacity, see {@link #beyondCapacity()}); when no instance has byte room it is refused
 *       ({@link Delta#refused()}) rather than making a znode or record that ZooKeeper or Kafka would
 *       reject.
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
  /**
   * The instances with ids below {@link #DIRECT} by id, null where there is none: a rebuild looks an
   * instance up for each of hundreds of thousands of restored ids, and the tree's descent was a fifth
   * of the rebuild in the peers benchmark's profile. Instance ids are small in practice (the lowest
   * free id is taken); larger ones are only in the tree.
   */
  private final Slot[] direct = new Slot[DIRECT];
  private final SortedMap<Integer, InstanceView> instancesView = Collections.unmodifiableSortedMap(instances);
  /**
   * Resource id to its instance; the instance itself rather than its id saves a tree lookup per event.
   * Replaced by a map of the right size when a re-orchestration or a restore fills an empty plan (see
   * {@link #apply} and {@link #presizeForRestore}).
   */
  private HashMap<String, Slot> placements = new HashMap<>();
  /**
   * Exactly the instances with {@code used < count} and byte room for at least the shortest id,
   * ordered by {@link #BY_LOAD}. The order depends on mutable fields, so an instance leaves this set
   * before its load, bytes or capacity change and re-enters after ({@link #detach}, {@link #attach}).
   */
  private final TreeSet<Slot> open = new TreeSet<>(BY_LOAD);
  /** The instances at or beyond their count that still have byte room: where overflow goes. */
  private final TreeSet<Slot> spill = new TreeSet<>(BY_LOAD);
  /** Instances a restore took out of {@link #open} and {@link #spill}; see {@link #unsettle}. */
  private final List<Slot> unsettled = new ArrayList<>();
  private final FreeIds freeIds = new FreeIds();
  private int capacity;
  private int maxInstances;
  private long maxBytes;

  /** An empty plan whose new instances get {@code capacity}, without a pool or byte bound. */
  public TypePlan(int capacity) {
    this(capacity, Integer.MAX_VALUE, Long.MAX_VALUE);
  }

  /**
   * An empty plan whose new instances get {@code capacity}, whose pool never grows beyond {@code
   * maxInstances}, and whose instances' {@code resources} znodes stay within {@code maxBytes}.
   */
  public TypePlan(int capacity, int maxInstances, long maxBytes) {
    this.capacity = requireCapacity(capacity);
    this.maxInstances = requireMaxInstances(maxInstances);
    this.maxBytes = requireMaxBytes(maxBytes);
  }

  /** The largest pool that placing resources may grow to. */
  public int maxInstances() {
    return maxInstances;
  }

  /**
   * Sets the pool bound for placing resources from now on. An existing pool larger than it keeps its
   * instances; it just does not grow.
   */
  public void maxInstances(int maxInstances) {
    this.maxInstances = requireMaxInstances(maxInstances);
  }

  /** The byte budget of one instance's encoded {@code resources} znode, {@code {"ids":[...]}}. */
  public long maxBytes() {
    return maxBytes;
  }

  /**
   * Resources placed beyond their instance's count, summed over the instances: more than zero means
   * the type is over capacity (every instance was full at {@link #maxInstances()}).
   */
  public long beyondCapacity() {
    long beyond = 0;
    for (Slot slot : instances.values()) {
      beyond += Math.max(0, slot.used - slot.count);
    }
    return beyond;
  }

  /** The bytes of the instance's encoded {@code resources} znode as the plan has it now. */
  public static long znodeBytes(InstanceView view) {
    return view instanceof Slot slot
        ? EncodedIds.znodeLength(slot.used, slot.idBytes)
        : EncodedIds.znodeLength(view.used(), idBytes(view.resources()));
  }

  private static long idBytes(Collection<String> ids) {
    long bytes = 0;
    for (String id : ids) {
      bytes += EncodedIds.encodedLength(id);
    }
    return bytes;
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
      slot = newSlot(id, count);
    }
    unsettle(slot);
    slot.count = count;
    slot.reload = reload;
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
    Slot slot = slot(instanceId);
    if (slot == null) {
      throw new IllegalStateException(
          "instance " + instanceId + " must be restored before resource '" + resource + "' is placed on it");
    }
    if (placements.isEmpty()) {
      presizeForRestore();
    }
    // One hash operation per restored id: the put says where the id was.
    Slot previous = placements.put(resource, slot);
    if (previous == slot) {
      return;
    }
    if (previous != null) {
      unsettle(previous);
      previous.take(resource);
    }
    unsettle(slot);
    slot.restore(resource, EncodedIds.encodedLength(resource));
  }

  /**
   * The automatic plan of a type that has never been orchestrated: creates {@code n} empty
   * instances with the lowest free ids and capacity {@code count} (fewer when that would pass
   * {@link #maxInstances()}), and makes {@code count} the capacity of later instances.
   */
  public Delta createInstances(int n, int count) {
    settle();
    if (n < 0) {
      throw new IllegalArgumentException("n must not be negative, got " + n);
    }
    capacity(count);
    TreeSet<Integer> created = new TreeSet<>();
    int room = Math.max(0, maxInstances - instances.size());
    for (int i = 0; i < Math.min(n, room); i++) {
      Slot slot = newSlot(freeIds.lowest(), count);
      attach(slot);
      created.add(slot.id);
    }
    return created.isEmpty() ? Delta.empty() : new Delta(created, created, new TreeSet<>());
  }

  /**
   * Places a new resource as the class rules say: the least-loaded instance with room (lowest id on
   * ties), else a new instance with the lowest free id below {@link #maxInstances()}, else the
   * least-loaded instance beyond its count with byte room, else it is refused. A resource already
   * placed stays where it is and nothing changes.
   */
  public Delta add(String resource) {
    settle();
    Objects.requireNonNull(resource, "resource");
    if (placements.containsKey(resource)) {
      return Delta.empty();
    }
    int before = instances.size();
    Slot slot = place(resource);
    if (slot == null) {
      return Delta.refused(resource);
    }
    slot.reload++;
    return instances.size() > before ? Delta.createdFor(slot.id, resource) : Delta.gained(slot.id, resource);
  }

  /**
   * Adds the resources of one bulk change in order, each as {@link #add} would place it; every
   * instance that gained resources reloads once, since the change reached it as one message.
   */
  public Delta addAll(Collection<String> resources) {
    return addAll(resources, null);
  }

  /**
   * Chooses the instance of a new resource in place of the count rules (the load-aware add path,
   * {@link CoolestInstance}); null leaves the choice to them.
   */
  public interface Chooser {
    Integer choose(String resource);
  }

  /**
   * As {@link #addAll(Collection)}, each resource going where {@code chooser} says when that
   * instance exists and has room for it (count and bytes), else where the count rules put it.
   */
  public Delta addAll(Collection<String> resources, Chooser chooser) {
    settle();
    TreeSet<Integer> changed = new TreeSet<>();
    TreeSet<Integer> created = new TreeSet<>();
    List<Slot> touched = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (String resource : resources) {
      Objects.requireNonNull(resource, "resource");
      if (placements.containsKey(resource)) {
        continue;
      }
      int before = instances.size();
      Slot slot = chooser == null ? null : placeOnChosen(resource, chooser.choose(resource));
      if (slot == null) {
        slot = place(resource);
      }
      if (slot == null) {
        refused.add(resource);
        continue;
      }
      if (changed.add(slot.id)) {
        touched.add(slot);
        slot.batch = new ArrayList<>();
      }
      if (instances.size() > before) {
        created.add(slot.id);
      }
      slot.batch.add(resource);
    }
    return bumped(touched, changed, created, refused, batches(touched), new Delta.Ids());
  }

  /** Places a resource on the chosen instance without bumping; null when there is none or it has no room. */
  private Slot placeOnChosen(String resource, Integer chosen) {
    Slot slot = chosen == null ? null : instances.get(chosen);
    int length = EncodedIds.encodedLength(resource);
    if (slot == null || slot.used >= slot.count || !fits(slot.used, slot.idBytes, length)) {
      return null;
    }
    detach(slot);
    slot.put(resource, length);
    attach(slot);
    placements.put(resource, slot);
    return slot;
  }

  /** Places a resource that is not placed yet, without bumping; null when it is refused. */
  private Slot place(String resource) {
    int length = EncodedIds.encodedLength(resource);
    Slot slot = firstFitting(open, length);
    if (slot == null && instances.size() < maxInstances && fits(0, 0, length)) {
      slot = newSlot(freeIds.lowest(), capacity);
    }
    if (slot == null) {
      slot = firstFitting(spill, length);
      if (slot == null) {
        return null;
      }
    }
    detach(slot);
    slot.put(resource, length);
    attach(slot);
    placements.put(resource, slot);
    return slot;
  }

  /**
   * The first instance of {@code slots} (least loaded first) with byte room for an id of {@code
   * length}. Every instance in the sets has room for the shortest id, so this is the first one
   * unless the id is longer than what is left of the first instances' budgets.
   */
  private Slot firstFitting(TreeSet<Slot> slots, int length) {
    for (Slot slot : slots) {
      if (fits(slot.used, slot.idBytes, length)) {
        return slot;
      }
    }
    return null;
  }

  /** Whether an instance of {@code used} ids of {@code idBytes} stays within the budget with one more of {@code length}. */
  private boolean fits(int used, long idBytes, int length) {
    return EncodedIds.znodeLength(used + 1, idBytes + length) <= maxBytes;
  }

  /**
   * The ids each touched instance collected in {@link Slot#batch} during one bulk change, which
   * spares a tree lookup of the instance for each of up to a million ids; clears the scratch.
   */
  private static Delta.Ids batches(List<Slot> touched) {
    Delta.Ids ids = new Delta.Ids();
    for (Slot slot : touched) {
      ids.put(slot.id, slot.batch);
      slot.batch = null;
    }
    return ids;
  }

  /** Bumps each touched instance once and describes the change. */
  private static Delta bumped(
      List<Slot> touched,
      TreeSet<Integer> changed,
      TreeSet<Integer> created,
      List<String> refused,
      Delta.Ids gained,
      Delta.Ids lost) {
    if (touched.isEmpty() && refused.isEmpty()) {
      return Delta.empty();
    }
    for (Slot slot : touched) {
      slot.reload++;
    }
    return new Delta(changed, created, new TreeSet<>(), refused, gained, lost);
  }


  /**
   * Takes a resource off its instance, freeing the slot; nothing else moves and the instance stays
   * even when it becomes empty. Removing a resource that is not placed changes nothing.
   */
  public Delta remove(String resource) {
    settle();
    Objects.requireNonNull(resource, "resource");
    Slot slot = placements.remove(resource);
    if (slot == null) {
      return Delta.empty();
    }
    detach(slot);
    slot.take(resource);
    slot.reload++;
    attach(slot);
    return Delta.lost(slot.id, resource);
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
    settle();
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
        slot.batch = new ArrayList<>();
      }
      slot.batch.add(resource);
    }
    return bumped(touched, changed, new TreeSet<>(), List.of(), new Delta.Ids(), batches(touched));
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
    return bumped(touched, changed, new TreeSet<>(), List.of(), new Delta.Ids(), new Delta.Ids());
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

  /**
   * Places a new resource on a chosen instance (the load-aware add path: {@link
   * LoadRebalancer#coolest}), bumping its reload counter. A resource already placed stays where it is
   * and nothing changes.
   *
   * @throws IllegalArgumentException when the instance does not exist, or has no room for the
   *     resource by count or bytes (the caller chose from a stale view)
   */
  public Delta addTo(String resource, int instanceId) {
    settle();
    Objects.requireNonNull(resource, "resource");
    if (placements.containsKey(resource)) {
      return Delta.empty();
    }
    Slot slot = instances.get(instanceId);
    int length = EncodedIds.encodedLength(resource);
    if (slot == null || slot.used >= slot.count || !fits(slot.used, slot.idBytes, length)) {
      throw new IllegalArgumentException("instance " + instanceId + " cannot take " + resource);
    }
    detach(slot);
    slot.put(resource, length);
    slot.reload++;
    attach(slot);
    placements.put(resource, slot);
    return Delta.gained(slot.id, resource);
  }

  /**
   * Applies the moves of a {@link LoadPlan}: each resource leaves its instance for another, and every
   * instance that gained or lost resources reloads once. Capacity is the proposer's business (the
   * rebalancer keeps within counts and bytes); this checks only that the plan is the one the moves
   * were computed on.
   *
   * @throws IllegalArgumentException when a resource is not on its move's {@code from} instance or
   *     the {@code to} instance does not exist; no move is applied then
   */
  public Delta applyMoves(Collection<Move> moves) {
    settle();
    for (Move m : moves) {
      Slot from = placements.get(m.resource());
      if (from == null || from.id != m.from()) {
        throw new IllegalArgumentException(m.resource() + " is not on instance " + m.from());
      }
      if (!instances.containsKey(m.to())) {
        throw new IllegalArgumentException("instance " + m.to() + " does not exist for " + m.resource());
      }
    }
    TreeSet<Integer> changed = new TreeSet<>();
    List<Slot> touched = new ArrayList<>();
    Map<String, Integer> origin = new HashMap<>();
    for (Move m : moves) {
      origin.putIfAbsent(m.resource(), m.from());
      Slot from = placements.get(m.resource());
      Slot to = instances.get(m.to());
      detach(from);
      from.take(m.resource());
      attach(from);
      detach(to);
      to.put(m.resource(), EncodedIds.encodedLength(m.resource()));
      attach(to);
      placements.put(m.resource(), to);
      if (changed.add(from.id)) {
        touched.add(from);
      }
      if (changed.add(to.id)) {
        touched.add(to);
      }
    }
    Delta.Ids gained = new Delta.Ids();
    Delta.Ids lost = new Delta.Ids();
    netMoves(origin, gained, lost);
    return bumped(touched, changed, new TreeSet<>(), List.of(), gained, lost);
  }

  /**
   * Deletes empty instances (a scale-down, once their resources have moved off); their ids become
   * free again.
   *
   * @throws IllegalArgumentException when one of them still serves resources; nothing is deleted then
   */
  public Delta deleteInstances(Collection<Integer> ids) {
    settle();
    TreeSet<Integer> deleted = new TreeSet<>();
    for (int id : ids) {
      Slot slot = instances.get(id);
      if (slot != null && slot.used > 0) {
        throw new IllegalArgumentException("instance " + id + " still serves " + slot.used + " resources");
      }
      if (slot != null) {
        deleted.add(id);
      }
    }
    for (int id : deleted) {
      Slot slot = instances.remove(id);
      forget(id);
      detach(slot);
      freeIds.release(id);
    }
    return deleted.isEmpty() ? Delta.empty() : new Delta(new TreeSet<>(), new TreeSet<>(), deleted);
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
    return slot(id);
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
    Sizing.Result size = size(placements.keySet(), placements.size(), initInstances, maxInstances, resourcePerInstance);
    return apply(null, List.of(), size, maxInstances);
  }

  /**
   * Re-orchestrates to the live set: resources not in {@code live} are dropped, live resources not
   * placed yet are placed. The pool is sized by {@link Sizing} for the number of live resources, and
   * grown (up to {@code maxInstances}) when the ids' bytes need more instances of {@link
   * #maxBytes()}; the lowest existing ids are kept, the rest deleted, and missing instances take the
   * lowest free ids. Loads end within one of each other, every instance gets the new capacity, and
   * the fewest resources move that reach such a plan: the {@code N mod K} larger targets go to the
   * kept instances that hold the most live resources, an instance over its target gives up its
   * greatest resource ids, and the given-up, orphaned and new resources fill instances below their
   * target in ascending instance id order, ascending resource ids. Only when ids of very different
   * lengths leave an instance over the byte budget does it give up its greatest ids beyond the budget
   * to the instances with the fewest bytes (preferring those under their count), which is the one
   * case where loads may differ by more than one. Placing resources later grows the pool up to
   * {@code maxInstances}.
   *
   * @param live the live resource ids; duplicates count once, and a {@link Set} is used as given
   *     (its {@code contains} decides membership) to spare copying 500,000 ids
   * @throws SizingException when the pool would exceed {@code maxInstances}, by count or by bytes;
   *     the plan is unchanged
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
    Sizing.Result size = size(liveSet, liveSet.size(), initInstances, maxInstances, resourcePerInstance);
    // When every placed resource is live (the usual request), nothing is dropped: skipping the
    // membership test of each placed resource saves a hash lookup per resource.
    boolean allPlacedLive = liveSet.size() - unplaced.size() == placements.size();
    return apply(allPlacedLive ? null : liveSet, unplaced, size, maxInstances);
  }

  /**
   * {@link Sizing} by count, then at least as many instances as the ids' bytes need: when each of
   * {@code K} instances can hold ids weighing {@code maxBytes - wrapper - longest}, some instance
   * can always take one more id, so the byte repair in {@link #apply} always finds a place.
   */
  private Sizing.Result size(Collection<String> live, int n, int initInstances, int maxInstances, int resourcePerInstance)
      throws SizingException {
    Sizing.Result size = Sizing.size(n, initInstances, maxInstances, resourcePerInstance);
    if (maxBytes == Long.MAX_VALUE) {
      return size;
    }
    long weight = 0;
    int longest = 0;
    for (String id : live) {
      int length = EncodedIds.encodedLength(id);
      weight += length + 1;
      longest = Math.max(longest, length);
    }
    long perInstance = maxBytes - EncodedIds.ZNODE_WRAPPER - longest;
    if (perInstance <= 0) {
      throw new SizingException(size.instances(), maxInstances,
          "an id of " + longest + " bytes does not fit the byte budget of " + maxBytes + " bytes per instance");
    }
    long byBytes = (weight + perInstance - 1) / perInstance;
    if (byBytes <= size.instances()) {
      return size;
    }
    if (byBytes > maxInstances) {
      throw new SizingException((int) Math.min(Integer.MAX_VALUE, byBytes), maxInstances,
          "require instances more than the max: " + byBytes + "/" + maxInstances
              + " (the ids need " + byBytes + " instances of at most " + maxBytes + " bytes)");
    }
    return new Sizing.Result((int) byBytes, size.resourcePerInstance());
  }

  /**
   * Carries out a re-orchestration whose sizing has succeeded.
   *
   * @param live the live set, or null when every placed resource is live
   * @param unplaced live resources not placed yet
   */
  private Orchestration apply(Set<String> live, List<String> unplaced, Sizing.Result size, int maxInstances) {
    int k = size.instances();
    int cap = size.resourcePerInstance();
    int n = live == null ? placements.size() + unplaced.size() : live.size();
    settle();
    if (placements.isEmpty()) {
      // A first assignment puts every id: growing from empty rehashed each node about twice, a
      // fifth of the first assignment's time in the peers benchmark's profile.
      placements = new HashMap<>((int) Math.min(Integer.MAX_VALUE, (long) (n / 0.75) + 1));
    }

    List<Slot> kept = new ArrayList<>(Math.min(k, instances.size()));
    List<Slot> deleted = new ArrayList<>();
    for (Slot slot : instances.values()) {
      slot.touched = false;
      (kept.size() < k ? kept : deleted).add(slot);
    }
    open.clear();
    spill.clear();

    List<String> pool = new ArrayList<>(unplaced);
    // Every resource that leaves an instance here is recorded once, as it leaves, and every one that
    // joins an instance in the fill below: a resource never leaves and rejoins the same instance
    // there (instances that give up resources need none and deleted ones take none), so these are
    // already the net moves without a map from every moved id to where it was.
    Delta.Ids gained = new Delta.Ids();
    Delta.Ids lost = new Delta.Ids();
    int moved = 0;
    TreeSet<Integer> deletedIds = new TreeSet<>();
    for (Slot slot : deleted) {
      if (slot.used > 0) {
        lost.put(slot.id, new ArrayList<>(slot.sorted()));
      }
      for (String resource : slot.sorted()) {
        if (live == null || live.contains(resource)) {
          pool.add(resource);
          moved++;
        } else {
          placements.remove(resource);
        }
      }
      instances.remove(slot.id);
      forget(slot.id);
      freeIds.release(slot.id);
      deletedIds.add(slot.id);
    }
    if (live != null) {
      for (Slot slot : kept) {
        List<String> dropped = null;
        for (Iterator<String> it = slot.sorted().iterator(); it.hasNext(); ) {
          String resource = it.next();
          if (!live.contains(resource)) {
            it.remove();
            slot.used--;
            slot.idBytes -= EncodedIds.encodedLength(resource);
            placements.remove(resource);
            slot.touched = true;
            if (dropped == null) {
              dropped = new ArrayList<>();
              lost.put(slot.id, dropped);
            }
            dropped.add(resource);
          }
        }
      }
    }

    TreeSet<Integer> createdIds = new TreeSet<>();
    List<Slot> pooled = new ArrayList<>(kept);
    while (pooled.size() < k) {
      Slot slot = newSlot(freeIds.lowest(), cap);
      pooled.add(slot);
      createdIds.add(slot.id);
    }

    assignTargets(pooled, n / k, n % k);

    for (Slot slot : kept) {
      int surplus = slot.used() - slot.target;
      if (surplus > 0) {
        List<String> gone = lost.computeIfAbsent(slot.id, id -> new ArrayList<>(surplus));
        boolean hadDropped = !gone.isEmpty();
        for (int i = 0; i < surplus; i++) {
          String resource = slot.pollLast();
          gone.add(resource);
          pool.add(resource);
        }
        // Polled greatest first; the delta's ids ascend within an instance.
        if (hadDropped) {
          gone.sort(null);
        } else {
          Collections.reverse(gone);
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
        // The pool is sorted, so each instance's share is an ascending run of it.
        List<String> share = pool.subList(next, next + need);
        gained.put(slot.id, new ArrayList<>(share));
        slot.putSorted(share);
        for (String resource : share) {
          placements.put(resource, slot);
        }
        next += need;
        slot.touched = true;
      }
    }
    if (overBudget()) {
      // The byte repair may send a resource back to where it started: net the moves by origin.
      Map<String, Integer> origin = new HashMap<>();
      for (String resource : unplaced) {
        origin.put(resource, NOWHERE);
      }
      lost.forEach((id, ids) -> ids.forEach(resource -> origin.put(resource, id)));
      moved += repairBytes(pool, cap, origin);
      gained = new Delta.Ids();
      lost = new Delta.Ids();
      netMoves(origin, gained, lost);
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
    this.maxInstances = maxInstances;

    Report report =
        new Report(k, cap, moved, n - moved - unplaced.size(), names(createdIds), names(deletedIds), maxLoad, minLoad);
    return new Orchestration(new Delta(changed, createdIds, deletedIds, List.of(), gained, lost), report);
  }

  /** The instance id {@code origin} gives a resource that was not placed before. */
  private static final int NOWHERE = -1;

  /**
   * Fills {@code gained} and {@code lost} from where each resource of {@code origin} was before and
   * where the plan has it now; a resource back where it started is in neither. Ids ascend within an
   * instance.
   */
  private void netMoves(Map<String, Integer> origin, Delta.Ids gained, Delta.Ids lost) {
    for (Map.Entry<String, Integer> e : origin.entrySet()) {
      String resource = e.getKey();
      int before = e.getValue();
      Slot now = placements.get(resource);
      int after = now == null ? NOWHERE : now.id;
      if (before == after) {
        continue;
      }
      if (before != NOWHERE) {
        lost.add(before, resource);
      }
      if (after != NOWHERE) {
        gained.add(after, resource);
      }
    }
    // The map above iterates in hash order; the delta must not depend on it.
    gained.values().forEach(ids -> ids.sort(null));
    lost.values().forEach(ids -> ids.sort(null));
  }

  /**
   * After the count-balanced fill: every instance whose ids pass the byte budget gives up its
   * greatest ids until it is within it, and each given-up id (ascending) goes to the instance that
   * can take it with the fewest bytes, preferring instances below {@code cap}. {@link #size} made
   * the pool large enough that some instance can always take it.
   *
   * @param arrived the resources that came to their instance in this orchestration (new, orphaned or
   *     given up), whose moves are already counted
   * @return the moves of resources that had been on their instance before
   */
  private int repairBytes(List<String> arrived, int cap, Map<String, Integer> origin) {
    if (maxBytes == Long.MAX_VALUE) {
      return 0;
    }
    List<String> evicted = new ArrayList<>();
    for (Slot slot : instances.values()) {
      while (slot.used > 0 && EncodedIds.znodeLength(slot.used, slot.idBytes) > maxBytes) {
        String resource = slot.pollLast();
        origin.putIfAbsent(resource, slot.id);
        evicted.add(resource);
        slot.touched = true;
      }
    }
    if (evicted.isEmpty()) {
      return 0;
    }
    Set<String> newcomers = new HashSet<>(arrived);
    int moved = 0;
    evicted.sort(null);
    for (String resource : evicted) {
      int length = EncodedIds.encodedLength(resource);
      Slot best = null;
      for (Slot slot : instances.values()) {
        if (fits(slot.used, slot.idBytes, length) && (best == null || lighter(slot, best, cap))) {
          best = slot;
        }
      }
      if (best == null) {
        throw new IllegalStateException("no instance can take " + resource + " within " + maxBytes + " bytes; the sizing is wrong");
      }
      best.put(resource, length);
      best.touched = true;
      placements.put(resource, best);
      if (!newcomers.contains(resource)) {
        moved++;
      }
    }
    return moved;
  }

  /** Whether some instance's ids pass the byte budget, so {@link #repairBytes} has work. */
  private boolean overBudget() {
    if (maxBytes == Long.MAX_VALUE) {
      return false;
    }
    for (Slot slot : instances.values()) {
      if (slot.used > 0 && EncodedIds.znodeLength(slot.used, slot.idBytes) > maxBytes) {
        return true;
      }
    }
    return false;
  }

  /** Below {@code cap} before at or over it, then fewer bytes; ties keep the earlier (lower id). */
  private static boolean lighter(Slot a, Slot b, int cap) {
    boolean aRoom = a.used < cap;
    boolean bRoom = b.used < cap;
    if (aRoom != bRoom) {
      return aRoom;
    }
    return a.idBytes + a.used < b.idBytes + b.used;
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

  /** How many instance ids {@link #direct} covers. */
  private static final int DIRECT = 1024;

  /** The instance with {@code id}, null when there is none. */
  private Slot slot(int id) {
    return id >= 0 && id < DIRECT ? direct[id] : instances.get(id);
  }

  private void forget(int id) {
    if (id >= 0 && id < DIRECT) {
      direct[id] = null;
    }
  }

  /**
   * Sizes the empty placement map for the restore about to fill it: the restored instances' counts
   * say how many ids are coming (an instance holds up to its count), and growing from empty
   * rehashed each id about twice, a quarter of the rebuild in the peers benchmark's profile.
   */
  private void presizeForRestore() {
    long expected = 0;
    for (Slot slot : instances.values()) {
      expected += slot.count;
    }
    if (expected > 16) {
      placements = new HashMap<>((int) (Math.min(expected, MAX_PRESIZE) / 0.75) + 1);
    }
  }

  /** The most ids {@link #presizeForRestore} makes room for at once; a larger plan grows from there. */
  private static final long MAX_PRESIZE = 1 << 24;

  private Slot newSlot(int id, int count) {
    Slot slot = new Slot(id, count);
    instances.put(id, slot);
    if (id < DIRECT) {
      direct[id] = slot;
    }
    freeIds.take(id);
    return slot;
  }

  /**
   * Takes the instance out of the set its state puts it in; call before changing its load, bytes or
   * count, since the sets are ordered by load.
   */
  private void detach(Slot slot) {
    TreeSet<Slot> set = setOf(slot);
    if (set != null) {
      set.remove(slot);
    }
  }

  /** Puts the instance in the set its state puts it in, if any. */
  private void attach(Slot slot) {
    TreeSet<Slot> set = setOf(slot);
    if (set != null) {
      set.add(slot);
    }
  }

  /**
   * Takes a restored instance out of the set its state puts it in until the next mutation that is not
   * a restore ({@link #settle}). A rebuild restores hundreds of thousands of ids one call at a time;
   * re-sorting the instance in {@link #open} for each cost two tree operations per id, a quarter of
   * the rebuild in the peers benchmark's profile.
   */
  private void unsettle(Slot slot) {
    if (!slot.unsettled) {
      detach(slot);
      slot.unsettled = true;
      unsettled.add(slot);
    }
  }

  /** Puts the instances restored since the last mutation back in their sets; call before reading or changing the sets. */
  private void settle() {
    if (unsettled.isEmpty()) {
      return;
    }
    List<Slot> restored = new ArrayList<>(unsettled);
    unsettled.clear();
    for (Slot slot : restored) {
      slot.unsettled = false;
      if (instances.get(slot.id) == slot) {
        attach(slot);
      }
    }
  }

  /** {@link #open} below its count, {@link #spill} at or beyond it, none without room for the shortest id. */
  private TreeSet<Slot> setOf(Slot slot) {
    if (!fits(slot.used, slot.idBytes, SHORTEST_ID)) {
      return null;
    }
    return slot.used < slot.count ? open : spill;
  }

  /** The encoded length of the shortest id, one character in quotes. */
  private static final int SHORTEST_ID = 3;

  private static int requireMaxInstances(int maxInstances) {
    if (maxInstances <= 0) {
      throw new IllegalArgumentException("maxInstances must be positive, got " + maxInstances);
    }
    return maxInstances;
  }

  private static long requireMaxBytes(long maxBytes) {
    if (maxBytes < EncodedIds.ZNODE_WRAPPER + SHORTEST_ID) {
      throw new IllegalArgumentException("maxBytes must leave room for an id, got " + maxBytes);
    }
    return maxBytes;
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
    private final TreeSet<String> resources = new TreeSet<>();
    private final SortedSet<String> frozen = Collections.unmodifiableSortedSet(resources);
    private final SortedSet<String> resourcesView = new Settled(this);
    /**
     * Ids restored onto it and not in {@link #resources} yet, distinct and none in the tree. A rebuild
     * restores hundreds of thousands of ids one call at a time; sorting each instance's ids once and
     * building its tree from them in linear time costs a fraction of one tree descent per id.
     */
    private List<String> pending;
    /**
     * Always {@code resources.size()}, kept as a field because the open-set comparator reads it on
     * every event and following the pointer into the tree costs a cache miss each time.
     */
    int used;
    /** The sum of the {@link EncodedIds#encodedLength}s of its resources, kept as they come and go. */
    long idBytes;
    /** Out of {@link #open} and {@link #spill} since a restore; see {@link #unsettle}. */
    boolean unsettled;
    /** Scratch for {@link #apply}: its resource set changed in this orchestration. */
    boolean touched;
    /** Scratch for {@link #apply}: its load after this orchestration. */
    int target;
    /** Scratch for {@link #addAll} and {@link #removeAll}: the ids of the bulk change it gained or lost. */
    List<String> batch;

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

    /** Its ids in order, the restored ones included. */
    TreeSet<String> sorted() {
      if (pending != null) {
        List<String> restored = pending;
        pending = null;
        restored.sort(null);
        if (resources.isEmpty()) {
          resources.addAll(new SortedRun(restored));
        } else {
          resources.addAll(restored);
        }
      }
      return resources;
    }

    /** Restores an id that is on no instance: into the tree when it is next read. */
    void restore(String resource, int length) {
      if (pending == null) {
        pending = new ArrayList<>();
      }
      pending.add(resource);
      used++;
      idBytes += length;
    }

    void put(String resource, int length) {
      if (sorted().add(resource)) {
        used++;
        idBytes += length;
      }
    }

    /**
     * Puts distinct ids given in ascending order. An empty instance (every instance of a first plan
     * or a new one) builds its tree from them in linear time instead of one descent per id.
     */
    void putSorted(List<String> ascending) {
      if (sorted().isEmpty()) {
        resources.addAll(new SortedRun(ascending));
        used = resources.size();
        for (String resource : ascending) {
          idBytes += EncodedIds.encodedLength(resource);
        }
        return;
      }
      for (String resource : ascending) {
        put(resource, EncodedIds.encodedLength(resource));
      }
    }

    void take(String resource) {
      if (sorted().remove(resource)) {
        used--;
        idBytes -= EncodedIds.encodedLength(resource);
      }
    }

    String pollLast() {
      used--;
      String resource = sorted().pollLast();
      idBytes -= EncodedIds.encodedLength(resource);
      return resource;
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

  /**
   * The live, unmodifiable view of an instance's ids that {@link Slot#resources()} hands out: it
   * brings restored ids into the tree before each read, so it shows them like any other.
   */
  private static final class Settled extends AbstractSet<String> implements SortedSet<String> {
    private final Slot slot;

    Settled(Slot slot) {
      this.slot = slot;
    }

    private SortedSet<String> ids() {
      slot.sorted();
      return slot.frozen;
    }

    @Override
    public Iterator<String> iterator() {
      return ids().iterator();
    }

    @Override
    public int size() {
      return slot.used;
    }

    @Override
    public boolean contains(Object o) {
      return ids().contains(o);
    }

    @Override
    public Comparator<? super String> comparator() {
      return null;
    }

    @Override
    public SortedSet<String> subSet(String from, String to) {
      return ids().subSet(from, to);
    }

    @Override
    public SortedSet<String> headSet(String to) {
      return ids().headSet(to);
    }

    @Override
    public SortedSet<String> tailSet(String from) {
      return ids().tailSet(from);
    }

    @Override
    public String first() {
      return ids().first();
    }

    @Override
    public String last() {
      return ids().last();
    }
  }

  /**
   * A sorted list of distinct ids seen as a {@link SortedSet}: {@link TreeSet#addAll} builds an empty
   * tree from a sorted set in linear time, where adding the ids one by one compares each along a
   * descent of the tree.
   */
  private static final class SortedRun extends AbstractSet<String> implements SortedSet<String> {
    private final List<String> ids;

    SortedRun(List<String> ascending) {
      this.ids = ascending;
    }

    @Override
    public Iterator<String> iterator() {
      return Collections.unmodifiableList(ids).iterator();
    }

    @Override
    public int size() {
      return ids.size();
    }

    @Override
    public Comparator<? super String> comparator() {
      return null;
    }

    @Override
    public SortedSet<String> subSet(String from, String to) {
      return new SortedRun(ids.subList(rank(from), Math.max(rank(from), rank(to))));
    }

    @Override
    public SortedSet<String> headSet(String to) {
      return new SortedRun(ids.subList(0, rank(to)));
    }

    @Override
    public SortedSet<String> tailSet(String from) {
      return new SortedRun(ids.subList(rank(from), ids.size()));
    }

    @Override
    public String first() {
      if (ids.isEmpty()) {
        throw new NoSuchElementException();
      }
      return ids.get(0);
    }

    @Override
    public String last() {
      if (ids.isEmpty()) {
        throw new NoSuchElementException();
      }
      return ids.get(ids.size() - 1);
    }

    /** How many ids are below {@code id}. */
    private int rank(String id) {
      int at = Collections.binarySearch(ids, id);
      return at >= 0 ? at : -at - 1;
    }
  }
}
