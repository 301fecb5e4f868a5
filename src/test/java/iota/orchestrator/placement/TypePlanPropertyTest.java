package iota.orchestrator.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import iota.orchestrator.model.Assignment;
import iota.orchestrator.model.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Random scenarios from a fixed seed, each checked against rules computed independently of the
 * planner: coverage, capacity, balance, minimal moves (by brute force over the choice of larger
 * targets), eviction order, reload bumps, ids, and determinism.
 */
class TypePlanPropertyTest {

  private static final long SEED = 20240611L;

  /** One generated starting point and request. */
  private record Scenario(
      int capacity,
      TreeMap<Integer, Integer> counts,
      TreeMap<Integer, List<String>> layout,
      List<String> live,
      int init,
      int max,
      int rpi) {

    TypePlan build() {
      TypePlan plan = new TypePlan(capacity);
      for (Map.Entry<Integer, List<String>> e : layout.entrySet()) {
        plan.restoreInstance(e.getKey(), counts.get(e.getKey()), e.getKey() * 3L);
        for (String r : e.getValue()) {
          plan.restorePlacement(r, e.getKey());
        }
      }
      return plan;
    }
  }

  private static Scenario scenario(Random rnd) {
    int existing = rnd.nextInt(11);
    TreeSet<Integer> ids = new TreeSet<>();
    while (ids.size() < existing) {
      ids.add(rnd.nextInt(15));
    }
    TreeMap<Integer, Integer> counts = new TreeMap<>();
    TreeMap<Integer, List<String>> layout = new TreeMap<>();
    double[] weight = new double[15];
    for (int id : ids) {
      counts.put(id, rnd.nextInt(25));
      layout.put(id, new ArrayList<>());
      weight[id] = rnd.nextDouble() < 0.2 ? 0 : rnd.nextDouble() * rnd.nextDouble();
    }
    List<String> placed = new ArrayList<>();
    int resources = ids.isEmpty() ? 0 : rnd.nextInt(60);
    List<Integer> idList = new ArrayList<>(ids);
    for (int i = 0; i < resources; i++) {
      String r = "r" + rnd.nextInt(1000);
      if (placed.contains(r)) {
        continue;
      }
      int target = pickWeighted(rnd, idList, weight);
      layout.get(target).add(r);
      placed.add(r);
    }
    List<String> live = new ArrayList<>();
    boolean allLive = rnd.nextInt(4) == 0;
    for (String r : placed) {
      if (allLive || rnd.nextDouble() < 0.85) {
        live.add(r);
      }
    }
    int fresh = allLive ? 0 : rnd.nextInt(20);
    for (int i = 0; i < fresh; i++) {
      live.add("n" + rnd.nextInt(1000));
    }
    int init = 1 + rnd.nextInt(12);
    int max = 1 + rnd.nextInt(15);
    int rpi = 1 + rnd.nextInt(30);
    return new Scenario(1 + rnd.nextInt(20), counts, layout, allLive ? null : live, init, max, rpi);
  }

  private static int pickWeighted(Random rnd, List<Integer> ids, double[] weight) {
    double total = 0;
    for (int id : ids) {
      total += weight[id];
    }
    if (total == 0) {
      return ids.get(rnd.nextInt(ids.size()));
    }
    double x = rnd.nextDouble() * total;
    for (int id : ids) {
      x -= weight[id];
      if (x < 0) {
        return id;
      }
    }
    return ids.get(ids.size() - 1);
  }

  private static Orchestration run(TypePlan plan, Scenario s) throws SizingException {
    return s.live() == null
        ? plan.orchestrate(s.init(), s.max(), s.rpi())
        : plan.orchestrate(s.live(), s.init(), s.max(), s.rpi());
  }

  @Test
  void reOrchestrationHoldsEveryRuleOverRandomScenarios() {
    Random rnd = new Random(SEED);
    int succeeded = 0;
    int failed = 0;
    for (int i = 0; i < 3000; i++) {
      Scenario s = scenario(rnd);
      try {
        if (check(s)) {
          succeeded++;
        } else {
          failed++;
        }
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("scenario " + i + ": " + s + "\n" + e.getMessage(), e);
      }
    }
    // Both paths must have been exercised, or the generator has drifted.
    assertTrue(succeeded > 1000, "successful orchestrations " + succeeded);
    assertTrue(failed > 50, "sizing failures " + failed);
  }

