package iota.orchestrator.bench;

import iota.orchestrator.placement.Delta;
import iota.orchestrator.placement.InstanceView;
import iota.orchestrator.placement.Orchestration;
import iota.orchestrator.placement.SizingException;
import iota.orchestrator.placement.TypePlan;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/**
 * Measures the planner at the size the issue sets targets for: re-orchestrating 500,000 resources
 * onto 100 instances (target at most 1 s), incremental add/remove events with 500,000 resources
 * placed (target at least 200,000 events/s), and one bulk create of 1,000,000 ids at capacity 1
 * onto the automatic plan (10 instances growing to the maximum of 100, then beyond their count;
 * and at a maximum of 5, where the byte budget refuses what no instance can take): seconds, not the
 * minutes of a pool that grew without bound, one linear search for a free id per instance.
 *
 * <p>Inputs come from a fixed seed so every run measures the same work. Each figure is the median
 * of several timed repetitions after warm-up repetitions that let the JIT compile the hot paths.
 * Beside the elapsed time, the CPU time of the measuring thread is shown: on a machine shared with
 * other work the elapsed time includes waiting for a core, the CPU time does not.
 * Run it with {@code java -cp target/classes iota.orchestrator.bench.PlannerBenchmark}.
 */
public final class PlannerBenchmark {

  /** What to measure; the defaults are the sizes. */
  record Config(
      int resources, int instances, int startInstances, int warmups, int repetitions, int eventsPerRepetition, int bulk) {
    static final Config DEFAULT = new Config(500_000, 100, 80, 2, 5, 200_000, 1_000_000);
  }

  /** The measured medians; the CPU figures are -1 when the JVM cannot measure thread CPU time. */
  record Figures(
      long orchestrateMillis, long orchestrateCpuMillis, int moved, long eventsPerSecond, long eventsPerCpuSecond,
      long bulkMillis, long bulkAtFiveMillis) {}

  /** The byte budget of the live system's default ({@code iota.assignment.max.bytes}). */
  static final long MAX_BYTES = 900_000;

  private static final long SEED = 42L;

  private PlannerBenchmark() {}

  /** {@code bulk} as the only argument measures just the bulk create. */
  public static void main(String[] args) {
    if (args.length == 1 && args[0].equals("bulk")) {
      Config c = Config.DEFAULT;
      measureBulk(System.out, c, c.instances());
      measureBulk(System.out, c, 5);
      return;
    }
    run(System.out);
  }

  /** Runs both measurements at the sizes and prints one line for each. */
  public static void run(PrintStream out) {
    run(out, Config.DEFAULT);
  }

  static Figures run(PrintStream out, Config config) {
    Random rnd = new Random(SEED);
    String[] ids = randomIds(rnd, config.resources());
    long[] orchestrate = measureOrchestrate(config, ids, rnd);
    out.printf(
        "planner.orchestrate %d resources / %d instances: %d ms (median of %d; thread CPU %d ms; %,d moved)%n",
        config.resources(), config.instances(), orchestrate[0], config.repetitions(), orchestrate[1], orchestrate[2]);
    long[] incremental = measureIncremental(config, ids, rnd);
    out.printf(
        "planner.incremental: %,d events/s (median of %d x %,d add/remove events at %,d resources; thread CPU %,d events/s)%n",
        incremental[0], config.repetitions(), config.eventsPerRepetition(), config.resources(), incremental[1]);
    long bulk = measureBulk(out, config, config.instances());
    long bulkAtFive = measureBulk(out, config, 5);
    out.flush();
    return new Figures(orchestrate[0], orchestrate[1], (int) orchestrate[2], incremental[0], incremental[1], bulk, bulkAtFive);
  }

