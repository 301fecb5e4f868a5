package iota.orchestrator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.api.ApiServer;
import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.embedded.EmbeddedPlatform;
import iota.orchestrator.executor.ZooKeeperPlanReader;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.PlanSnapshot;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.apache.commons.io.FileUtils;

/**
 * Figures at the scale of a fleet (issue 10 §2), each printed next to its target:
 *
 * <ol>
 *   <li><b>Ingest</b>: {@code resources} Things created over MQTT in bulk creates of {@value
 *       #BULK} ids, as the config service publishes them, into {@code embedded} running in a child
 *       JVM; the time from the first publish until every id is in a {@code resources} znode (a
 *       Curator cache on the plan root). Then the child's resident memory (VmRSS) and heap used.
 *   <li><b>Reads at that size</b>: p50/p99 of {@code GET .../Thing/summary} and {@code GET
 *       .../Thing/:id/instances} (random ids), one client, sequential requests.
 *   <li><b>Crash recovery</b>: the child is killed with SIGKILL and started again on the same data
 *       dir and ports. Time to READY; time from READY until a Rule create published right then is
 *       in ZooKeeper; and time until the restored plan equals the one before the kill, both as
 *       ZooKeeper shows it and as the restored stores answer {@code GET .../:resource} (with that one
 *       create taken out).
 *   <li><b>Topology on a real broker</b>: see {@link TopologyThroughput}; once with single {@code c}
 *       events, once with {@code bc} of {@value #BULK}.
 * </ol>
 *
 * The benchmark's own clients (MQTT publisher, ZooKeeper cache, HTTP client) run in this JVM and
 * share the machine's cores with the child.
 */
public final class ScaleBenchmark {
  static final int BULK = 1_000;
  private static final String API = ApiServer.API;

  static final double TARGET_INGEST_S = 60;
  static final double TARGET_READY_S = 15;
  static final double TARGET_FIRST_CHANGE_S = 2;
  static final double TARGET_SUMMARY_MS = 50;
  static final long TARGET_RSS_BYTES = 1536L << 20;
  static final double TARGET_SINGLE_PER_S = 50_000;

  /**
   * What to run.
   *
   * @param resources Things ingested before the kill
   * @param events resources of each topology run (single creates, then bulk creates)
   * @param timeout the longest any one wait may take before the benchmark fails
   */
  public record Settings(int resources, int events, Duration timeout) {
    public static Settings defaults() {
      return new Settings(500_000, 1_000_000, Duration.ofMinutes(10));
    }
  }

  /** Every figure, seconds and milliseconds as printed; {@code planDifferences} empty when restored. */
  public record Result(
      double ingestSeconds, long residentBytes, long heapUsedBytes,
      double summaryP50Ms, double summaryP99Ms, double instancesP50Ms, double instancesP99Ms,
      double readySeconds, double firstChangeSeconds, double zooKeeperRestoredSeconds, double storesRestoredSeconds,
      List<String> planDifferences, int planResources,
      TopologyThroughput.Result single, TopologyThroughput.Result bulk) {}

  private ScaleBenchmark() {}

  public static Result run(PrintStream out, Settings settings) throws Exception {
    Path dir = Files.createTempDirectory("iota-scale-bench-");
    try {
      Platform platform = platform(out, settings, dir);
      TopologyThroughput.Result[] topology = topology(out, settings.events(), settings.timeout(), Map.of(), dir);
      TopologyThroughput.Result single = topology[0];
      TopologyThroughput.Result bulk = topology[1];
      return new Result(platform.ingestSeconds, platform.rss, platform.heap, platform.summary[0], platform.summary[1],
          platform.instances[0], platform.instances[1], platform.readySeconds, platform.firstChangeSeconds,
          platform.zooKeeperRestoredSeconds, platform.storesRestoredSeconds, platform.differences, platform.planResources, single, bulk);
    } finally {
      FileUtils.deleteQuietly(dir.toFile());
    }
  }

  /**
   * The topology's throughput part alone, single then bulk creates, with {@code overrides} on top of
   * the configuration: to weigh one setting without the minutes of the platform phases.
   */
  public static void runTopology(PrintStream out, int events, Map<String, String> overrides) throws Exception {
    Path dir = Files.createTempDirectory("iota-scale-bench-");
    try {
      topology(out, events, Settings.defaults().timeout(), overrides, dir);
    } finally {
      FileUtils.deleteQuietly(dir.toFile());
    }
  }