  /** Checks one scenario; false when sizing failed (and the plan was checked unchanged). */
  private static boolean check(Scenario s) {
    TypePlan plan = s.build();
    TreeMap<Integer, Plans.Inst> before = Plans.snapshot(plan);
    Set<String> live = new LinkedHashSet<>();
    if (s.live() == null) {
      before.values().forEach(v -> live.addAll(v.resources()));
    } else {
      live.addAll(s.live());
    }
    int n = live.size();

    int k = n / s.rpi() + 1;
    int cap = s.rpi();
    if (k > s.max()) {
      try {
        run(plan, s);
        fail("expected a sizing failure for " + k + "/" + s.max());
      } catch (SizingException e) {
        assertEquals("require instances more than the max: " + k + "/" + s.max(), e.getMessage());
      }
      assertEquals(before, Plans.snapshot(plan));
      assertEquals(s.capacity(), plan.capacity());
      return false;
    }
    if (k < s.init()) {
      k = s.init();
      cap = n / k + 1;
    }

    Orchestration o;
    try {
      o = run(plan, s);
    } catch (SizingException e) {
      throw new AssertionError("unexpected " + e.getMessage());
    }
    TreeMap<Integer, Plans.Inst> after = Plans.snapshot(plan);

    // Ids: the lowest existing kept, the rest deleted, the lowest free ids created.
    List<Integer> existing = new ArrayList<>(before.keySet());
    List<Integer> keptIds = existing.subList(0, Math.min(k, existing.size()));
    List<Integer> deletedIds = existing.subList(keptIds.size(), existing.size());
    List<Integer> createdIds = new ArrayList<>();
    for (int id = 0; keptIds.size() + createdIds.size() < k; id++) {
      if (!before.containsKey(id)) {
        createdIds.add(id);
      }
    }
    TreeSet<Integer> expectedIds = new TreeSet<>(keptIds);
    expectedIds.addAll(createdIds);
    assertEquals(expectedIds, new TreeSet<>(after.keySet()));
    assertEquals(new TreeSet<>(createdIds), o.delta().created());
    assertEquals(new TreeSet<>(deletedIds), o.delta().deleted());
    assertEquals(createdIds.stream().map(String::valueOf).toList(), o.report().created());
    assertEquals(deletedIds.stream().map(String::valueOf).toList(), o.report().deleted());

    // Coverage: every live resource on exactly one instance, nothing else placed.
    Map<String, Integer> where = new HashMap<>();
    int sum = 0;
    for (Plans.Inst inst : after.values()) {
      sum += inst.used();
      for (String r : inst.resources()) {
        Integer prev = where.put(r, inst.id());
        assertEquals(null, prev, r + " on two instances");
        assertEquals(Optional.of(inst.id()), plan.instanceOf(r));
      }
    }
    assertEquals(live, where.keySet());
    assertEquals(n, sum);
    assertEquals(n, plan.resourceCount());

    // Capacity and balance.
    int maxLoad = after.values().stream().mapToInt(Plans.Inst::used).max().orElseThrow();
    int minLoad = after.values().stream().mapToInt(Plans.Inst::used).min().orElseThrow();
    for (Plans.Inst inst : after.values()) {
      assertEquals(cap, inst.count());
      assertTrue(inst.used() <= inst.count(), "over capacity: " + inst);
    }
    assertTrue(maxLoad - minLoad <= 1, "unbalanced " + maxLoad + "/" + minLoad);
    assertEquals(cap, plan.capacity());
    assertEquals(k, o.report().instances());
    assertEquals(cap, o.report().resourcePerInstance());
    assertEquals(maxLoad, o.report().maxLoad());
    assertEquals(minLoad, o.report().minLoad());

    // Moves: counted from the two snapshots, and equal to the brute-force minimum.
    Map<String, Integer> was = new HashMap<>();
    before.values().forEach(v -> v.resources().forEach(r -> was.put(r, v.id())));
    int moved = 0;
    int kept = 0;
    for (String r : live) {
      Integer from = was.get(r);
      if (from != null) {
        if (from.equals(where.get(r))) {
          kept++;
        } else {
          moved++;
        }
      }
    }
    assertEquals(moved, o.report().moved());
    assertEquals(kept, o.report().kept());
    int[] current = new int[k];
    int orphans = 0;
    for (int i = 0; i < keptIds.size(); i++) {
      current[i] = liveOn(before.get(keptIds.get(i)), live).size();
    }
    for (int id : deletedIds) {
      orphans += liveOn(before.get(id), live).size();
    }
    assertEquals(orphans + bruteForceEvictions(current, n / k, n % k), moved);

    // Eviction order: a kept instance keeps the smallest of its live ids.
    for (int id : keptIds) {
      List<String> mine = liveOn(before.get(id), live);
      List<String> stayed = new ArrayList<>();
      for (String r : after.get(id).resources()) {
        if (mine.contains(r)) {
          stayed.add(r);
        }
      }
      assertEquals(mine.subList(0, stayed.size()), stayed, "instance " + id + " evicted out of order");
    }

    // Reload bumps and the delta.
    TreeSet<Integer> changed = new TreeSet<>(createdIds);
    for (int id : keptIds) {
      Plans.Inst b = before.get(id);
      Plans.Inst a = after.get(id);
      boolean resourcesChanged = !b.resources().equals(a.resources());
      assertEquals(b.reload() + (resourcesChanged ? 1 : 0), a.reload(), "reload of " + id);
      if (resourcesChanged || b.count() != a.count()) {
        changed.add(id);
      }
    }
    for (int id : createdIds) {
      assertEquals(after.get(id).used() > 0 ? 1 : 0, after.get(id).reload(), "reload of created " + id);
    }
    assertEquals(changed, o.delta().changed());

    // Determinism: the same input again gives the same plan and report.
    TypePlan twin = s.build();
    try {
      Orchestration again = run(twin, s);
      assertEquals(o, again);
    } catch (SizingException e) {
      throw new AssertionError(e);
    }
    assertEquals(after, Plans.snapshot(twin));
    return true;
  }