  /**
   * One bulk create of {@code config.bulk()} ids onto the automatic plan of 10 instances of capacity
   * 1, growing to {@code max}; returns the median ms and prints a line with the pool and the
   * resources placed beyond capacity or refused.
   */
  static long measureBulk(PrintStream out, Config config, int max) {
    List<String> ids = new ArrayList<>(config.bulk());
    for (int i = 0; i < config.bulk(); i++) {
      ids.add("thing-" + i);
    }
    long[] millis = new long[config.repetitions()];
    long[] cpuMillis = new long[config.repetitions()];
    TypePlan plan = null;
    Delta delta = null;
    for (int rep = -config.warmups(); rep < config.repetitions(); rep++) {
      plan = new TypePlan(1, max, MAX_BYTES);
      plan.createInstances(Math.min(10, max), 1);
      settle();
      long c0 = CpuTime.currentThread();
      long t0 = System.nanoTime();
      delta = plan.addAll(ids);
      long elapsed = System.nanoTime() - t0;
      long cpu = CpuTime.currentThread() - c0;
      if (rep >= 0) {
        millis[rep] = elapsed / 1_000_000;
        cpuMillis[rep] = c0 < 0 ? -1 : cpu / 1_000_000;
      }
    }
    if (plan.instances().size() != max || plan.resourceCount() + delta.refused().size() != config.bulk()) {
      throw new IllegalStateException("bulk placed " + plan.resourceCount() + " on " + plan.instances().size() + " instances");
    }
    out.printf(
        "planner.bulk 'bc' of %,d at capacity 1, max %d instances: %,d ms (median of %d; thread CPU %,d ms; %,d beyond capacity, %,d refused by the byte budget)%n",
        config.bulk(), max, median(millis), config.repetitions(), median(cpuMillis), plan.beyondCapacity(), delta.refused().size());
    return median(millis);
  }

  /** Returns {median ms, median thread CPU ms, resources moved}. */
  private static long[] measureOrchestrate(Config config, String[] ids, Random rnd) {
    int[] start = unevenPlacement(rnd, ids.length, config.startInstances());
    Set<String> live = new HashSet<>(Arrays.asList(ids));
    // initInstances = maxInstances = instances pins the pool size; this capacity is large enough
    // that the formula never asks for more instances than that.
    int perInstance = Math.max(1, config.resources() / Math.max(1, config.instances() - 1) + 1);
    long[] millis = new long[config.repetitions()];
    long[] cpuMillis = new long[config.repetitions()];
    int moved = 0;
    for (int rep = -config.warmups(); rep < config.repetitions(); rep++) {
      TypePlan plan = restore(ids, start, config.startInstances(), perInstance);
      settle();
      long c0 = CpuTime.currentThread();
      long t0 = System.nanoTime();
      Orchestration o;
      try {
        o = plan.orchestrate(live, config.instances(), config.instances(), perInstance);
      } catch (SizingException e) {
        throw new IllegalStateException("benchmark sizing is wrong: " + e.getMessage(), e);
      }
      long elapsed = System.nanoTime() - t0;
      long cpu = CpuTime.currentThread() - c0;
      if (o.report().instances() != config.instances()) {
        throw new IllegalStateException("benchmark sized " + o.report().instances() + " instances");
      }
      if (rep >= 0) {
        millis[rep] = elapsed / 1_000_000;
        cpuMillis[rep] = c0 < 0 ? -1 : cpu / 1_000_000;
        moved = o.report().moved();
      }
    }
    return new long[] {median(millis), median(cpuMillis), moved};
  }

