package iota.orchestrator.bench;

import iota.orchestrator.placement.InstanceView;
import iota.orchestrator.placement.LoadPlan;
import iota.orchestrator.placement.LoadRebalancer;
import iota.orchestrator.placement.Move;
import iota.orchestrator.placement.SizingException;
import iota.orchestrator.placement.TypePlan;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Assignment;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.StickyAssignor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.coordinator.group.api.assignor.GroupAssignment;
import org.apache.kafka.coordinator.group.api.assignor.GroupSpec;
import org.apache.kafka.coordinator.group.api.assignor.MemberAssignment;
import org.apache.kafka.coordinator.group.api.assignor.MemberSubscription;
import org.apache.kafka.coordinator.group.api.assignor.SubscribedTopicDescriber;
import org.apache.kafka.coordinator.group.api.assignor.SubscriptionType;
import org.apache.kafka.coordinator.group.assignor.UniformAssignor;

/**
 * The planner beside Kafka's own assignors on the same input: keys are the partitions of a few
 * topics, instances are the members of one consumer group, and every scenario starts each of them
 * from the same previous assignment. The peers are kafka-clients' {@link StickyAssignor} and {@link
 * CooperativeStickyAssignor} and the group coordinator's KIP-848 {@link UniformAssignor}, with their
 * own code from Maven Central. Helix's strategies are left out: it would bring its own ZooKeeper
 * client and Jackson into a classpath whose versions are pinned to converge.
 *
 * <p>Only the assignment call is timed: building the peers' subscriptions and the planner's
 * in-memory plan from the previous assignment is the caller's state in both. Rebuilding the
 * planner's plan from its stores is the one scenario that times exactly that, since a Streams task
 * does it at start; the peers have no such step (their assign call reads the assignment each time).
 * Per scenario and assignor it prints the median wall and thread-CPU time, the moves (keys that had
 * an owner and end elsewhere), the fewest moves any balanced assignment needs, the balance (largest
 * minus smallest member load) and the CPU time as a multiple of the fastest peer's.
 * CooperativeSticky's balance is that of its first round: the keys it moves are revoked there and
 * assigned in the follow-up rebalance, which is not measured. Two planner-only lines follow: the
 * load-aware re-plan of the elastic issue on the same keys (time, moves against their lower bound,
 * max/mean load before and after), and the heap the plan retains per placed resource.
 */
public final class PeersBenchmark {

  /** What to measure; the defaults are the sizes (500,000 keys, 100 members). */
  record Config(int topics, int partitionsPerTopic, int members, int warmups, int repetitions) {
    static final Config DEFAULT = new Config(50, 10_000, 100, 1, 5);

    int keys() {
      return topics * partitionsPerTopic;
    }
  }

  /** One assignor's figures in one scenario; times in microseconds, -1 when not measured. */
  record Row(String scenario, String assignor, long wallMicros, long cpuMicros, long moves, long lowerBound, int balance) {}

  static final String PLANNER = "planner";
  private static final long SEED = 13L;

  private PeersBenchmark() {}

  /** Runs every scenario at the sizes and prints one line per scenario and assignor. */
  public static void run(PrintStream out) {
    run(out, Config.DEFAULT);
  }

  static List<Row> run(PrintStream out, Config config) {
    Keys keys = new Keys(config.topics(), config.partitionsPerTopic());
    int n = keys.size();
    int m = config.members();
    int[] balanced = new int[n];
    for (int i = 0; i < n; i++) {
      balanced[i] = i % m;
    }
    int[] none = new int[n];
    Arrays.fill(none, -1);
    int[] random = unevenPlacement(new Random(SEED), n, m);
    List<Row> rows = new ArrayList<>();
    rows.addAll(scenario(out, config, "first assignment", keys, none, m, false));
    // The planner keeps the lowest instance ids, so the member that fails is the last one.
    rows.addAll(scenario(out, config, "one member fails", keys, balanced, m - 1, false));
    rows.addAll(scenario(out, config, "two members added", keys, balanced, m + 2, false));
    rows.addAll(scenario(out, config, "from a random start", keys, random, m, false));
    rows.addAll(scenario(out, config, "one arrival", keys, balanced, m, true));
    rows.add(rebuild(out, config, keys, balanced, m));
    rows.add(loadAware(out, config, keys, balanced, m));
    memory(out, config, keys, balanced, m);
    out.flush();
    return rows;
  }