  private static List<String> liveOn(Plans.Inst inst, Set<String> live) {
    List<String> mine = new ArrayList<>();
    for (String r : inst.resources()) {
      if (live.contains(r)) {
        mine.add(r);
      }
    }
    return mine;
  }

  /** The fewest resources kept instances must give up, over every choice of the r instances that get q + 1. */
  private static int bruteForceEvictions(int[] current, int q, int r) {
    return choose(current, 0, r, q, 0);
  }

  private static int choose(int[] current, int index, int ceilsLeft, int q, int soFar) {
    if (index == current.length) {
      return ceilsLeft == 0 ? soFar : Integer.MAX_VALUE;
    }
    int best = Integer.MAX_VALUE;
    if (ceilsLeft > 0) {
      best = choose(current, index + 1, ceilsLeft - 1, q, soFar + Math.max(0, current[index] - (q + 1)));
    }
    if (current.length - index > ceilsLeft) {
      best = Math.min(best, choose(current, index + 1, ceilsLeft, q, soFar + Math.max(0, current[index] - q)));
    }
    return best;
  }

  @Test
  void incrementalEventsMatchASimpleModelOverRandomSequences() {
    Random rnd = new Random(SEED + 1);
    for (int run = 0; run < 200; run++) {
      TypePlan plan = new TypePlan(1 + rnd.nextInt(5));
      Model model = new Model(plan.capacity());
      if (rnd.nextBoolean()) {
        int n = rnd.nextInt(5);
        int count = 1 + rnd.nextInt(5);
        Delta d = plan.createInstances(n, count);
        model.capacity = count;
        TreeSet<Integer> expected = new TreeSet<>();
        for (int i = 0; i < n; i++) {
          expected.add(model.create(count));
        }
        assertEquals(expected, d.created());
      }
      List<String> universe = Plans.ids("u", 0, 40);
      for (int step = 0; step < 300; step++) {
        String r = universe.get(rnd.nextInt(universe.size()));
        int op = rnd.nextInt(10);
        Delta d;
        TreeSet<Integer> expectedChanged;
        TreeSet<Integer> expectedCreated = new TreeSet<>();
        if (op < 5) {
          int createdBefore = model.instances.size();
          expectedChanged = model.add(r);
          if (model.instances.size() > createdBefore) {
            expectedCreated.addAll(expectedChanged);
          }
          d = plan.add(r);
        } else if (op < 8) {
          expectedChanged = model.remove(r);
          d = plan.remove(r);
        } else if (op < 9) {
          expectedChanged = model.update(r);
          d = plan.update(r);
        } else if (rnd.nextBoolean()) {
          expectedChanged = model.reloadAll();
          d = plan.reloadAll();
        } else {
          int capacity = 1 + rnd.nextInt(6);
          plan.capacity(capacity);
          model.capacity = capacity;
          expectedChanged = new TreeSet<>();
          d = Delta.empty();
        }
        assertEquals(expectedChanged, d.changed(), "run " + run + " step " + step);
        assertEquals(expectedCreated, d.created(), "run " + run + " step " + step);
        assertTrue(d.deleted().isEmpty());
        assertEquals(model.snapshot(), Plans.snapshot(plan), "run " + run + " step " + step);
      }
    }
  }

