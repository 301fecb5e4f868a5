package iota.orchestrator.placement;

import iota.orchestrator.model.EncodedIds;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Load-aware re-planning of a {@link TypePlan} (issue 12 §4): brings every instance's estimated load
 * within a band around the mean (Cruise Control's {@code ResourceDistributionGoal}: 10 % by default)
 * by moving resources from the hottest instances to the coolest, never beyond an instance's count
 * nor its byte budget ({@link TypePlan#maxBytes()}), and empties draining instances and the
 * instances a scale-down removes. Pure: it reads the plan and the loads and proposes a {@link
 * LoadPlan}; the caller applies it ({@link TypePlan#applyMoves}).
 *
 * <p><b>The greedy.</b> First every draining or removed instance gives all its resources, heaviest
 * first, each to the instance with the lowest load that has room (longest-processing-time first:
 * these moves are forced, only their targets are chosen). Then, while some instance is outside the
 * band, either the hottest instance (when above the band) or the coolest (when below) is fixed
 * against its opposite: the <em>heaviest</em> resource of the giver whose move leaves the giver no
 * lower than the band's floor and the taker no higher than its ceiling moves. Taking the heaviest such
 * resource shrinks the excess most per move, which is what keeps the count of moves low. When no
 * resource fits both ends (one resource heavier than the band is wide), the one nearest half the
 * difference between the two moves if that narrows the difference; otherwise the instance is given
 * up as unfixable. Every move lowers the sum of squared loads, so the loop ends. A resource moved
 * twice counts once (its first and last instance).
 *
 * <p><b>Against churn.</b> Balancing starts only when some instance is outside the band, and then
 * aims at {@link #BALANCE_MARGIN} of it (Cruise Control's {@code ResourceDistributionGoal} does the
 * same): a plan left exactly at the band's edge would be pushed over it by the next measurement's
 * noise and move again every round. The margin alone is not enough against per-pod jitter: the
 * loads are estimates, and an instance left at 9 % with 1 % of jitter in its estimate crosses 10 %
 * often. So the start can also ask for an instance to be beyond the band by more than the jitter
 * explains ({@link #noiseTolerance}, {@link #SIGNIFICANCE} standard deviations), a significance test
 * on the estimate; moves, once started, still aim at the margin.
 *
 * <p><b>How far from the fewest moves.</b> The fewest moves that reach the band is a bin-packing
 * problem (NP-hard in general), so the greedy is not always optimal. It is optimal when every
 * resource has the same load (checked against brute force: any band-reaching plan must move at
 * least the whole resources of the excess), and on draining the count is forced (every resource
 * must move). On 3,000 small random fleets (2 to 4 instances, up to 8 resources, a few heavy ones,
 * tight counts; {@code LoadRebalancerBruteForceTest}) 698 can reach the band; the greedy reaches it
 * in 534, with the fewest moves in 508 (95 %) and never more than 3 moves above the fewest. Where it
 * misses a reachable band, a heavy resource would have had to be swapped against light ones, which
 * a one-way greedy does not try: {@link LoadPlan#withinBand()} says so. The lower bound {@code excess above the band / the heaviest resource} holds for any plan.
 *
 * <p>A resource missing from the loads map counts at the mean of the loads given (its load is not
 * known yet, so it neither attracts nor repels moves); with no loads at all nothing moves, which
 * leaves today's count rules in force.
 */
public final class LoadRebalancer {

  /** Cruise Control's default balance band: every instance within 10 % of the mean. */
  public static final double DEFAULT_BAND = 0.10;

  /**
   * Cruise Control's {@code BALANCE_MARGIN}: a re-plan starts only when an instance is outside the
   * band, and then aims at this fraction of the band, so that the instances it leaves at the edge are
   * not pushed out again by the next round's noise.
   */
  public static final double BALANCE_MARGIN = 0.9;

  /**
   * How many standard deviations of the jitter left in the estimates ({@link LoadEstimator#noise})
   * an instance must be beyond the band before a re-plan starts. Measured in {@code ElasticBenchmark}'s
   * noisy hour (61 instances, ±5 % per pod, a half-life of 4 rounds, jitter left 0.8 %): at 3, one
   * false start of 115 moves in the hour; at 4, none, and the step to twice the load still settles
   * in 16 rounds with 1 % more moves than the lower bound. A real change (a hot resource, new empty
   * instances, a drain) is far beyond that, so it still starts a re-plan within a few rounds.
   */
  public static final double SIGNIFICANCE = 4;

  private LoadRebalancer() {}

  /**
   * The {@code tolerance} of {@link #rebalance(TypePlan, Map, Set, double, double, double)} for a
   * relative jitter of {@code noise} in the estimated loads ({@link LoadEstimator#noise(long)}).
   */
  public static double noiseTolerance(double noise) {
    if (!(noise >= 0)) {
      throw new IllegalArgumentException("noise must not be negative, got " + noise);
    }
    return SIGNIFICANCE * noise;
  }

  /**
   * Whether {@link #rebalance(TypePlan, Map, Set, double, double, double)} would move anything: a
   * draining instance still holds resources, or some instance's load (given per instance) is outside
   * the band widened by {@code tolerance} around the mean. Costs O(instances), where a re-plan costs
   * O(resources log resources), so a caller that asks every metrics round pays the re-plan only when
   * it has work to do.
   */
  public static boolean needed(TypePlan plan, Map<Integer, Double> instanceLoads, Set<Integer> draining, double band,
      double tolerance) {
    double total = 0;
    int takers = 0;
    double max = Double.NEGATIVE_INFINITY;
    double min = Double.POSITIVE_INFINITY;
    for (InstanceView v : plan.instances().values()) {
      double load = instanceLoads.getOrDefault(v.id(), 0.0);
      total += load;
      if (draining.contains(v.id())) {
        if (v.used() > 0) {
          return true;
        }
        continue;
      }
      takers++;
      max = Math.max(max, load);
      min = Math.min(min, load);
    }
    if (takers == 0) {
      return false;
    }
    double mean = total / takers;
    double slack = Math.abs(mean) * 1e-9;
    double aim = band + tolerance;
    return max > mean * (1 + aim) + slack || min < mean * (1 - aim) - slack;
  }

  /** Re-plans for load with the given draining instances, aiming at {@link #BALANCE_MARGIN} of the band. */
  public static LoadPlan rebalance(TypePlan plan, Map<String, Double> loads, Set<Integer> draining, double band) {
    return rebalance(plan, loads, draining, band, BALANCE_MARGIN);
  }

  /**
   * Re-plans for load with the given draining instances; see the class rules. Once some instance is
   * outside {@code band}, the moves aim at {@code band × margin}; a margin of 1 moves the fewest
   * resources that reach the band itself.
   */
  public static LoadPlan rebalance(
      TypePlan plan, Map<String, Double> loads, Set<Integer> draining, double band, double margin) {
    return rebalance(plan, loads, draining, band, margin, 0);
  }

  /**
   * Re-plans for load as {@link #rebalance(TypePlan, Map, Set, double, double)}, but starts only when
   * some instance is outside the band by more than {@code tolerance} (a fraction of the mean, like
   * the band): the part of an instance's distance from the mean that measurement jitter can explain
   * (see {@link #noiseTolerance}). Once started, it aims at {@code band × margin} as always; draining
   * and removed instances are emptied regardless.
   */
  public static LoadPlan rebalance(
      TypePlan plan, Map<String, Double> loads, Set<Integer> draining, double band, double margin, double tolerance) {
    return new Run(plan, loads, draining, Collections.emptySortedSet(), band, margin, tolerance).plan();
  }

  /**
   * Re-plans a scale-down to {@code instances}: the instances with the highest ids beyond that many
   * give up their resources (load-aware, as draining ones), and the rest is balanced as in {@link
   * #rebalance}. Instances that cannot be emptied for lack of room elsewhere are not removed.
   */
  public static LoadPlan scaleDown(
      TypePlan plan, Map<String, Double> loads, Set<Integer> draining, int instances, double band) {
    if (instances < 1) {
      throw new IllegalArgumentException("a pool keeps at least one instance, got " + instances);
    }
    TreeSet<Integer> removed = new TreeSet<>();
    List<Integer> ids = new ArrayList<>(plan.instances().keySet());
    for (int i = instances; i < ids.size(); i++) {
      removed.add(ids.get(i));
    }
    return new Run(plan, loads, draining, removed, band, BALANCE_MARGIN, 0).plan();
  }

  /**
   * Where a new resource goes by load: the instance with the lowest estimated load that is not
   * draining and has room for it (count and bytes), lowest id on ties; empty when none has room (the
   * planner's count rules then grow the pool). Its own load is not needed: it is not placed yet.
   */
  public static Optional<Integer> coolest(TypePlan plan, Map<String, Double> loads, Set<Integer> draining, String resource) {
    Objects.requireNonNull(resource, "resource");
    int length = EncodedIds.encodedLength(resource);
    double fallback = meanLoad(loads);
    Integer best = null;
    double bestLoad = Double.POSITIVE_INFINITY;
    for (InstanceView v : plan.instances().values()) {
      if (draining.contains(v.id()) || v.used() >= v.count()
          || EncodedIds.znodeLength(v.used() + 1, idBytes(v) + length) > plan.maxBytes()) {
        continue;
      }
      double load = 0;
      for (String r : v.resources()) {
        load += loads.getOrDefault(r, fallback);
      }
      if (load < bestLoad) {
        best = v.id();
        bestLoad = load;
      }
    }
    return Optional.ofNullable(best);
  }

  private static long idBytes(InstanceView v) {
    return TypePlan.znodeBytes(v) - EncodedIds.ZNODE_WRAPPER - Math.max(0, v.used() - 1);
  }

  private static double meanLoad(Map<String, Double> loads) {
    if (loads.isEmpty()) {
      return 0;
    }
    double sum = 0;
    for (double l : loads.values()) {
      sum += l;
    }
    return sum / loads.size();
  }

  /** One resource as the greedy sees it. */
  private record Item(String id, double load, int length) {}

  /** Lightest first, then by id; a probe with a null id sorts after every item of its load. */
  private static final Comparator<Item> BY_LOAD = (a, b) -> {
    int c = Double.compare(a.load, b.load);
    if (c != 0) {
      return c;
    }
    if (a.id == null || b.id == null) {
      return a.id == b.id ? 0 : a.id == null ? 1 : -1;
    }
    return a.id.compareTo(b.id);
  };

  /** One instance as the greedy sees it. */
  private static final class Node {
    final int id;
    final int count;
    final boolean giving;
    final TreeSet<Item> items = new TreeSet<>(BY_LOAD);
    int used;
    long idBytes;
    double load;
    /** The generation in which fixing this node last failed; stale once anything moved since. */
    long stuckAt = -1;

    Node(int id, int count, boolean giving) {
      this.id = id;
      this.count = count;
      this.giving = giving;
    }

    boolean hasRoom(Item item, long maxBytes) {
      return used < count && EncodedIds.znodeLength(used + 1, idBytes + item.length) <= maxBytes;
    }
  }

  private static final Comparator<Node> NODES = (a, b) ->
      a.load != b.load ? Double.compare(a.load, b.load) : Integer.compare(a.id, b.id);

  /** One re-plan's scratch state. */
  private static final class Run {
    final TypePlan plan;
    final double band;
    final double margin;
    final double tolerance;
    /** The band the loop works to: the band itself until balancing starts, then its margin. */
    double aim;
    final long maxBytes;
    final TreeMap<Integer, Node> nodes = new TreeMap<>();
    /** The nodes that take resources, by load; a node leaves before its load changes and comes back after. */
    final TreeSet<Node> takers = new TreeSet<>(NODES);
    final Map<String, Integer> origin = new HashMap<>();
    final Map<String, Integer> now = new HashMap<>();
    final SortedSet<Integer> removed;
    final List<String> unplaced = new ArrayList<>();
    double mean;
    /** Counts moves: a node that could not be fixed is tried again once anything has moved. */
    long generation;

    Run(TypePlan plan, Map<String, Double> loads, Set<Integer> draining, SortedSet<Integer> removed, double band,
        double margin, double tolerance) {
      if (!(band >= 0)) {
        throw new IllegalArgumentException("band must not be negative, got " + band);
      }
      if (!(margin > 0 && margin <= 1)) {
        throw new IllegalArgumentException("margin must be in (0, 1], got " + margin);
      }
      if (!(tolerance >= 0)) {
        throw new IllegalArgumentException("tolerance must not be negative, got " + tolerance);
      }
      this.margin = margin;
      this.tolerance = tolerance;
      this.plan = plan;
      this.band = band;
      this.aim = band;
      this.maxBytes = plan.maxBytes();
      this.removed = removed;
      double fallback = meanLoad(loads);
      double total = 0;
      for (InstanceView v : plan.instances().values()) {
        boolean giving = draining.contains(v.id()) || removed.contains(v.id());
        Node node = new Node(v.id(), v.count(), giving);
        List<Item> items = new ArrayList<>(v.used());
        for (String r : v.resources()) {
          Double known = loads.get(r);
          double load = known == null ? fallback : known;
          if (!(load >= 0)) {
            throw new IllegalArgumentException("load of " + r + " must be a non-negative number, got " + load);
          }
          Item item = new Item(r, load, EncodedIds.encodedLength(r));
          items.add(item);
          node.idBytes += item.length;
          node.load += load;
        }
        items.sort(BY_LOAD);
        node.items.addAll(items);
        node.used = items.size();
        total += node.load;
        nodes.put(v.id(), node);
        if (!giving) {
          takers.add(node);
        }
      }
      mean = takers.isEmpty() ? 0 : total / takers.size();
    }

    LoadPlan plan() {
      for (Node giver : nodes.values()) {
        if (giver.giving) {
          drain(giver);
        }
      }
      balance();
      List<Move> moves = new ArrayList<>();
      for (Map.Entry<String, Integer> e : new TreeMap<>(now).entrySet()) {
        int from = origin.get(e.getKey());
        if (from != e.getValue()) {
          moves.add(new Move(e.getKey(), from, e.getValue()));
        }
      }
      TreeSet<Integer> emptied = new TreeSet<>();
      for (int id : removed) {
        if (nodes.get(id).used == 0) {
          emptied.add(id);
        }
      }
      double max = 0;
      double min = takers.isEmpty() ? 0 : Double.POSITIVE_INFINITY;
      for (Node n : takers) {
        max = Math.max(max, n.load);
        min = Math.min(min, n.load);
      }
      aim = band;
      boolean within = takers.isEmpty() || (max <= ceiling() && min >= floor());
      return new LoadPlan(moves, emptied, unplaced, mean, max, min, band, within);
    }

    double ceiling() {
      return mean * (1 + aim) + slack();
    }

    double floor() {
      return mean * (1 - aim) - slack();
    }

    boolean outsideBand() {
      return !takers.isEmpty() && (takers.last().load > ceiling() || takers.first().load < floor());
    }

    /** Rounding room, so a sum that is on the edge up to float error counts as inside. */
    double slack() {
      return Math.abs(mean) * 1e-9;
    }

    void drain(Node giver) {
      for (Item item : new ArrayList<>(giver.items.descendingSet())) {
        Node taker = null;
        for (Node candidate : takers) {
          if (candidate.hasRoom(item, maxBytes)) {
            taker = candidate;
            break;
          }
        }
        if (taker == null) {
          unplaced.add(item.id);
          continue;
        }
        move(item, giver, taker);
      }
    }

    void balance() {
      // Each move strictly lowers the sum of squared loads, so moves cannot cycle; the bound only
      // guards against float ties. Between two moves each node fails at most once.
      long guard = 4L * plan.resourceCount() + 16;
      aim = band + tolerance;
      if (!outsideBand()) {
        aim = band;
        return;
      }
      aim = band * margin;
      while (generation < guard) {
        Node hottest = hottest();
        if (hottest != null && hottest.load > ceiling()) {
          if (!shed(hottest)) {
            hottest.stuckAt = generation;
          }
          continue;
        }
        Node coolest = coolestTaker();
        if (coolest != null && coolest.load < floor()) {
          if (!fill(coolest)) {
            coolest.stuckAt = generation;
          }
          continue;
        }
        return;
      }
    }

    Node hottest() {
      for (Node n : takers.descendingSet()) {
        if (n.stuckAt != generation) {
          return n;
        }
      }
      return null;
    }

    Node coolestTaker() {
      for (Node n : takers) {
        if (n.stuckAt != generation) {
          return n;
        }
      }
      return null;
    }

    /** The hottest node gives to the coolest one with room. */
    boolean shed(Node giver) {
      for (Node taker : takers) {
        if (taker == giver || taker.load >= giver.load) {
          return false;
        }
        if (taker.used >= taker.count) {
          continue;
        }
        if (tryMove(giver, taker)) {
          return true;
        }
      }
      return false;
    }

    /** The coolest node takes from the hottest one that can give. */
    boolean fill(Node taker) {
      if (taker.used >= taker.count) {
        return false;
      }
      for (Node giver : takers.descendingSet()) {
        if (giver == taker || giver.load <= taker.load) {
          return false;
        }
        if (tryMove(giver, taker)) {
          return true;
        }
      }
      return false;
    }

    /**
     * Moves the heaviest resource of {@code giver} that keeps both within the band's edges; failing
     * that, the one nearest half their difference if it narrows it.
     */
    boolean tryMove(Node giver, Node taker) {
      double fits = Math.min(ceiling() - taker.load, giver.load - floor());
      Item item = heaviestUpTo(giver, taker, fits);
      if (item == null || item.load <= 0) {
        double half = (giver.load - taker.load) / 2;
        item = heaviestUpTo(giver, taker, half);
        Item above = giver.items.higher(new Item(null, half, 0));
        if (above != null && above.load < giver.load - taker.load && taker.hasRoom(above, maxBytes)
            && (item == null || above.load - half < half - item.load)) {
          item = above;
        }
        if (item == null || item.load <= 0) {
          return false;
        }
      }
      move(item, giver, taker);
      return true;
    }

    /** The heaviest item of the giver weighing at most {@code limit} that fits the taker's bytes. */
    Item heaviestUpTo(Node giver, Node taker, double limit) {
      if (limit <= 0) {
        return null;
      }
      Item item = giver.items.floor(new Item(null, limit, 0));
      int tries = 0;
      while (item != null && !taker.hasRoom(item, maxBytes) && tries++ < 64) {
        item = giver.items.lower(item);
      }
      return item != null && taker.hasRoom(item, maxBytes) ? item : null;
    }

    void move(Item item, Node giver, Node taker) {
      origin.putIfAbsent(item.id, giver.id);
      now.put(item.id, taker.id);
      boolean giverTakes = !giver.giving;
      if (giverTakes) {
        takers.remove(giver);
      }
      takers.remove(taker);
      giver.items.remove(item);
      giver.used--;
      giver.idBytes -= item.length;
      giver.load -= item.load;
      taker.items.add(item);
      taker.used++;
      taker.idBytes += item.length;
      taker.load += item.load;
      generation++;
      if (giverTakes) {
        takers.add(giver);
      }
      takers.add(taker);
    }
  }
}