  /**
   * One scenario for every assignor: {@code before} is the previous owner of each key (-1: none),
   * {@code members} the group afterwards (members {@code 0..members-1}); with {@code arrival}, one
   * key of a new topic joins.
   */
  private static List<Row> scenario(
      PrintStream out, Config config, String name, Keys keys, int[] before, int members, boolean arrival) {
    Keys after = arrival ? keys.withOneMore() : keys;
    int[] prev = Arrays.copyOf(before, after.size());
    if (arrival) {
      prev[after.size() - 1] = -1;
    }
    long bound = lowerBound(prev, members);
    List<Row> rows = new ArrayList<>();
    rows.add(measure(config, name, PLANNER, bound, members, () -> planner(keys, after, before, members, arrival)));
    rows.add(measure(config, name, "Sticky", bound, members, () -> sticky(after, prev, members, false)));
    rows.add(measure(config, name, "CooperativeSticky", bound, members, () -> sticky(after, prev, members, true)));
    rows.add(measure(config, name, "Uniform", bound, members, () -> uniform(after, prev, members)));
    print(out, config, rows);
    return rows;
  }

  /** One timed assignment: prepares untimed, then {@link Prepared#assign} is the timed call. */
  private interface Trial {
    Prepared prepare();
  }

  private interface Prepared {
    /** The timed call. */
    void assign();

    /** The previous owner of each key, for the moves. */
    int[] before();

    /** The owner of each key afterwards, -1 for none. */
    int[] after();
  }

  private static Row measure(Config config, String scenario, String assignor, long bound, int members, Trial trial) {
    long[] wall = new long[config.repetitions()];
    long[] cpu = new long[config.repetitions()];
    Prepared last = null;
    for (int rep = -config.warmups(); rep < config.repetitions(); rep++) {
      Prepared prepared = trial.prepare();
      System.gc();
      long c0 = CpuTime.currentThread();
      long t0 = System.nanoTime();
      prepared.assign();
      long elapsed = System.nanoTime() - t0;
      long used = CpuTime.currentThread() - c0;
      if (rep >= 0) {
        wall[rep] = elapsed / 1_000;
        cpu[rep] = c0 < 0 ? -1 : used / 1_000;
      }
      last = prepared;
    }
    int[] before = last.before();
    int[] after = last.after();
    long moves = 0;
    int[] load = new int[members];
    for (int i = 0; i < after.length; i++) {
      if (before[i] >= 0 && before[i] != after[i]) {
        moves++;
      }
      if (after[i] >= 0) {
        load[after[i]]++;
      }
    }
    int max = Arrays.stream(load).max().orElse(0);
    int min = Arrays.stream(load).min().orElse(0);
    return new Row(scenario, assignor, median(wall), median(cpu), moves, bound, max - min);
  }

  /**
   * The fewest keys that must leave their owner for loads within one: {@code N mod K} members take
   * {@code q + 1}, the rest {@code q}, and it is best to give the larger targets to the members that
   * hold the most; whatever a member holds beyond its target, or a departed member held, moves.
   */
  static long lowerBound(int[] before, int members) {
    int n = before.length;
    int[] held = new int[members];
    long owned = 0;
    for (int owner : before) {
      if (owner >= 0) {
        owned++;
        if (owner < members) {
          held[owner]++;
        }
      }
    }
    Arrays.sort(held);
    int q = n / members;
    int r = n % members;
    long kept = 0;
    for (int i = 0; i < members; i++) {
      int target = i < r ? q + 1 : q;
      kept += Math.min(held[members - 1 - i], target);
    }
    return owned - kept;
  }

  private static void print(PrintStream out, Config config, List<Row> rows) {
    long fastest = rows.stream().filter(r -> !r.assignor().equals(PLANNER)).mapToLong(Row::cpuMicros).min().orElse(-1);
    for (Row row : rows) {
      String ratio = fastest > 0 ? String.format("%.2f", (double) row.cpuMicros() / fastest) : "-";
      out.printf(
          "peers.%s %,d keys / %d members, %s: %s ms (median of %d; thread CPU %s ms; %,d moved, lower bound %,d; balance %d; %sx the fastest peer's CPU)%n",
          row.scenario().replace(' ', '-'), config.keys(), config.members(),
          row.assignor(), millis(row.wallMicros()), config.repetitions(), millis(row.cpuMicros()), row.moves(),
          row.lowerBound(), row.balance(), ratio);
    }
  }

