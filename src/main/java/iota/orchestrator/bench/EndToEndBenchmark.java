package iota.orchestrator.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import iota.orchestrator.admin.TopicReader;
import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.embedded.EmbeddedPlatform;
import iota.orchestrator.topics.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.ToDoubleFunction;
import org.apache.commons.io.FileUtils;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.LoggerFactory;

/**
 * Measures the whole path a change takes — MQTT publish, the Kafka Connect bridge, the topology,
 * the assignments topic, the executor, ZooKeeper — on an {@link EmbeddedPlatform} in a temporary
 * directory (simulated workers on, default heartbeat timeout, default sizing).
 *
 * <ul>
 *   <li><b>Latency</b>: creates published at a fixed rate over MQTT QoS 1; for each id, the time from
 *       its publish to the moment it first shows up in a {@code resources} znode, seen through a
 *       Curator {@link CuratorCache} on the plan root. Reported as p50, p99 and max.
 *   <li><b>Throughput</b>: a batch published as fast as the broker acknowledges it; the rate is the
 *       number of resources divided by the time from the first publish until the last one is in
 *       ZooKeeper. Once with one create per message, once with bulk creates of 100 ids.
 * </ul>
 *
 * The watcher runs in the same JVM as the platform and shares its cores, so the figures include
 * its cost. Resource ids are distinct per phase, and each phase uses a resource type's plan as the
 * previous phases left it (the latency phase fills Thing, single creates go to Rule, bulk creates
 * to Thing again).
 */
public final class EndToEndBenchmark {
  private static final Duration SETTLE_TIMEOUT = Duration.ofMinutes(3);
  /** Resources the warm-up creates before it deletes them again in one message. */
  private static final int CHURN_BATCH = 5_000;

  /**
   * What to run.
   *
   * @param rate events per second of the latency phase
   * @param latencyRun how long the latency phase publishes
   * @param singleCreates resources of the single-create throughput phase
   * @param bulkCreates resources of the bulk-create throughput phase, published 100 per message
   * @param warmUp how long to publish at {@code rate} before anything else, so that the figures are
   *     those of a JVM whose hot paths are compiled: the platform's many components keep the JIT
   *     compilers busy (half of the two cores) for well over a minute after start. Thing resources
   *     are created and deleted again in bulk, {@value #CHURN_BATCH} at a time, so the warm-up leaves
   *     the plan as it found it
   * @param fill how long to create Thing resources at {@code rate} right before the latency phase,
   *     which then continues that type from {@code rate × fill} resources
   */
  public record Settings(int rate, Duration latencyRun, int singleCreates, int bulkCreates, Duration warmUp, Duration fill) {
    public static Settings defaults() {
      return new Settings(1_000, Duration.ofSeconds(20), 20_000, 50_000, Duration.ofSeconds(100), Duration.ofSeconds(20));
    }
  }

  /** Latency percentiles in milliseconds and throughputs in resources per second. */
  public record Result(double p50Ms, double p99Ms, double maxMs, int latencyEvents, int missing, double singleRate, double bulkRate) {}

  private EndToEndBenchmark() {}

  /** Arguments, all optional: rate (events/s), latency seconds, single creates, bulk creates, warm-up seconds, fill seconds. */
  public static void main(String[] args) {
    Settings d = Settings.defaults();
    Settings s = new Settings(
        args.length > 0 ? Integer.parseInt(args[0]) : d.rate(),
        args.length > 1 ? Duration.ofSeconds(Long.parseLong(args[1])) : d.latencyRun(),
        args.length > 2 ? Integer.parseInt(args[2]) : d.singleCreates(),
        args.length > 3 ? Integer.parseInt(args[3]) : d.bulkCreates(),
        args.length > 4 ? Duration.ofSeconds(Long.parseLong(args[4])) : d.warmUp(),
        args.length > 5 ? Duration.ofSeconds(Long.parseLong(args[5])) : d.fill());
    run(System.out, s);
  }

  /** Runs every phase with {@code settings} and prints one line per figure to {@code out}. */
  public static void run(PrintStream out, Settings settings) {
    measure(out, settings);
  }