  /** The incremental rules written the obvious way: linear scans, no ordered sets. */
  private static final class Model {
    int capacity;
    final TreeMap<Integer, int[]> countAndReload = new TreeMap<>();
    final TreeMap<Integer, TreeSet<String>> instances = new TreeMap<>();

    Model(int capacity) {
      this.capacity = capacity;
    }

    int create(int count) {
      int id = 0;
      while (instances.containsKey(id)) {
        id++;
      }
      instances.put(id, new TreeSet<>());
      countAndReload.put(id, new int[] {count, 0});
      return id;
    }

    Integer find(String r) {
      for (Map.Entry<Integer, TreeSet<String>> e : instances.entrySet()) {
        if (e.getValue().contains(r)) {
          return e.getKey();
        }
      }
      return null;
    }

    TreeSet<Integer> add(String r) {
      if (find(r) != null) {
        return new TreeSet<>();
      }
      Integer best = null;
      for (Map.Entry<Integer, TreeSet<String>> e : instances.entrySet()) {
        int used = e.getValue().size();
        if (used < countAndReload.get(e.getKey())[0]
            && (best == null || used < instances.get(best).size())) {
          best = e.getKey();
        }
      }
      if (best == null) {
        best = create(capacity);
      }
      instances.get(best).add(r);
      countAndReload.get(best)[1]++;
      return new TreeSet<>(Set.of(best));
    }

    TreeSet<Integer> remove(String r) {
      Integer at = find(r);
      if (at == null) {
        return new TreeSet<>();
      }
      instances.get(at).remove(r);
      countAndReload.get(at)[1]++;
      return new TreeSet<>(Set.of(at));
    }

    TreeSet<Integer> update(String r) {
      Integer at = find(r);
      if (at == null) {
        return new TreeSet<>();
      }
      countAndReload.get(at)[1]++;
      return new TreeSet<>(Set.of(at));
    }

    TreeSet<Integer> reloadAll() {
      countAndReload.values().forEach(v -> v[1]++);
      return new TreeSet<>(instances.keySet());
    }

    TreeMap<Integer, Plans.Inst> snapshot() {
      TreeMap<Integer, Plans.Inst> copy = new TreeMap<>();
      for (Map.Entry<Integer, TreeSet<String>> e : instances.entrySet()) {
        int[] cr = countAndReload.get(e.getKey());
        copy.put(e.getKey(), new Plans.Inst(e.getKey(), cr[0], e.getValue().size(), cr[1], new TreeSet<>(e.getValue())));
      }
      return copy;
    }
  }

  @Test
  void liveSetOrderDoesNotChangeThePlan() throws SizingException {
    Random rnd = new Random(SEED + 2);
    for (int i = 0; i < 300; i++) {
      Scenario s = scenario(rnd);
      if (s.live() == null) {
        continue;
      }
      List<String> shuffled = new ArrayList<>(s.live());
      Collections.shuffle(shuffled, rnd);
      TypePlan a = s.build();
      TypePlan b = s.build();
      Orchestration oa;
      try {
        oa = a.orchestrate(s.live(), s.init(), s.max(), s.rpi());
      } catch (SizingException e) {
        continue;
      }
      Orchestration ob = b.orchestrate(new HashSet<>(shuffled), s.init(), s.max(), s.rpi());
      assertEquals(oa, ob);
      assertEquals(Plans.snapshot(a), Plans.snapshot(b));
    }
  }

  /** Ids of random length and alphabet: ASCII, BMP non-ASCII, emoji and characters JSON escapes. */
  private static String oddId(Random rnd, int serial) {
    String[] alphabet = {"a", "Z", "9", "-", "ü", "中", "\uD83D\uDE00", "\"", "\\"};
    StringBuilder sb = new StringBuilder("i" + serial);
    int extra = rnd.nextInt(4) == 0 ? rnd.nextInt(60) : rnd.nextInt(8);
    for (int i = 0; i < extra; i++) {
      sb.append(alphabet[rnd.nextInt(alphabet.length)]);
    }
    return sb.toString();
  }