  /** Rebuilding the planner's plan from a stored assignment, as a task does at start. */
  private static Row rebuild(PrintStream out, Config config, Keys keys, int[] before, int members) {
    Row row = measure(config, "rebuild from the stores", PLANNER, 0, members, () -> new Prepared() {
      TypePlan plan;

      @Override
      public void assign() {
        plan = restore(keys, before, members);
      }

      @Override
      public int[] before() {
        return before;
      }

      @Override
      public int[] after() {
        return owners(plan, keys);
      }
    });
    out.printf(
        "peers.rebuild %,d keys / %d members, planner: %s ms (median of %d; thread CPU %s ms; the peers read the assignment inside every assign call)%n",
        config.keys(), config.members(), millis(row.wallMicros()), config.repetitions(), millis(row.cpuMicros()));
    return row;
  }

  static final String LOAD_AWARE = "load-aware re-plan";

  /**
   * The load-aware re-plan of the elastic issue on the same keys, as {@code ElasticBenchmark} times
   * it: the balanced plan with room to move (counts a fifth above the share), loads skewed so that
   * max/mean is about 1.26, and one {@link LoadRebalancer#rebalance} call to the default band timed
   * (it proposes the moves; applying them is not timed). The lower bound is the load outside the band
   * over the heaviest resource's load; the same over the mean resource load, which the elastic
   * benchmark reports, is printed beside it. No peer balances by load, so there is no ratio.
   */
  private static Row loadAware(PrintStream out, Config config, Keys keys, int[] before, int members) {
    TypePlan plan = restore(keys, before, members);
    int room = keys.size() / members + keys.size() / members / 5 + 1;
    for (InstanceView v : List.copyOf(plan.instances().values())) {
      plan.restoreInstance(v.id(), room, v.reload());
    }
    Map<String, Double> loads = ElasticBenchmark.skewedLoads(Arrays.asList(keys.ids), plan, SEED);
    LoadPlan probe = LoadRebalancer.rebalance(plan, loads, Set.of(), LoadRebalancer.DEFAULT_BAND);
    // Any plan moves at least the load outside the band, and no resource carries more than the heaviest.
    double heaviest = loads.values().stream().mapToDouble(Double::doubleValue).max().orElse(1);
    long bound = (long) Math.ceil(ElasticBenchmark.outsideBand(plan, loads, probe) / heaviest);
    double atMean = ElasticBenchmark.movesLowerBound(plan, loads, probe);
    LoadPlan[] result = new LoadPlan[1];
    Row row = measure(config, LOAD_AWARE, PLANNER, bound, members, () -> new Prepared() {
      @Override
      public void assign() {
        result[0] = LoadRebalancer.rebalance(plan, loads, Set.of(), LoadRebalancer.DEFAULT_BAND);
      }

      @Override
      public int[] before() {
        return before;
      }

      @Override
      public int[] after() {
        int[] owner = before.clone();
        for (Move move : result[0].moves()) {
          owner[keys.index.get(move.resource())] = move.to();
        }
        return owner;
      }
    });
    out.printf(Locale.ROOT,
        "peers.load-aware-re-plan %,d keys / %d members, planner: %s ms (median of %d; thread CPU %s ms; %,d moved, lower bound %,d (%,.0f in resources of mean load); max/mean load %.3f -> %.3f, within the %.0f %% band: %s; no peer balances by load)%n",
        config.keys(), config.members(), millis(row.wallMicros()), config.repetitions(), millis(row.cpuMicros()), row.moves(),
        row.lowerBound(), atMean, ElasticBenchmark.maxOverMean(plan, loads), result[0].maxOverMean(), 100 * LoadRebalancer.DEFAULT_BAND,
        result[0].withinBand());
    return row;
  }