  /** As {@link #run}, returning the figures too. */
  public static Result measure(PrintStream out, Settings settings) {
    quietLogs();
    Path dir;
    try {
      dir = Files.createTempDirectory("iota-e2e-bench-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.printf("starting the embedded platform in %s ...%n", dir);
    try (EmbeddedPlatform platform = EmbeddedPlatform.start(EmbeddedPlatform.Options.defaults(dir), OrchestratorConfig.load(Map.of()));
        PlanWatcher watcher = new PlanWatcher(platform.ready().zookeeper(), platform.config().get(ConfigKeys.ZOOKEEPER_ROOT));
        MqttPublisher publisher = new MqttPublisher(platform.ready().mqtt(), "e2e-bench-")) {
      out.printf("platform up; warming up ...%n");
      warmUp(publisher, watcher);
      if (!settings.warmUp().isZero()) {
        out.printf("warming up at %,d events/s for %d s (creates, then bulk deletes) ...%n", settings.rate(), settings.warmUp().toSeconds());
        churn(publisher, settings.rate(), settings.warmUp());
      }
      if (!settings.fill().isZero()) {
        out.printf("filling Thing at %,d events/s for %d s ...%n", settings.rate(), settings.fill().toSeconds());
        latency(publisher, watcher, "fill-", settings.rate(), settings.fill());
      }

      Map<String, Double> commitsBefore = commitMetrics(platform.streams().streams());
      Map<String, Long> threadsBefore = CpuTime.byThreadKind();
      long cpuBefore = CpuTime.process();
      long wallBefore = System.nanoTime();
      Latency latency = latency(publisher, watcher, "lat-", settings.rate(), settings.latencyRun());
      double cores = (CpuTime.process() - cpuBefore) / (double) (System.nanoTime() - wallBefore);
      out.printf("e2e.latency at %,d events/s: p50 %.0f ms, p99 %.0f ms, max %.0f ms (%,d events%s; the JVM used %.2f of %d cores)%n",
          settings.rate(), latency.p50, latency.p99, latency.max, latency.events,
          latency.missing == 0 ? "" : ", " + latency.missing + " NOT in ZooKeeper after " + SETTLE_TIMEOUT.toSeconds() + " s",
          cores, Runtime.getRuntime().availableProcessors());

      long latencyWall = System.nanoTime() - wallBefore;
      out.println(threadShares(threadsBefore, CpuTime.byThreadKind(), latencyWall));
      out.println(commits(commitsBefore, commitMetrics(platform.streams().streams()), latencyWall));
      out.println(stages(platform.ready().kafka(), watcher, latency.events));

      double single = throughput(publisher, watcher, "Rule", "single", settings.singleCreates(), 1);
      out.printf("e2e.throughput single creates: %,.0f resources/s (%,d resources, one per message)%n", single, settings.singleCreates());
      double bulk = throughput(publisher, watcher, "Thing", "bulk", settings.bulkCreates(), 100);
      out.printf("e2e.throughput bulk creates: %,.0f resources/s (%,d resources, 100 per message)%n", bulk, settings.bulkCreates());
      out.flush();
      return new Result(latency.p50, latency.p99, latency.max, latency.events, latency.missing, single, bulk);
    } finally {
      FileUtils.deleteQuietly(dir.toFile());
    }
  }

  /** The thread kinds that used the most CPU between two {@link CpuTime#byThreadKind} snapshots, in cores. */
  private static String threadShares(Map<String, Long> before, Map<String, Long> after, long wallNanos) {
    StringBuilder line = new StringBuilder("e2e.cpu by thread (cores):");
    after.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(12)
        .forEach(e -> line.append(String.format("%n  %.2f %s", e.getValue() / (double) wallNanos, e.getKey())));
    return line.toString();
  }

  /** The platform's first events create the automatic plans and JIT-compile the paths. */
  private static void warmUp(MqttPublisher publisher, PlanWatcher watcher) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      ids.add("warm-" + i);
    }
    for (String type : List.of("Thing", "Rule")) {
      CountDownLatch done = watcher.expect(ids.stream().map(id -> type + ":" + id).toList(), new long[ids.size()]);
      for (String id : ids) {
        publisher.create(type, id);
      }
      await(done, "warm-up of " + type);
    }
  }

