package iota.orchestrator.orphans;

import iota.orchestrator.model.InstanceIds;
import iota.orchestrator.model.StoreKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which observed pods and znodes are orphans, and which of those are due for removal. Pure and
 * deterministic: the same inputs give the same answer, in the same order.
 *
 * <h2>The rules</h2>
 *
 * <ul>
 *   <li>A pod of a configured type is an orphan unless its {@code instanceId} label names a planned
 *       instance of its type <em>and</em> its name is that instance's pod name ({@code
 *       <instanceName>-<id>}): a second pod labelled for a planned instance is not the one the
 *       executor manages.
 *   <li>A znode {@code <root>/<Resource>/<id>}, or its bookkeeping node {@code
 *       <root>/.seq/<Resource>/<id>}, of a configured type is an orphan unless {@code <id>} is a
 *       planned instance of the type. (Children of a planned instance are its own business.)
 *   <li>Things of a type that is not configured (a pod whose {@code iota.resource} label names
 *       none, a folder under the root that is no type) are <b>foreign</b>: reported in the log, never
 *       removed. A folder is what a type removed from {@code iota.resources} leaves behind, or a type
 *       added by another orchestrator version; a typo in {@code iota.resources} must not wipe a
 *       type's whole plan after the grace.
 *   <li>An orphan is due once {@code grace} has passed since it was first found, and only while
 *       its type has at least one planned instance: an empty plan is what a fresh install (or a lost
 *       assignments topic) looks like, and then everything there would look orphaned. Such a type
 *       is <b>held</b>: its orphans are reported, nothing is removed.
 * </ul>
 *
 * <p>First-seen times are kept only for current orphans: an object that is planned again, or gone,
 * is forgotten, and if it comes back its grace starts again. That errs towards keeping things.
 */
public final class OrphanDecision {
  private final Map<String, String> instanceNames;
  private final long graceMs;

  /**
   * @param instanceNames pod name prefix of each configured resource type ({@code Thing -> iota-dac})
   * @param grace how long an orphan is left alone after it was first found
   */
  public OrphanDecision(Map<String, String> instanceNames, Duration grace) {
    this.instanceNames = Map.copyOf(instanceNames);
    this.graceMs = grace.toMillis();
  }

  /** The outcome of one sweep. */
  public record Result(List<Orphan> orphans, List<Observed> foreign, Set<String> heldTypes, Map<String, Long> firstSeen) {
    public List<Orphan> due() {
      return orphans.stream().filter(Orphan::due).toList();
    }
  }

  /**
   * @param planned the plan: every {@code <Resource>/<instanceId>} with a live assignment
   * @param observed what the sweep found
   * @param firstSeen {@link Observed#key()} to first-seen ms, from the previous sweep's result
   * @param now the sweep's wall-clock ms
   */
  public Result decide(Set<String> planned, Collection<Observed> observed, Map<String, Long> firstSeen, long now) {
    Set<String> typesWithPlan = new HashSet<>();
    for (String key : planned) {
      typesWithPlan.add(StoreKey.typeOf(key));
    }
    List<Observed> sorted = new ArrayList<>(observed);
    sorted.sort(Comparator.comparing(Observed::kind).thenComparing(Observed::name).thenComparing(o -> String.valueOf(o.identity())));
    List<Orphan> orphans = new ArrayList<>();
    List<Observed> foreign = new ArrayList<>();
    Set<String> held = new TreeSet<>();
    Map<String, Long> seen = new TreeMap<>();
    for (Observed o : sorted) {
      if (o.resource() == null || !instanceNames.containsKey(o.resource())) {
        foreign.add(o);
        continue;
      }
      if (!isOrphan(planned, o)) {
        continue;
      }
      long first = firstSeen.getOrDefault(o.key(), now);
      seen.put(o.key(), first);
      boolean typeHeld = !typesWithPlan.contains(o.resource());
      if (typeHeld) {
        held.add(o.resource());
      }
      long dueAt = first + graceMs;
      orphans.add(new Orphan(o, first, dueAt, !typeHeld && now >= dueAt));
    }
    return new Result(List.copyOf(orphans), List.copyOf(foreign), Set.copyOf(held), Map.copyOf(seen));
  }

  /**
   * The check made again just before a removal, on a fresh plan and a fresh look at the object:
   * true only when it is still an orphan of a configured type whose plan is not empty.
   */
  public boolean stillRemovable(Set<String> planned, Observed o) {
    if (o.resource() == null || !instanceNames.containsKey(o.resource()) || !isOrphan(planned, o)) {
      return false;
    }
    String prefix = StoreKey.typePrefix(o.resource());
    return planned.stream().anyMatch(k -> k.startsWith(prefix));
  }

  private boolean isOrphan(Set<String> planned, Observed o) {
    if (!InstanceIds.isValid(o.instanceId()) || !planned.contains(StoreKey.of(o.resource(), o.instanceId()))) {
      return true;
    }
    return o.kind() == Observed.Kind.pod && !o.name().equals(instanceNames.get(o.resource()) + "-" + o.instanceId());
  }

  /** Orphans grouped by resource type, each list in the decision's order. */
  public static Map<String, List<Orphan>> byType(List<Orphan> orphans) {
    Map<String, List<Orphan>> out = new HashMap<>();
    for (Orphan o : orphans) {
      out.computeIfAbsent(o.observed().resource(), k -> new ArrayList<>()).add(o);
    }
    return out;
  }
}