  private static TopologyThroughput.Result[] topology(PrintStream out, int events, Duration timeout, Map<String, String> overrides, Path dir)
      throws Exception {
    out.printf("scale.topology: producing %,d single creates into iota.cm-notify, then starting the stream app ...%n", events);
    TopologyThroughput.Result single = TopologyThroughput.measure(dir.resolve("topology-single"), events, 1, timeout, overrides);
    TopologyThroughput.describe(single, "scale.topology single creates").forEach(line ->
        out.printf("%s  [target >= %,.0f/s]%n", line, TARGET_SINGLE_PER_S));
    TopologyThroughput.Result bulk = TopologyThroughput.measure(dir.resolve("topology-bulk"), events, BULK, timeout, overrides);
    TopologyThroughput.describe(bulk, "scale.topology bulk creates of " + BULK).forEach(out::println);
    out.flush();
    return new TopologyThroughput.Result[] {single, bulk};
  }

  /** What the phases on the child platform measured. */
  private static final class Platform {
    double ingestSeconds;
    long rss;
    long heap;
    double[] summary;
    double[] instances;
    double readySeconds;
    double firstChangeSeconds;
    double zooKeeperRestoredSeconds;
    double storesRestoredSeconds;
    List<String> differences;
    int planResources;
  }

  private static Platform platform(PrintStream out, Settings settings, Path dir) throws Exception {
    Platform m = new Platform();
    Duration timeout = settings.timeout();
    // The child reads the same environment, so it writes the plan under this root.
    String root = OrchestratorConfig.load(Map.of()).get(ConfigKeys.ZOOKEEPER_ROOT);
    try (ChildPlatform child = new ChildPlatform(dir.resolve("data"), dir.resolve("embedded.log"))) {
      out.printf("scale: starting embedded in a child JVM: %s%n", String.join(" ", child.command()).replace(System.getProperty("java.class.path"), "<classpath>"));
      long t0 = child.start();
      ChildPlatform.Started first = child.awaitReady(timeout);
      EmbeddedPlatform.Ready ready = first.ready();
      out.printf("scale: first start READY in %.1f s%n", (first.nanos() - t0) / 1e9);

      List<String> ids = new ArrayList<>(settings.resources());
      for (int i = 0; i < settings.resources(); i++) {
        ids.add("thing-" + i);
      }
      try (PlanWatcher watcher = new PlanWatcher(ready.zookeeper(), root);
          MqttPublisher publisher = new MqttPublisher(ready.mqtt(), "scale-bench-")) {
        // One Rule before the kill, so the Rule plan exists and the create after the restart changes
        // one instance of it rather than creating the type's automatic plan.
        CountDownLatch rule = watcher.expect(List.of("Rule:rule-0"), new long[1]);
        publisher.create("Rule", "rule-0");
        await(rule, timeout, "the first Rule");
        CountDownLatch placed = watcher.expect(ids.stream().map(id -> "Thing:" + id).toList(), new long[ids.size()]);
        long i0 = System.nanoTime();
        for (int i = 0; i < ids.size(); i += BULK) {
          publisher.bulkCreate("Thing", ids.subList(i, Math.min(ids.size(), i + BULK)));
        }
        await(placed, timeout, settings.resources() + " Things in ZooKeeper");
        m.ingestSeconds = (System.nanoTime() - i0) / 1e9;
      }
      out.printf("scale.ingest: %,d Things (bulk creates of %,d over MQTT) all in ZooKeeper after %.1f s  [target <= %.0f s]%n",
          settings.resources(), BULK, m.ingestSeconds, TARGET_INGEST_S);

      m.rss = child.residentBytes();
      m.heap = heapUsed(ready.http());
      out.printf("scale.memory after ingest: resident %,d MiB, heap used %,d MiB  [target resident <= %,d MiB]%n",
          m.rss >> 20, m.heap >> 20, TARGET_RSS_BYTES >> 20);

      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
      m.summary = latency(http, () -> ready.http() + API + "/Thing/summary", 20, 200, Duration.ofSeconds(15));
      out.printf("scale.api summary at %,d Things: p50 %.1f ms, p99 %.1f ms  [target <= %.0f ms]%n",
          settings.resources(), m.summary[0], m.summary[1], TARGET_SUMMARY_MS);
      m.instances = latency(http, () -> ready.http() + API + "/Thing/" + ids.get(ThreadLocalRandom.current().nextInt(ids.size())) + "/instances",
          200, 2_000, Duration.ofSeconds(15));
      out.printf("scale.api instances at %,d Things: p50 %.1f ms, p99 %.1f ms%n", settings.resources(), m.instances[0], m.instances[1]);

      PlanSnapshot before = settledPlan(ready, root, http, timeout);
      m.planResources = before.resourceCount();
      if (before.resourceCount() != settings.resources() + 1) {
        throw new IllegalStateException("the plan before the kill holds " + before.resourceCount() + " resources, not " + (settings.resources() + 1));
      }

      child.kill();
      String afterKill = "rule-after-kill";
      // The ports stay the same across starts, so ZooKeeper's address is known before READY; its
      // plan is compared from the moment the restart begins, on a thread of its own.
      try (ZooKeeperPlanReader zk = new ZooKeeperPlanReader(ready.zookeeper(), root)) {
        long restart = child.start();
        long deadline = restart + timeout.toNanos();
        AtomicReference<List<String>> zkDifferences = new AtomicReference<>(List.of("not compared"));
        CompletableFuture<Long> zkRestored = async("scale-zookeeper-restored", () -> {
          while (System.nanoTime() < deadline) {
            try {
              List<String> d = withoutCreate(zk.snapshot(), "Rule", afterKill).differences(before, "after", "before");
              zkDifferences.set(d);
              if (d.isEmpty()) {
                return System.nanoTime();
              }
            } catch (Exception e) {
              // ZooKeeper is not up yet
              zkDifferences.set(List.of("ZooKeeper not readable: " + e));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
          }
          throw new IllegalStateException("the ZooKeeper plan did not equal the one before the kill within " + timeout + ": " + zkDifferences.get());
        });
        ChildPlatform.Started again = child.awaitReady(timeout);
        m.readySeconds = (again.nanos() - restart) / 1e9;
        out.printf("scale.restart after kill -9 at %,d Things: READY in %.1f s  [target <= %.0f s]%n", settings.resources(), m.readySeconds, TARGET_READY_S);

        try (MqttPublisher publisher = new MqttPublisher(again.ready().mqtt(), "scale-bench-")) {
          publisher.create("Rule", afterKill);
          CompletableFuture<Long> applied = async("scale-first-change", () -> {
            while (zk.instanceOf("Rule", afterKill) == null) {
              if (System.nanoTime() > deadline) {
                throw new IllegalStateException("a Rule created right after READY was not in ZooKeeper within " + timeout);
              }
              LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            return System.nanoTime();
          });

          // The stores, restored from their changelogs, answer the plan's REST reads.
          List<String> storeDifferences = List.of("not compared");
          double storesRestored = Double.NaN;
          while (System.nanoTime() < deadline && Double.isNaN(storesRestored)) {
            storeDifferences = sorted(withoutCreate(restPlan(http, again.ready().http(), before), "Rule", afterKill))
                .differences(sorted(before), "stores", "ZooKeeper before");
            if (storeDifferences.isEmpty()) {
              storesRestored = (System.nanoTime() - restart) / 1e9;
            } else {
              LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
          }
          m.storesRestoredSeconds = storesRestored;
          m.firstChangeSeconds = (join(applied, deadline, child) - again.nanos()) / 1e9;
          out.printf("scale.restart first change (a Rule create published at READY) in ZooKeeper %.2f s after READY  [target <= %.0f s]%n",
              m.firstChangeSeconds, TARGET_FIRST_CHANGE_S);
          m.zooKeeperRestoredSeconds = (join(zkRestored, deadline, child) - restart) / 1e9;
          m.differences = storeDifferences;
        }
      }
      out.printf("scale.restart plan restored (%,d resources; ZooKeeper after = before plus the one create): ZooKeeper %.1f s, the stores' REST plan %.1f s after the restart%s%n",
          m.planResources, m.zooKeeperRestoredSeconds, m.storesRestoredSeconds,
          m.differences.isEmpty() ? "" : "; NOT equal: " + m.differences.subList(0, Math.min(5, m.differences.size())));
      out.flush();
    }
    return m;
  }

  /**
   * The plan before the kill: once every id is in ZooKeeper, the executor may still be writing the
   * last reload counters, so this waits until ZooKeeper and the stores' REST plan agree.
   */
  private static PlanSnapshot settledPlan(EmbeddedPlatform.Ready ready, String root, HttpClient http, Duration timeout) throws Exception {
    try (ZooKeeperPlanReader zk = new ZooKeeperPlanReader(ready.zookeeper(), root)) {
      long deadline = System.nanoTime() + timeout.toNanos();
      List<String> d;
      do {
        PlanSnapshot plan = zk.snapshot();
        d = sorted(plan).differences(sorted(restPlan(http, ready.http(), plan)), "ZooKeeper", "stores");
        if (d.isEmpty()) {
          return plan;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
      } while (System.nanoTime() < deadline);
      throw new IllegalStateException("ZooKeeper and the stores did not agree within " + timeout + ": " + d.subList(0, Math.min(5, d.size())));
    }
  }

  /** The plan of every type in {@code like}, as {@code GET /v1/api/orchestrations/:resource} answers it. */
  private static PlanSnapshot restPlan(HttpClient http, String base, PlanSnapshot like) throws IOException, InterruptedException {
    PlanSnapshot plan = new PlanSnapshot();
    for (String type : like.types().keySet()) {
      HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + API + "/" + type)).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        // not readable yet (a restore in progress): an empty plan, which differs
        continue;
      }
      Json.tree(r.body()).get("instances").fields().forEachRemaining(e -> {
        JsonNode i = e.getValue();
        List<String> ids = new ArrayList<>();
        i.get("resources").get("ids").forEach(n -> ids.add(n.asText()));
        plan.put(type, Integer.parseInt(e.getKey()),
            new PlanSnapshot.Instance(i.get("data").get("used").asInt(), i.get("data").get("count").asInt(), ids, i.get("_reload").get("times").asLong()));
      });
    }
    return plan;
  }

  /** {@code plan} as it was before one create of {@code id}: the id out, its instance's used and reload one lower. */
  private static PlanSnapshot withoutCreate(PlanSnapshot plan, String type, String id) {
    PlanSnapshot out = new PlanSnapshot();
    plan.types().forEach((t, instances) -> instances.forEach((n, i) -> {
      if (t.equals(type) && i.ids().contains(id)) {
        List<String> ids = new ArrayList<>(i.ids());
        ids.remove(id);
        out.put(t, n, new PlanSnapshot.Instance(i.used() - 1, i.count(), ids, i.reload() - 1));
      } else {
        out.put(t, n, i);
      }
    }));
    return out;
  }

  /** The same plan with each instance's ids sorted: the stores list them in key order, ZooKeeper in the order they came. */
  private static PlanSnapshot sorted(PlanSnapshot plan) {
    PlanSnapshot out = new PlanSnapshot();
    plan.types().forEach((t, instances) -> instances.forEach((n, i) ->
        out.put(t, n, new PlanSnapshot.Instance(i.used(), i.count(), i.ids().stream().sorted().toList(), i.reload()))));
    return out;
  }

  /** Heap used by the child, summed over its heap pools, from its Prometheus endpoint. */
  private static long heapUsed(String base) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    String body = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    double sum = 0;
    for (String line : body.split("\n")) {
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return (long) sum;
  }

  /**
   * p50 and p99 in milliseconds of sequential GETs of {@code url}: {@code warmUp} unmeasured, then
   * {@code n} measured or as many as {@code budget} allows. Every answer must be 200.
   */
  private static double[] latency(HttpClient http, Supplier<String> url, int warmUp, int n, Duration budget)
      throws IOException, InterruptedException {
    Percentiles latencies = new Percentiles();
    long end = System.nanoTime() + budget.toNanos();
    for (int i = 0; i < warmUp + n && (i < warmUp || System.nanoTime() < end || latencies.count() < 10); i++) {
      String u = url.get();
      long t0 = System.nanoTime();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(u)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      long t1 = System.nanoTime();
      if (r.statusCode() != 200) {
        throw new IllegalStateException("GET " + u + ": " + r.statusCode() + " " + r.body());
      }
      if (i >= warmUp) {
        latencies.record(t1 - t0);
      }
    }
    return new double[] {latencies.at(50) / 1e6, latencies.at(99) / 1e6};
  }

  /** Something that throws, run on a daemon thread of its own. */
  private interface Poll {
    long run() throws Exception;
  }

  private static CompletableFuture<Long> async(String name, Poll poll) {
    CompletableFuture<Long> result = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        result.complete(poll.run());
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return result;
  }

  private static long join(CompletableFuture<Long> f, long deadline, ChildPlatform child) throws InterruptedException {
    try {
      return f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException((e instanceof ExecutionException ? e.getCause().getMessage() : "timed out") + "; the log ends:\n" + child.logTail(), e);
    }
  }

  private static void await(CountDownLatch latch, Duration timeout, String what) throws InterruptedException {
    if (!latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(what + ": not there within " + timeout + " (" + latch.getCount() + " missing)");
    }
  }

  /** Arguments, both optional: resources ingested, events per topology run. */
  public static void main(String[] args) throws Exception {
    Settings d = Settings.defaults();
    run(System.out, new Settings(args.length > 0 ? Integer.parseInt(args[0]) : d.resources(),
        args.length > 1 ? Integer.parseInt(args[1]) : d.events(), d.timeout()));
    System.exit(0);
  }
}