  private static int written(InstanceView v) {
    return Json.bytes(new Assignment.Resources(List.copyOf(v.resources()))).length;
  }

  @Test
  void incrementalEventsWithinBothLimitsMatchASimpleModel() {
    Random rnd = new Random(SEED + 3);
    int refusedSeen = 0;
    int overflowSeen = 0;
    for (int run = 0; run < 300; run++) {
      int capacity = 1 + rnd.nextInt(4);
      int max = 1 + rnd.nextInt(5);
      long budget = 13 + rnd.nextInt(400);
      TypePlan plan = new TypePlan(capacity, max, budget);
      BoundedModel model = new BoundedModel(capacity, max, budget);
      int init = rnd.nextInt(max + 1);
      assertEquals(model.createInstances(init), plan.createInstances(init, capacity).created());
      List<String> universe = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        universe.add(oddId(rnd, i));
      }
      for (int step = 0; step < 200; step++) {
        String where = "run " + run + " step " + step;
        if (rnd.nextInt(10) < 6) {
          List<String> bulk = new ArrayList<>();
          int n = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(6) : 1;
          for (int i = 0; i < n; i++) {
            bulk.add(universe.get(rnd.nextInt(universe.size())));
          }
          List<String> refused = new ArrayList<>();
          TreeSet<Integer> created = new TreeSet<>();
          TreeSet<Integer> touched = new TreeSet<>();
          for (String r : bulk) {
            model.add(r, refused, created, touched);
          }
          // One bulk message reloads each instance it reached once.
          touched.forEach(id -> model.reloads.merge(id, 1L, Long::sum));
          Delta d = n == 1 ? plan.add(bulk.get(0)) : plan.addAll(bulk);
          assertEquals(refused, d.refused(), where);
          assertEquals(created, d.created(), where);
          refusedSeen += refused.size();
        } else {
          String r = universe.get(rnd.nextInt(universe.size()));
          model.remove(r);
          plan.remove(r);
        }
        TreeMap<Integer, Plans.Inst> snap = Plans.snapshot(plan);
        assertEquals(model.snapshot(), snap, where);
        assertTrue(snap.size() <= max, where + ": pool of " + snap.size() + " over " + max);
        long beyond = 0;
        for (InstanceView v : plan.instances().values()) {
          assertTrue(written(v) <= budget, where + ": " + v + " writes " + written(v) + " > " + budget);
          assertEquals(written(v), TypePlan.znodeBytes(v), where);
          beyond += Math.max(0, v.used() - v.count());
        }
        assertEquals(beyond, plan.beyondCapacity(), where);
        overflowSeen += beyond > 0 ? 1 : 0;
      }
    }
    assertTrue(refusedSeen > 100, "refusals exercised: " + refusedSeen);
    assertTrue(overflowSeen > 100, "overflow exercised: " + overflowSeen);
  }

  /** The bounded incremental rules written the obvious way: linear scans and a fresh encoding per check. */
  private static final class BoundedModel {
    final int capacity;
    final int max;
    final long budget;
    final TreeMap<Integer, TreeSet<String>> instances = new TreeMap<>();
    final TreeMap<Integer, Long> reloads = new TreeMap<>();

    BoundedModel(int capacity, int max, long budget) {
      this.capacity = capacity;
      this.max = max;
      this.budget = budget;
    }

    TreeSet<Integer> createInstances(int n) {
      TreeSet<Integer> created = new TreeSet<>();
      for (int i = 0; i < n; i++) {
        created.add(create());
      }
      return created;
    }

    int create() {
      int id = 0;
      while (instances.containsKey(id)) {
        id++;
      }
      instances.put(id, new TreeSet<>());
      reloads.put(id, 0L);
      return id;
    }

    boolean fits(TreeSet<String> ids, String r) {
      TreeSet<String> with = new TreeSet<>(ids);
      with.add(r);
      return Json.bytes(new Assignment.Resources(List.copyOf(with))).length <= budget;
    }

    /** Least loaded, lowest id, among the instances {@code below} their count (or not) that fit. */
    Integer pick(String r, boolean below) {
      Integer best = null;
      for (var e : instances.entrySet()) {
        int used = e.getValue().size();
        if ((used < capacity) == below && fits(e.getValue(), r) && (best == null || used < instances.get(best).size())) {
          best = e.getKey();
        }
      }
      return best;
    }

    void add(String r, List<String> refused, TreeSet<Integer> created, TreeSet<Integer> touched) {
      for (TreeSet<String> ids : instances.values()) {
        if (ids.contains(r)) {
          return;
        }
      }
      Integer at = pick(r, true);
      if (at == null && instances.size() < max && fits(new TreeSet<>(), r)) {
        at = create();
        created.add(at);
      }
      if (at == null) {
        at = pick(r, false);
      }
      if (at == null) {
        refused.add(r);
        return;
      }
      instances.get(at).add(r);
      touched.add(at);
    }

    void remove(String r) {
      for (var e : instances.entrySet()) {
        if (e.getValue().remove(r)) {
          reloads.merge(e.getKey(), 1L, Long::sum);
        }
      }
    }

    TreeMap<Integer, Plans.Inst> snapshot() {
      TreeMap<Integer, Plans.Inst> copy = new TreeMap<>();
      instances.forEach((id, ids) -> copy.put(id, new Plans.Inst(id, capacity, ids.size(), reloads.get(id), new TreeSet<>(ids))));
      return copy;
    }
  }

  @Test
  void reOrchestrationRespectsTheByteBudgetAndThePoolBound() {
    Random rnd = new Random(SEED + 4);
    int succeeded = 0;
    int failed = 0;
    int repaired = 0;
    for (int i = 0; i < 1500; i++) {
      long budget = 200 + rnd.nextInt(2000);
      int existing = 1 + rnd.nextInt(6);
      TypePlan plan = new TypePlan(1000, 100, budget);
      plan.createInstances(existing, 1000);
      List<String> placed = new ArrayList<>();
      for (int r = rnd.nextInt(80); r > 0; r--) {
        String id = oddId(rnd, placed.size());
        if (plan.add(id).refused().isEmpty()) {
          placed.add(id);
        }
      }
      List<String> live = new ArrayList<>();
      for (String r : placed) {
        if (rnd.nextDouble() < 0.8) {
          live.add(r);
        }
      }
      for (int r = rnd.nextInt(40); r > 0; r--) {
        live.add(oddId(rnd, 1000 + r));
      }
      int max = 3 + rnd.nextInt(12);
      int init = 1 + rnd.nextInt(max);
      int rpi = 1 + rnd.nextInt(40);
      var before = Plans.snapshot(plan);
      String where = "scenario " + i + " budget " + budget + " max " + max;
      Orchestration o;
      try {
        o = plan.orchestrate(live, init, max, rpi);
      } catch (SizingException e) {
        assertEquals(before, Plans.snapshot(plan), where + ": a failed orchestration changes nothing");
        failed++;
        continue;
      }
      succeeded++;
      Set<String> liveSet = new HashSet<>(live);
      assertEquals(liveSet.size(), plan.resourceCount(), where);
      assertTrue(plan.instances().size() <= max, where);
      assertTrue(plan.instances().size() >= Math.max(init, liveSet.size() / rpi + 1) || plan.instances().size() == init, where);
      int maxLoad = 0;
      int minLoad = Integer.MAX_VALUE;
      for (InstanceView v : plan.instances().values()) {
        assertTrue(written(v) <= budget, where + ": " + v + " writes " + written(v));
        v.resources().forEach(r -> assertTrue(liveSet.contains(r), r));
        maxLoad = Math.max(maxLoad, v.used());
        minLoad = Math.min(minLoad, v.used());
      }
      if (maxLoad - minLoad > 1) {
        repaired++;
      }
      assertEquals(o.report().moved() + o.report().kept() + (int) liveSet.stream().filter(r -> !placed.contains(r)).count(), liveSet.size(), where);
      // Sticky: the same request again keeps a plan that is within both limits.
      try {
        Orchestration again = plan.orchestrate(init, max, rpi);
        if (maxLoad - minLoad <= 1) {
          assertEquals(0, again.report().moved(), where);
        }
        for (InstanceView v : plan.instances().values()) {
          assertTrue(written(v) <= budget, where + " again: " + v);
        }
      } catch (SizingException e) {
        throw new AssertionError(where + ": the same request failed the second time: " + e.getMessage());
      }
    }
    assertTrue(succeeded > 500, "succeeded " + succeeded);
    assertTrue(failed > 20, "failed " + failed);
    assertTrue(repaired > 10, "byte repairs " + repaired);
  }
}