  /**
   * The heap the planner's plan retains per placed resource: heap in use after full collections with
   * the plan built, minus the same without it, over the keys. The id Strings are not counted: the
   * caller holds them too (here the benchmark's keys, in a task the records they came from). Measured
   * for the plan rebuilt from the stored assignment (what a task holds after a start) and for the plan
   * a first assignment builds.
   */
  private static void memory(PrintStream out, Config config, Keys keys, int[] before, int members) {
    long rebuilt = retained(() -> restore(keys, before, members));
    Set<String> live = new HashSet<>(Arrays.asList(keys.ids));
    long first = retained(() -> {
      TypePlan plan = new TypePlan(1);
      try {
        plan.orchestrate(live, members, members, keys.size() / Math.max(1, members - 1) + 1);
      } catch (SizingException e) {
        throw new IllegalStateException("benchmark sizing is wrong: " + e.getMessage(), e);
      }
      return plan;
    });
    out.printf(Locale.ROOT,
        "peers.memory %,d keys / %d members, planner: %.1f bytes per placed resource rebuilt from the stores, %.1f after a first assignment (retained heap after full GCs, the id Strings not counted)%n",
        config.keys(), config.members(), (double) rebuilt / keys.size(), (double) first / keys.size());
  }

  /** Heap in use after full collections while the built plan is reachable, minus the heap before it. */
  private static long retained(Supplier<TypePlan> build) {
    long before = heapAfterGc();
    TypePlan plan = build.get();
    long after = heapAfterGc();
    Reference.reachabilityFence(plan);
    return Math.max(0, after - before);
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static Prepared planner(Keys keys, Keys after, int[] before, int members, boolean arrival) {
    int previous = Arrays.stream(before).max().orElse(-1) + 1;
    TypePlan plan = before[0] < 0 ? new TypePlan(1) : restore(keys, before, previous);
    int[] prev = Arrays.copyOf(before, after.size());
    if (arrival) {
      prev[after.size() - 1] = -1;
    }
    Set<String> live = new HashSet<>(Arrays.asList(after.ids));
    int n = after.size();
    // initInstances = maxInstances = members pins the pool; this capacity never asks for more.
    int perInstance = n / Math.max(1, members - 1) + 1;
    String arrived = after.ids[n - 1];
    return new Prepared() {
      @Override
      public void assign() {
        if (arrival) {
          plan.add(arrived);
          return;
        }
        try {
          plan.orchestrate(live, members, members, perInstance);
        } catch (SizingException e) {
          throw new IllegalStateException("benchmark sizing is wrong: " + e.getMessage(), e);
        }
      }

      @Override
      public int[] before() {
        return prev;
      }

      @Override
      public int[] after() {
        return owners(plan, after);
      }
    };
  }

  private static TypePlan restore(Keys keys, int[] owner, int instances) {
    int count = keys.size() / Math.max(1, instances - 1) + 1;
    TypePlan plan = new TypePlan(count);
    for (int i = 0; i < instances; i++) {
      plan.restoreInstance(i, count, 0);
    }
    for (int k = 0; k < owner.length; k++) {
      if (owner[k] >= 0) {
        plan.restorePlacement(keys.ids[k], owner[k]);
      }
    }
    // The plan sorts restored ids into each instance when it is first read; read it here so the
    // rebuild is charged for that and a re-plan after it is not.
    for (InstanceView view : plan.instances().values()) {
      if (view.used() > 0) {
        view.resources().first();
      }
    }
    return plan;
  }

  private static int[] owners(TypePlan plan, Keys keys) {
    int[] owner = new int[keys.size()];
    Arrays.fill(owner, -1);
    for (InstanceView view : plan.instances().values()) {
      for (String id : view.resources()) {
        owner[keys.index.get(id)] = view.id();
      }
    }
    return owner;
  }

  private static Prepared sticky(Keys keys, int[] before, int members, boolean cooperative) {
    List<String> topics = keys.topicNames();
    Map<String, List<TopicPartition>> owned = ownedPartitions(keys, before, members);
    Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    for (Map.Entry<String, List<TopicPartition>> e : owned.entrySet()) {
      String member = e.getKey();
      if (cooperative) {
        subscriptions.put(member, new Subscription(topics, null, e.getValue(), 1, Optional.empty()));
      } else {
        // The eager assignor reads what a member owned from the user data its own instance wrote.
        StickyAssignor own = new StickyAssignor();
        own.onAssignment(new Assignment(e.getValue()), new ConsumerGroupMetadata("peers", 1, member, Optional.empty()));
        ByteBuffer userData = own.subscriptionUserData(new HashSet<>(topics));
        subscriptions.put(member, new Subscription(topics, userData, e.getValue(), 1, Optional.empty()));
      }
    }
    Map<String, Integer> partitionsPerTopic = keys.partitionsPerTopic();
    return new Prepared() {
      Map<String, List<TopicPartition>> result;

      @Override
      public void assign() {
        result = cooperative
            ? new CooperativeStickyAssignor().assign(partitionsPerTopic, subscriptions)
            : new StickyAssignor().assign(partitionsPerTopic, subscriptions);
      }

      @Override
      public int[] before() {
        return before;
      }

      @Override
      public int[] after() {
        int[] owner = new int[keys.size()];
        Arrays.fill(owner, -1);
        result.forEach((member, partitions) -> {
          for (TopicPartition tp : partitions) {
            owner[keys.indexOf(tp.topic(), tp.partition())] = memberIndex(member);
          }
        });
        return owner;
      }
    };
  }

  private static Prepared uniform(Keys keys, int[] before, int members) {
    Map<String, Map<Uuid, Set<Integer>>> current = new LinkedHashMap<>();
    for (int m = 0; m < members; m++) {
      current.put(memberId(m), new HashMap<>());
    }
    for (int k = 0; k < before.length; k++) {
      if (before[k] >= 0 && before[k] < members) {
        current.get(memberId(before[k]))
            .computeIfAbsent(keys.topicIds[keys.topicOf(k)], t -> new HashSet<>())
            .add(keys.partitionOf(k));
      }
    }
    // The coordinator hands the assignor immutable assignments, and the assignor checks it does.
    current.replaceAll((member, partitions) -> {
      Map<Uuid, Set<Integer>> frozen = new HashMap<>();
      partitions.forEach((topic, ids) -> frozen.put(topic, Collections.unmodifiableSet(ids)));
      return Collections.unmodifiableMap(frozen);
    });
    Set<Uuid> subscribed = new HashSet<>(Arrays.asList(keys.topicIds));
    MemberSubscription subscription = new MemberSubscription() {
      @Override
      public Optional<String> rackId() {
        return Optional.empty();
      }

      @Override
      public Optional<String> instanceId() {
        return Optional.empty();
      }

      @Override
      public Set<Uuid> subscribedTopicIds() {
        return subscribed;
      }
    };
    GroupSpec spec = new GroupSpec() {
      @Override
      public Collection<String> memberIds() {
        return current.keySet();
      }

      @Override
      public SubscriptionType subscriptionType() {
        return SubscriptionType.HOMOGENEOUS;
      }

      @Override
      public boolean isPartitionAssigned(Uuid topic, int partition) {
        int owner = before[keys.indexOf(topic, partition)];
        return owner >= 0 && owner < members;
      }

      @Override
      public boolean isPartitionAssignable(Uuid topic, int partition) {
        return true;
      }

      @Override
      public MemberSubscription memberSubscription(String member) {
        return subscription;
      }

      @Override
      public MemberAssignment memberAssignment(String member) {
        Map<Uuid, Set<Integer>> partitions = current.getOrDefault(member, Map.of());
        return () -> partitions;
      }
    };
    SubscribedTopicDescriber topics = new SubscribedTopicDescriber() {
      @Override
      public int numPartitions(Uuid topic) {
        return keys.partitionsOf(topic);
      }

      @Override
      public Set<String> racksForPartition(Uuid topic, int partition) {
        return Set.of();
      }
    };
    return new Prepared() {
      GroupAssignment result;

      @Override
      public void assign() {
        result = new UniformAssignor().assign(spec, topics);
      }

      @Override
      public int[] before() {
        return before;
      }

      @Override
      public int[] after() {
        int[] owner = new int[keys.size()];
        Arrays.fill(owner, -1);
        result.members().forEach((member, assignment) -> assignment.partitions().forEach((topic, partitions) -> {
          for (int p : partitions) {
            owner[keys.indexOf(topic, p)] = memberIndex(member);
          }
        }));
        return owner;
      }
    };
  }

  private static Map<String, List<TopicPartition>> ownedPartitions(Keys keys, int[] before, int members) {
    Map<String, List<TopicPartition>> owned = new LinkedHashMap<>();
    for (int m = 0; m < members; m++) {
      owned.put(memberId(m), new ArrayList<>());
    }
    for (int k = 0; k < before.length; k++) {
      if (before[k] >= 0 && before[k] < members) {
        owned.get(memberId(before[k])).add(new TopicPartition(keys.topicNames[keys.topicOf(k)], keys.partitionOf(k)));
      }
    }
    return owned;
  }

  private static String memberId(int m) {
    return String.format("member-%04d", m);
  }

  private static int memberIndex(String member) {
    return Integer.parseInt(member.substring("member-".length()));
  }

  /**
   * The keys: partition {@code p} of topic {@code t} is key {@code t * perTopic + p}, named {@code
   * topic-t-p} for the planner; a trailing topic of one partition holds the arrival.
   */
  private static final class Keys {
    final String[] topicNames;
    final Uuid[] topicIds;
    final int[] partitions;
    final int[] firstKey;
    final String[] ids;
    final Map<String, Integer> index;
    final Map<Uuid, Integer> topicIndex = new HashMap<>();

    Keys(int topics, int perTopic) {
      this(partitionCounts(topics, perTopic));
    }

    private Keys(int[] partitions) {
      this.partitions = partitions;
      int topics = partitions.length;
      topicNames = new String[topics];
      topicIds = new Uuid[topics];
      firstKey = new int[topics];
      Random rnd = new Random(SEED);
      int total = 0;
      for (int t = 0; t < topics; t++) {
        topicNames[t] = String.format("topic-%03d", t);
        topicIds[t] = new Uuid(rnd.nextLong(), rnd.nextLong());
        topicIndex.put(topicIds[t], t);
        firstKey[t] = total;
        total += partitions[t];
      }
      ids = new String[total];
      index = new HashMap<>(total * 2);
      for (int t = 0; t < topics; t++) {
        for (int p = 0; p < partitions[t]; p++) {
          int k = firstKey[t] + p;
          ids[k] = topicNames[t] + "-" + p;
          index.put(ids[k], k);
        }
      }
    }

    private static int[] partitionCounts(int topics, int perTopic) {
      int[] counts = new int[topics];
      Arrays.fill(counts, perTopic);
      return counts;
    }

    Keys withOneMore() {
      int[] more = Arrays.copyOf(partitions, partitions.length + 1);
      more[partitions.length] = 1;
      return new Keys(more);
    }

    int size() {
      return ids.length;
    }

    int topicOf(int key) {
      int t = Arrays.binarySearch(firstKey, key);
      return t >= 0 ? t : -t - 2;
    }

    int partitionOf(int key) {
      return key - firstKey[topicOf(key)];
    }

    int indexOf(String topic, int partition) {
      return firstKey[Integer.parseInt(topic.substring("topic-".length()))] + partition;
    }

    int indexOf(Uuid topic, int partition) {
      return firstKey[topicIndex.get(topic)] + partition;
    }

    int partitionsOf(Uuid topic) {
      Integer t = topicIndex.get(topic);
      return t == null ? -1 : partitions[t];
    }

    List<String> topicNames() {
      return List.of(topicNames);
    }

    Map<String, Integer> partitionsPerTopic() {
      Map<String, Integer> counts = new HashMap<>();
      for (int t = 0; t < topicNames.length; t++) {
        counts.put(topicNames[t], partitions[t]);
      }
      return counts;
    }
  }

  /** Owner of each key: weights in [0.25, 1.75) so loads differ a lot, as in a drifted plan. */
  private static int[] unevenPlacement(Random rnd, int keys, int members) {
    double[] cumulative = new double[members];
    double sum = 0;
    for (int i = 0; i < members; i++) {
      sum += 0.25 + 1.5 * rnd.nextDouble();
      cumulative[i] = sum;
    }
    int[] at = new int[keys];
    for (int k = 0; k < keys; k++) {
      int i = Arrays.binarySearch(cumulative, rnd.nextDouble() * sum);
      at[k] = Math.min(members - 1, i < 0 ? -i - 1 : i);
    }
    return at;
  }

  private static String millis(long micros) {
    return micros < 0 ? "-" : micros < 10_000 ? String.format("%.2f", micros / 1000.0) : String.format("%,d", micros / 1000);
  }

  private static long median(long[] values) {
    return Arrays.stream(values).anyMatch(v -> v < 0) ? -1 : Percentiles.of(values).median();
  }
}
