package iota.orchestrator.placement;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * A simulated pool for the load loop's tests: true loads per resource, pods measuring idle plus the
 * true load of their resources with seeded jitter (per pod and fleet-wide), and one round of
 * estimate, re-plan and apply as the topology will run it.
 */
final class NoisyFleet {

  static final long ROUND = 15_000;
  static final double IDLE = 50;

  final TypePlan plan;
  final Map<String, Double> truth = new HashMap<>();
  final LoadEstimator estimator;
  final double noise;
  final boolean tolerateNoise;
  final Random rnd;
  long now = 1_000_000;
  int moves;
  List<Move> lastMoves = List.of();

  NoisyFleet(TypePlan plan, long halfLife, double noise, boolean tolerateNoise, long seed) {
    this.plan = plan;
    this.estimator = new LoadEstimator(IDLE, halfLife);
    this.noise = noise;
    this.tolerateNoise = tolerateNoise;
    this.rnd = new Random(seed);
  }

  double trueLoad(InstanceView v) {
    double load = 0;
    for (String r : v.resources()) {
      load += truth.get(r);
    }
    return load;
  }

  /** The true max/mean over the instances. */
  double spread() {
    double max = 0;
    double sum = 0;
    for (InstanceView v : plan.instances().values()) {
      max = Math.max(max, trueLoad(v));
      sum += trueLoad(v);
    }
    return max / (sum / plan.instances().size());
  }

  /** Measures, estimates, re-plans and applies; returns the moves made. */
  List<Move> round() {
    now += ROUND;
    double common = 1 + (rnd.nextDouble() * 2 - 1) * noise;
    Map<Integer, Double> usage = new TreeMap<>();
    for (InstanceView v : plan.instances().values()) {
      usage.put(v.id(), IDLE + trueLoad(v) * common * (1 + (rnd.nextDouble() * 2 - 1) * noise));
    }
    estimator.observe(now, usage);
    double tolerance = tolerateNoise ? LoadRebalancer.noiseTolerance(estimator.noise(ROUND)) : 0;
    LoadPlan result = LoadRebalancer.rebalance(
        plan, estimator.loads(plan), Set.of(), LoadRebalancer.DEFAULT_BAND, LoadRebalancer.BALANCE_MARGIN, tolerance);
    estimator.moved(now, result.moves(), plan);
    plan.applyMoves(result.moves());
    moves += result.moves().size();
    lastMoves = result.moves();
    return result.moves();
  }
}
