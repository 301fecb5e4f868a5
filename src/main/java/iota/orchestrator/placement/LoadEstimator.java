package iota.orchestrator.placement;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Estimates each resource's load from what is measured, which is only per instance (a pod's usage).
 *
 * <p><b>The model.</b> Per instance, the usage above a configurable idle base, smoothed over rounds
 * as an exponential moving average with a half-life measured on the samples' timestamps (never the
 * wall clock): its <em>work</em>. The work is divided among the instance's resources in proportion
 * to their <em>weights</em>: a resource that has never moved weighs 1, so it gets an equal share; a
 * resource that moved carries its estimate to its new instance as a weight there (its estimate over
 * that instance's share per unit weight). Only the weights of moved resources are kept (a sparse
 * map), so a round of measurements changes one value per instance, and a re-plan one per moved
 * resource and per instance it touches: {@code O(instances + moves)} state writes per round, not one
 * per resource.
 *
 * <p><b>Why smooth per instance.</b> A pod's usage jitters from sample to sample (metrics-server's
 * window, GC, the mix of messages). Split fresh each round, that jitter lands on every resource of
 * the pod, and a re-plan then moves resources for nothing: in {@code ElasticBenchmark}'s noisy hour,
 * with ±5 % per pod and a half-life of half a round, the rebalancer made 587 moves in an hour in
 * which nothing changed. A half-life of a few rounds averages the jitter away; a real change (a hot
 * resource, a step in load) still shows within a few rounds, since it persists and the jitter does
 * not. {@link #noise(long)} says how much jitter is left in an instance's work, so that a re-plan can
 * tell an instance that is outside the band from one that only looks so this round.
 *
 * <p><b>Why it converges where resources differ.</b> A split by weights cannot tell apart resources
 * that have only ever shared an instance, but every move of a resource puts it among others and the
 * next measurements of its new instance re-weigh it. A hot resource whose estimate is too low makes
 * its new instance measure hotter than estimated, which raises its share there; the rebalancer then
 * moves others away from it. {@code LoadRebalancerTest} checks this on a skewed fleet.
 *
 * <p><b>Keeping it in step with the plan.</b> The estimator reads placements from the plan it is
 * given, so it must hear of every change that carries load between instances: {@link #moved} before
 * the plan applies moves, {@link #forget} before resources are removed, {@link #forgetInstance}
 * after an instance is deleted. A resource added to an instance needs no call: it weighs 1 there and
 * takes its share from the next measurement on.
 *
 * <p>Not thread-safe; one owner per type, like {@link TypePlan}.
 */
public final class LoadEstimator {

  /**
   * One instance's smoothed state.
   *
   * @param work the smoothed usage above the idle base (the load its resources share)
   * @param variance the smoothed square of each sample's relative difference from the work before
   *     it, less the round's median one (see {@link #observe}); an average that starts at 0 with the
   *     first difference, so it reads {@code varianceWeight} times its true value
   * @param at the timestamp of the last sample taken in
   * @param arrivals the resources moved onto the instance since its last sample, each with the
   *     estimate it carried (in {@code work}); none when missing, as in state stored before it existed
   * @param varianceWeight the weight the differences seen so far have in {@code variance}: {@code 1 −
   *     ∏(1 − α)} over its updates, 0 before the first difference; 1 when missing (state stored before
   *     it was kept is long established)
   * @param differences how many differences {@code variance} holds, counted up to {@link
   *     #ESTABLISHED}; that many when missing
   * @param averaging how much the averaging in {@code work} shrinks a sample's jitter: the sum of the
   *     squared weights of the samples in it, 1 after one sample and {@code α / (2 − α)} in the long
   *     run; when missing, that long-run value
   */
  public record InstanceLoad(double work, double variance, long at, Map<String, Double> arrivals, Double varianceWeight,
      Double averaging, Integer differences) {

    /** Differences beyond this many are not counted: the jitter is long known by then. */
    static final int ESTABLISHED = 1_000;

    public InstanceLoad {
      arrivals = arrivals == null || arrivals.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(arrivals));
      varianceWeight = varianceWeight == null ? 1.0 : varianceWeight;
      differences = differences == null ? ESTABLISHED : Math.min(ESTABLISHED, differences);
    }

    /** A long-established state: what was stored before the weights and the count were kept. */
    public InstanceLoad(double work, double variance, long at, Map<String, Double> arrivals) {
      this(work, variance, at, arrivals, null, null, null);
    }

    InstanceLoad withWork(double newWork, Map<String, Double> newArrivals) {
      return new InstanceLoad(newWork, variance, at, newArrivals, varianceWeight, averaging, differences);
    }

    /** Whether the instance has shown its jitter: {@link #MIN_DIFFERENCES} differences between its samples. */
    boolean jitterSeen() {
      return differences >= MIN_DIFFERENCES && varianceWeight > 0;
    }
  }

  /**
   * How many differences between its samples an instance needs before its jitter counts: from a
   * single one, the median over the instances of their squares reads less than half the true
   * variance (the median of a χ² of one degree of freedom), and a fleet of ten with ±25 % jitter
   * still re-planned in its second round.
   */
  static final int MIN_DIFFERENCES = 2;

  /**
   * The relative jitter per sample assumed while no instance has shown its own: before a second
   * sample, nothing tells an imbalance from a pod that merely measured high once, and a fresh fleet
   * re-planned on its first sample (a few percent of its resources in its first rounds, for nothing).
   * 20 % is about what a pod whose work is a seventh of its usage shows when its usage jitters by
   * 2 % (the embedded fleet's simulated pods), so only an instance far from the mean (an empty new
   * one, a hot one) moves resources before the fleet's jitter is measured.
   */
  static final double PRIOR_JITTER = 0.2;

  /**
   * Whether an instance's resource count going from {@code baseline} to {@code used} changes its load
   * so much that a usage sample taken across the change says little of the resources it holds now:
   * by more than the band ({@link LoadRebalancer#DEFAULT_BAND}) of the baseline, or from none. Its
   * pod serves the new resources only once the executor has written them and the worker has
   * reloaded, and a sample averages usage over a window (15 s for metrics-server). A fresh embedded
   * fleet measured right after its resources arrived showed one instance at half the mean and
   * re-planned 20 resources that needed no move; smaller changes are left to the smoothing.
   */
  public static boolean unsettles(int baseline, int used) {
    return baseline == 0 ? used != 0 : Math.abs(used - baseline) > LoadRebalancer.DEFAULT_BAND * baseline;
  }

  /** A moved resource never weighs less than this, so a share can rise again from zero. */
  private static final double MIN_WEIGHT = 0.01;

  private final double idleBase;
  private final long halfLifeMillis;
  private final TreeMap<Integer, InstanceLoad> instances = new TreeMap<>();
  private final HashMap<String, Double> weights = new HashMap<>();
  private final Map<Integer, InstanceLoad> instancesView = Collections.unmodifiableMap(instances);
  private final Map<String, Double> weightsView = Collections.unmodifiableMap(weights);

  /**
   * @param idleBase an instance's usage with no resources (e.g. 50 millicores); only usage above it
   *     is divided among the resources
   * @param halfLifeMillis after this much sample time an old work weighs half; 0 takes each sample
   *     as it comes
   */
  public LoadEstimator(double idleBase, long halfLifeMillis) {
    if (!(idleBase >= 0)) {
      throw new IllegalArgumentException("idleBase must not be negative, got " + idleBase);
    }
    if (halfLifeMillis < 0) {
      throw new IllegalArgumentException("halfLifeMillis must not be negative, got " + halfLifeMillis);
    }
    this.idleBase = idleBase;
    this.halfLifeMillis = halfLifeMillis;
  }

  /**
   * Takes in a round: every sampled instance's measured usage at {@code timestamp}. Changes the
   * {@link #instances()} entry of each sampled instance and nothing else. A sample as old as or
   * older than the instance's last one changes nothing (replayed or out of order).
   *
   * <p>The jitter kept in {@link InstanceLoad#variance()} is each instance's relative change less the
   * round's median relative change: a change the whole fleet shares (a step in load, a fleet-wide
   * swing) moves every instance and the mean alike, so it is no imbalance and no jitter.
   *
   * <p><b>Arrivals.</b> On an instance that resources moved onto since its last sample, what the
   * sample shows beyond the prediction (its work before, which holds the arrivals' carried estimates,
   * and the round's common change) is the arrivals' doing: the instance's other resources were
   * measured there before. So that surprise goes to the arrivals' weights, in proportion to their
   * estimates, rather than being split over all the instance's resources: split, a hot resource that
   * moved with too low an estimate would stay light, its new instance would look hot for its other
   * resources, and the hot one would be moved on again. A surprise beyond {@link
   * LoadRebalancer#SIGNIFICANCE} times the pooled per-sample jitter is taken in at once (and is no
   * jitter), a smaller one is smoothed as usual. An instance whose predicted work is only its
   * arrivals (never measured, or empty) has no measured base, so its sample is averaged as any.
   *
   * @return the resources whose {@link #weights()} this round changed (arrivals re-weighed)
   */
  public Set<String> observe(long timestamp, Map<Integer, Double> usageByInstance) {
    TreeMap<Integer, Double> relative = new TreeMap<>();
    for (Map.Entry<Integer, Double> e : usageByInstance.entrySet()) {
      double usage = e.getValue();
      if (!(usage >= 0)) {
        throw new IllegalArgumentException("usage of instance " + e.getKey() + " must not be negative, got " + usage);
      }
      InstanceLoad before = instances.get(e.getKey());
      if (before != null && timestamp > before.at() && before.work() > 0) {
        relative.put(e.getKey(), (work(usage) - before.work()) / before.work());
      }
    }
    double common = median(relative.values());
    double significant = LoadRebalancer.SIGNIFICANCE * sampleJitter();
    TreeSet<String> reweighed = new TreeSet<>();
    for (Map.Entry<Integer, Double> e : usageByInstance.entrySet()) {
      double work = work(e.getValue());
      InstanceLoad before = instances.get(e.getKey());
      if (before == null) {
        instances.put(e.getKey(), new InstanceLoad(work, 0, timestamp, Map.of(), 0.0, 1.0, 0));
      } else if (timestamp > before.at()) {
        double alpha = alpha(timestamp - before.at());
        Double rel = relative.get(e.getKey());
        double jitter = rel == null ? 0 : rel - common;
        double surprise = rel == null ? 0 : work - before.work() * (1 + common);
        boolean atOnce = hasMeasuredBase(before) && Math.abs(jitter) > significant;
        double smoothed = before.work() + alpha * (work - before.work());
        if (hasMeasuredBase(before)) {
          attribute(before.arrivals(), atOnce ? surprise : alpha * surprise, reweighed);
        }
        instances.put(e.getKey(), new InstanceLoad(
            atOnce ? smoothed + (1 - alpha) * surprise : smoothed,
            // an empty instance has no relative difference: it tells nothing of the jitter
            atOnce || rel == null ? before.variance() : before.variance() + alpha * (jitter * jitter - before.variance()),
            timestamp,
            Map.of(),
            atOnce || rel == null ? before.varianceWeight() : before.varianceWeight() + alpha * (1 - before.varianceWeight()),
            averaging(before, alpha) * (1 - alpha) * (1 - alpha) + alpha * alpha,
            atOnce || rel == null ? before.differences() : before.differences() + 1));
      }
    }
    return reweighed;
  }

  /** Whether some of the instance's predicted work is not its arrivals' carried estimates. */
  private static boolean hasMeasuredBase(InstanceLoad l) {
    if (l.arrivals().isEmpty()) {
      return false;
    }
    double carried = 0;
    for (double estimate : l.arrivals().values()) {
      carried += estimate;
    }
    return carried > 0 && l.work() - carried > 1e-9 * l.work();
  }

  /**
   * Adds {@code surprise} to the arrivals' estimates in proportion to them, as weights: a weight
   * scales with the estimate it was carried with, since the instance's load per unit weight is what
   * it was when they arrived.
   */
  private void attribute(Map<String, Double> arrivals, double surprise, Set<String> reweighed) {
    double carried = 0;
    for (double estimate : arrivals.values()) {
      carried += estimate;
    }
    for (Map.Entry<String, Double> a : arrivals.entrySet()) {
      double estimate = a.getValue();
      if (estimate > 0) {
        double now = estimate + surprise * estimate / carried;
        weights.put(a.getKey(), Math.max(MIN_WEIGHT, weight(a.getKey()) * now / estimate));
        reweighed.add(a.getKey());
      }
    }
  }

  /**
   * The relative jitter of one sample, pooled as the median over the instances that have shown
   * theirs, so that the one instance whose load really changed (a hot resource arrived) does not
   * count its change as jitter and hide it; {@link #PRIOR_JITTER} while none has. An instance's
   * mean squared difference, once unbiased, is a sample's variance plus that of the average it is
   * compared with ({@code 1 + averaging} times a sample's); early on that overstates the jitter
   * a little, which errs towards moving nothing.
   */
  private double sampleJitter() {
    List<Double> variances = new ArrayList<>(instances.size());
    for (InstanceLoad l : instances.values()) {
      if (l.jitterSeen()) {
        // A state stored without its averaging is long established: its averaging is under 0.1.
        variances.add(l.variance() / l.varianceWeight() / (1 + (l.averaging() == null ? 0 : l.averaging())));
      }
    }
    return variances.isEmpty() ? PRIOR_JITTER : Math.sqrt(median(variances));
  }

  /** The instance's {@link InstanceLoad#averaging}; for a state stored without it, the long-run value at {@code alpha}. */
  private static double averaging(InstanceLoad l, double alpha) {
    return l.averaging() != null ? l.averaging() : alpha / (2 - alpha);
  }

  private double work(double usage) {
    return Math.max(0, usage - idleBase);
  }

  private static double median(Collection<Double> values) {
    if (values.isEmpty()) {
      return 0;
    }
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private double alpha(long elapsed) {
    return halfLifeMillis == 0 ? 1 : 1 - Math.pow(0.5, (double) elapsed / halfLifeMillis);
  }

  /**
   * The jitter left in the instances' smoothed work, relative to their work: a sample's jitter
   * ({@link #sampleJitter}) shrunk by the averaging each instance's work has had ({@link
   * InstanceLoad#averaging}: none after one sample, {@code α / (2 − α)} in the long run), pooled as
   * the median over the instances. So a fleet that has only just been measured carries the whole
   * jitter of a sample, or the {@link #PRIOR_JITTER} before any is seen, and a re-plan must find a
   * wider imbalance to start; {@code interval} is the metrics interval, for state stored without
   * its averaging. 0 with no instance measured.
   */
  public double noise(long interval) {
    if (instances.isEmpty()) {
      return 0;
    }
    List<Double> averagings = new ArrayList<>(instances.size());
    double alpha = alpha(interval);
    for (InstanceLoad l : instances.values()) {
      averagings.add(averaging(l, alpha));
    }
    return sampleJitter() * Math.sqrt(median(averagings));
  }

  /**
   * Carries the estimates of moving resources from their instances to their new ones: call with the
   * plan they were computed on, before it applies them. Changes the {@link #weights()} of the moved
   * resources and the {@link #instances()} entries of both ends (the receiver's {@link
   * InstanceLoad#arrivals()} name the resource until its next sample); every other estimate stays as
   * it was. An instance never measured starts at {@code timestamp} with what moves onto it, so its
   * first sample is averaged with that as with any earlier one.
   */
  public void moved(long timestamp, Collection<Move> moves, TypePlan before) {
    if (moves.isEmpty()) {
      return;
    }
    HashMap<Integer, Double> scales = new HashMap<>();
    double reference = meanScale(before);
    for (Move m : moves) {
      if (before.instance(m.to()) == null) {
        throw new IllegalArgumentException("instance " + m.to() + " does not exist for " + m.resource());
      }
      double fromScale = scales.computeIfAbsent(m.from(), id -> scale(before, id, reference));
      double toScale = scales.computeIfAbsent(m.to(), id -> scale(before, id, reference));
      double estimate = weight(m.resource()) * fromScale;
      shift(timestamp, m.from(), -estimate, m.resource(), false);
      shift(timestamp, m.to(), estimate, m.resource(), true);
      weights.put(m.resource(), toScale > 0 ? Math.max(MIN_WEIGHT, estimate / toScale) : 1);
    }
  }

  /**
   * Takes away the estimates of resources about to be removed from the plan (call before it removes
   * them), so their instances' work drops at once rather than over the next rounds.
   */
  public void forget(Collection<String> resources, TypePlan before) {
    double reference = meanScale(before);
    HashMap<Integer, Double> scales = new HashMap<>();
    for (String r : resources) {
      Integer id = before.instanceOf(r).orElse(null);
      if (id != null) {
        double scale = scales.computeIfAbsent(id, i -> scale(before, i, reference));
        shift(Long.MIN_VALUE, id, -weight(r) * scale, r, false);
      }
      weights.remove(r);
    }
  }

  /** Forgets a deleted instance. */
  public void forgetInstance(int instanceId) {
    instances.remove(instanceId);
  }

  /** Adds {@code delta} to an instance's work for {@code resource}, arriving there or leaving it. */
  private void shift(long timestamp, int instanceId, double delta, String resource, boolean arriving) {
    InstanceLoad l = instances.get(instanceId);
    if (l == null) {
      if (delta > 0) {
        instances.put(instanceId, new InstanceLoad(delta, 0, timestamp, arriving ? Map.of(resource, delta) : Map.of(), 0.0, 1.0, 0));
      }
    } else {
      TreeMap<String, Double> arrivals = new TreeMap<>(l.arrivals());
      if (arriving) {
        arrivals.put(resource, delta);
      } else {
        arrivals.remove(resource);
      }
      instances.put(instanceId, l.withWork(Math.max(0, l.work() + delta), arrivals));
    }
  }

  private double weight(String resource) {
    Double w = weights.get(resource);
    return w == null ? 1 : w;
  }

  /**
   * An instance's load per unit weight: its work over its resources' weights. An instance with no
   * weight yet (empty, or never measured) takes the fleet's reference, so that what moves onto it
   * keeps its estimate.
   */
  private double scale(TypePlan plan, int instanceId, double reference) {
    InstanceView v = plan.instance(instanceId);
    InstanceLoad l = instances.get(instanceId);
    double sum = v == null ? 0 : weightSum(v);
    if (l == null || sum <= 0) {
      return reference;
    }
    return l.work() / sum;
  }

  private double weightSum(InstanceView v) {
    if (weights.isEmpty()) {
      return v.used();
    }
    double sum = 0;
    for (String r : v.resources()) {
      sum += weight(r);
    }
    return sum;
  }

  /** The fleet's work over its weights: the load of a resource of which nothing is known. */
  private double meanScale(TypePlan plan) {
    double work = 0;
    double sum = 0;
    for (InstanceView v : plan.instances().values()) {
      InstanceLoad l = instances.get(v.id());
      if (l != null) {
        work += l.work();
        sum += weightSum(v);
      }
    }
    return sum > 0 ? work / sum : 0;
  }

  /**
   * The estimated load of every resource the plan places, as the rebalancer takes it; a new map.
   * On an instance never measured that nothing moved onto, resources count at the fleet's mean.
   */
  public Map<String, Double> loads(TypePlan plan) {
    HashMap<String, Double> loads = new HashMap<>(plan.resourceCount() * 2);
    double reference = meanScale(plan);
    for (InstanceView v : plan.instances().values()) {
      double scale = scale(plan, v.id(), reference);
      for (String r : v.resources()) {
        loads.put(r, weight(r) * scale);
      }
    }
    return loads;
  }

  /** Sets an instance's state as stored (a restore). */
  public void restoreInstance(int instanceId, InstanceLoad load) {
    instances.put(instanceId, Objects.requireNonNull(load, "load"));
  }

  /** Sets a moved resource's weight as stored (a restore). */
  public void restoreWeight(String resource, double weight) {
    if (!(weight >= 0)) {
      throw new IllegalArgumentException("weight of " + resource + " must not be negative, got " + weight);
    }
    weights.put(Objects.requireNonNull(resource, "resource"), weight);
  }

  /** Every instance's state, by id; unmodifiable and live. */
  public Map<Integer, InstanceLoad> instances() {
    return instancesView;
  }

  /** The weights of resources that moved (the others weigh 1); unmodifiable and live. */
  public Map<String, Double> weights() {
    return weightsView;
  }
}