  /**
   * Publishes at {@code rate} for {@code run}: creates of fresh Thing ids, and after every {@value
   * #CHURN_BATCH} of them one bulk delete of that batch, so the type ends where it began.
   */
  private static void churn(MqttPublisher publisher, int rate, Duration run) {
    List<String> batch = new ArrayList<>(CHURN_BATCH);
    paced(rate, rate * run.toMillis() / 1000, i -> {
      if (batch.size() == CHURN_BATCH) {
        publisher.bulkDelete("Thing", batch);
        batch.clear();
      } else {
        String id = "churn-" + i;
        publisher.create("Thing", id);
        batch.add(id);
      }
    });
    if (!batch.isEmpty()) {
      publisher.bulkDelete("Thing", batch);
    }
  }

  /** Runs {@code event} for i = 0 .. n-1, the i-th at i / rate seconds after the start. */
  private static void paced(int rate, long n, LongConsumer event) {
    long start = System.nanoTime();
    long period = 1_000_000_000L / rate;
    for (long i = 0; i < n; i++) {
      long wait = start + i * period - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      event.accept(i);
    }
  }

  private record Latency(double p50, double p99, double max, int events, int missing) {}

  private static Latency latency(MqttPublisher publisher, PlanWatcher watcher, String prefix, int rate, Duration run) {
    int n = (int) (rate * run.toMillis() / 1000);
    List<String> keys = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      keys.add("Thing:" + prefix + i);
    }
    long[] latencies = new long[n];
    Arrays.fill(latencies, -1);
    CountDownLatch done = watcher.expect(keys, latencies);
    paced(rate, n, i -> {
      watcher.published((int) i, System.nanoTime(), System.currentTimeMillis());
      publisher.create("Thing", prefix + i);
    });
    boolean complete = awaitQuietly(done);
    Percentiles seen = Percentiles.of(Arrays.stream(latencies).filter(l -> l >= 0).toArray());
    int missing = complete ? 0 : n - (int) seen.count();
    if (seen.count() == 0) {
      return new Latency(Double.NaN, Double.NaN, Double.NaN, n, missing);
    }
    return new Latency(ms(seen.at(50)), ms(seen.at(99)), ms(seen.max()), n, missing);
  }

  /**
   * Where the latency phase's time went, from record timestamps: publish → record in {@code
   * iota.cm-notify} (the bridge's producer stamps it), → first assignment carrying the id (the
   * topology stamps its flush time), → id seen in ZooKeeper (commit, executor poll, ZooKeeper write,
   * watch). Medians over the ids seen; millisecond wall clocks of one JVM.
   */
  private static String stages(String bootstrap, PlanWatcher watcher, int n) {
    long[] bridged = new long[n];
    long[] flushed = new long[n];
    TopicReader.readCommitted(bootstrap, Topics.CM_NOTIFY.name(), r -> strings(r.value()).forEach(id -> {
      int i = latencyIndex(id);
      if (i >= 0 && i < n && bridged[i] == 0) {
        bridged[i] = r.timestamp();
      }
    }));
    TopicReader.readCommitted(bootstrap, Topics.ASSIGNMENTS.name(), r -> {
      if (r.key() != null && r.key().startsWith("Thing/")) {
        strings(r.value()).forEach(id -> {
          int i = latencyIndex(id);
          if (i >= 0 && i < n && flushed[i] == 0) {
            flushed[i] = r.timestamp();
          }
        });
      }
    });
    List<Long> bridge = new ArrayList<>();
    List<Long> topology = new ArrayList<>();
    List<Long> executor = new ArrayList<>();
    List<Long> watch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long published = watcher.publishedWall.get(i);
      long seen = watcher.seenWall[i];
      long written = watcher.writtenWall[i];
      if (published > 0 && seen > 0 && bridged[i] > 0 && flushed[i] > 0) {
        bridge.add(bridged[i] - published);
        topology.add(flushed[i] - bridged[i]);
        executor.add(written - flushed[i]);
        watch.add(seen - written);
      }
    }
    return String.format("e2e.stages p50/p99 (ms): MQTT->Kafka %s, Kafka->assignment flushed %s, flushed->znode written %s, written->watcher saw it %s (%,d ids)",
        p50p99(bridge), p50p99(topology), p50p99(executor), p50p99(watch), bridge.size());
  }

  /**
   * The stream thread's commits (each a transaction under exactly-once) and the producer's time in
   * the three blocking steps of each: flushing the batch, adding the consumed offsets, committing.
   */
  private static Map<String, Double> commitMetrics(KafkaStreams streams) {
    Map<String, Double> totals = new HashMap<>();
    streams.metrics().forEach((name, metric) -> {
      boolean wanted = switch (name.name()) {
        case "commit-total" -> name.group().equals("stream-thread-metrics");
        case "flush-time-ns-total", "txn-send-offsets-time-ns-total", "txn-commit-time-ns-total" -> name.group().equals("producer-metrics");
        default -> false;
      };
      if (wanted && metric.metricValue() instanceof Number value) {
        totals.merge(name.name(), value.doubleValue(), Double::sum);
      }
    });
    return totals;
  }

  private static String commits(Map<String, Double> before, Map<String, Double> after, long wallNanos) {
    ToDoubleFunction<String> delta = k -> after.getOrDefault(k, 0.0) - before.getOrDefault(k, 0.0);
    double commits = delta.applyAsDouble("commit-total");
    if (commits <= 0) {
      return "e2e.commits: none";
    }
    return String.format("e2e.commits: %,.0f (one per %.0f ms); each blocked the stream thread: flush %.1f ms, send offsets %.1f ms, commit %.1f ms",
        commits, wallNanos / 1e6 / commits,
        delta.applyAsDouble("flush-time-ns-total") / 1e6 / commits,
        delta.applyAsDouble("txn-send-offsets-time-ns-total") / 1e6 / commits,
        delta.applyAsDouble("txn-commit-time-ns-total") / 1e6 / commits);
  }

  private static String p50p99(List<Long> values) {
    if (values.isEmpty()) {
      return "n/a";
    }
    // Two millisecond clock readings taken in different threads can put a stage at -1 ms: it is 0.
    Percentiles p = Percentiles.of(values.stream().mapToLong(v -> Math.max(0, v)).toArray());
    return p.at(50) + "/" + p.at(99);
  }

  private static int latencyIndex(String id) {
    if (!id.startsWith("lat-")) {
      return -1;
    }
    try {
      return Integer.parseInt(id.substring(4));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Every string in a JSON value; none in a tombstone. */
  private static List<String> strings(byte[] json) {
    List<String> out = new ArrayList<>();
    if (json == null) {
      return out;
    }
    try (JsonParser p = PlanWatcher.JSON.createParser(json)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t == JsonToken.VALUE_STRING) {
          out.add(p.getText());
        }
      }
    } catch (IOException e) {
      // not JSON: no ids in it
    }
    return out;
  }

  private static double throughput(MqttPublisher publisher, PlanWatcher watcher, String type, String prefix, int n, int perMessage) {
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(prefix + "-" + i);
    }
    CountDownLatch done = watcher.expect(ids.stream().map(id -> type + ":" + id).toList(), new long[n]);
    long start = System.nanoTime();
    if (perMessage == 1) {
      ids.forEach(id -> publisher.create(type, id));
    } else {
      for (int i = 0; i < n; i += perMessage) {
        publisher.bulkCreate(type, ids.subList(i, Math.min(n, i + perMessage)));
      }
    }
    await(done, type + " " + prefix + " creates");
    return n / ((System.nanoTime() - start) / 1e9);
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static void await(CountDownLatch done, String what) {
    if (!awaitQuietly(done)) {
      throw new IllegalStateException(what + ": not all resources reached ZooKeeper within " + SETTLE_TIMEOUT);
    }
  }

  private static boolean awaitQuietly(CountDownLatch done) {
    try {
      return done.await(SETTLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * The executor logs every applied znode state at INFO; thousands of lines a second on the
   * console would be measured as if they were the system's work, so the benchmark keeps our loggers
   * at WARN unless {@code IOTA_LOG_LEVEL} asks otherwise.
   */
  private static void quietLogs() {
    if (System.getenv("IOTA_LOG_LEVEL") == null
        && LoggerFactory.getLogger("iota.orchestrator") instanceof ch.qos.logback.classic.Logger logger) {
      logger.setLevel(ch.qos.logback.classic.Level.WARN);
    }
  }
}