  /**
   * Events per second of a random mix of adds of new resources and removes of placed ones, in equal
   * proportion so the plan stays at its size. Events are generated before timing so only the
   * planner is measured. Returns {median events/s, median events per thread-CPU second}.
   */
  private static long[] measureIncremental(Config config, String[] ids, Random rnd) {
    TypePlan plan = new TypePlan(1, config.instances(), MAX_BYTES);
    int perInstance = ids.length / config.instances() + 1;
    plan.createInstances(config.instances(), perInstance);
    for (String id : ids) {
      plan.add(id);
    }
    int total = (config.warmups() + config.repetitions()) * config.eventsPerRepetition();
    String[] events = new String[total];
    boolean[] adds = new boolean[total];
    List<String> placed = new ArrayList<>(Arrays.asList(ids));
    long fresh = 0;
    for (int i = 0; i < total; i++) {
      if (placed.isEmpty() || rnd.nextBoolean()) {
        events[i] = "new-" + fresh++;
        adds[i] = true;
        placed.add(events[i]);
      } else {
        int at = rnd.nextInt(placed.size());
        events[i] = placed.get(at);
        placed.set(at, placed.get(placed.size() - 1));
        placed.remove(placed.size() - 1);
      }
    }
    settle();
    long[] rates = new long[config.repetitions()];
    long[] cpuRates = new long[config.repetitions()];
    long changed = 0;
    int next = 0;
    for (int rep = -config.warmups(); rep < config.repetitions(); rep++) {
      long c0 = CpuTime.currentThread();
      long t0 = System.nanoTime();
      for (int i = 0; i < config.eventsPerRepetition(); i++, next++) {
        Delta d = adds[next] ? plan.add(events[next]) : plan.remove(events[next]);
        changed += d.changed().size();
      }
      long elapsed = Math.max(1, System.nanoTime() - t0);
      long cpu = Math.max(1, CpuTime.currentThread() - c0);
      if (rep >= 0) {
        rates[rep] = config.eventsPerRepetition() * 1_000_000_000L / elapsed;
        cpuRates[rep] = c0 < 0 ? -1 : config.eventsPerRepetition() * 1_000_000_000L / cpu;
      }
    }
    // Every event touches exactly one instance; a mismatch means the loop measured the wrong thing.
    if (changed != total) {
      throw new IllegalStateException("expected " + total + " changed instances, got " + changed);
    }
    return new long[] {median(rates), median(cpuRates)};
  }

  /** Random UUID-shaped ids like the platform's, from the seeded source. */
  private static String[] randomIds(Random rnd, int n) {
    String[] ids = new String[n];
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < n; i++) {
      String id;
      do {
        id = new UUID(rnd.nextLong(), rnd.nextLong()).toString();
      } while (!seen.add(id));
      ids[i] = id;
    }
    return ids;
  }

  /** Instance of each resource: weights in [0.25, 1.75) so loads differ a lot, as in a drifted plan. */
  private static int[] unevenPlacement(Random rnd, int resources, int instances) {
    double[] cumulative = new double[instances];
    double sum = 0;
    for (int i = 0; i < instances; i++) {
      sum += 0.25 + 1.5 * rnd.nextDouble();
      cumulative[i] = sum;
    }
    int[] at = new int[resources];
    for (int r = 0; r < resources; r++) {
      int i = Arrays.binarySearch(cumulative, rnd.nextDouble() * sum);
      at[r] = Math.min(instances - 1, i < 0 ? -i - 1 : i);
    }
    return at;
  }

  private static TypePlan restore(String[] ids, int[] at, int instances, int count) {
    TypePlan plan = new TypePlan(count, instances, MAX_BYTES);
    for (int i = 0; i < instances; i++) {
      plan.restoreInstance(i, count, 0);
    }
    for (int r = 0; r < ids.length; r++) {
      plan.restorePlacement(ids[r], at[r]);
    }
    // Restored ids are sorted into their instance when it is first read: read each one here, so the
    // timed re-orchestration is not charged for the rebuild.
    for (InstanceView view : plan.instances().values()) {
      if (view.used() > 0) {
        view.resources().first();
      }
    }
    return plan;
  }

  /**
   * Collects the garbage of the previous repetition before timing the next one, so a repetition is
   * not charged for collecting the 500,000-resource plans built before it.
   */
  private static void settle() {
    System.gc();
  }

  /** The median of the timed repetitions; -1 when they are CPU times the JVM could not measure. */
  private static long median(long[] values) {
    return Arrays.stream(values).anyMatch(v -> v < 0) ? -1 : Percentiles.of(values).median();
  }
}
