package iota.orchestrator.e2e;

import static iota.orchestrator.e2e.E2e.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.IntegrationTest;
import iota.orchestrator.PlacedIds;
import iota.orchestrator.autoscale.ScalingReport;
import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.embedded.EmbeddedPlatform;
import iota.orchestrator.embedded.SimulatedKubernetes;
import iota.orchestrator.executor.PodTemplates;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.PlanSnapshot;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.awaitility.core.ConditionTimeoutException;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 12 §6 end to end through the real metrics path: the SIMULATED metrics.k8s.io of embedded
 * is sampled by the executor's poller, the topology autoscales and rebalances Things by load, and
 * the executor writes the moves make-before-break. One platform for the class; the tests run in
 * order because each starts from the pool the one before left.
 *
 * <p>Sizing: 400 Things on 3 pods (request 250m, idle 50m). At 2.25m a Thing the pods use 350m,
 * 140 % of requests, twice the 70 % target; HPA's rule then asks for 6, where the idle base leaves
 * 80 % (outside the 10 % tolerance), and 7, where 71 % is inside it: the pool settles at 7.
 */
@IntegrationTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ElasticEndToEndTest {
  private static final String THING = "Thing";
  private static final int THINGS = 400;
  private static final Duration INTERVAL = Duration.ofSeconds(1);
  private static final double TARGET_CPU = 0.70;
  private static final double TOLERANCE = 0.10;

  private static E2ePlatform platform;
  private static PlacedIds placed;
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void startPlatform() throws Exception {
    platform = E2ePlatform.start(EmbeddedPlatform.Options.defaults(E2e.dataDir("elastic")), Map.of(
        ConfigKeys.METRICS_INTERVAL.name(), INTERVAL.toMillis() + "ms",
        ConfigKeys.METRICS_WARMUP.of(THING).name(), "3s",
        ConfigKeys.SCALE_DOWN_STABILIZATION.of(THING).name(), "4s"));
    placed = new PlacedIds(platform.zookeeper.client(), ZKPaths.makePath(platform.root(), THING));
    platform.feed.bulkCreate(THING, E2e.ids("elastic", THINGS));
    await().until(() -> placedExactlyOnce(pool()));
    // The warm-up has ended once a round's utilization counts the pods.
    await().until(() -> scaling().utilization().cpu() != null);
  }

  @AfterAll
  static void stopPlatform() throws Exception {
    try {
      if (placed != null) {
        placed.close();
      }
    } finally {
      if (platform != null) {
        platform.close();
      }
    }
  }

  @AfterEach
  void noPlacedIdWasEverOnNoInstance() {
    assertEquals(List.of(), placed.missing(), "ids on no instance while the plan changed");
  }

  @Test
  @Order(1)
  void twiceTheTargetGrowsThePoolWithinTwoRoundsAndSpreadsTheLoad() throws Exception {
    long raisedAt = System.currentTimeMillis();
    setLoad("/" + THING, 2.25);

    ScalingReport.Event up = await().until(() -> firstEvent(ScalingReport.Kind.SCALE_UP, raisedAt), e -> e != null);
    ScalingReport report = scaling();
    long roundsBefore = report.history().stream().filter(p -> p.at() > raisedAt && p.at() <= up.at()).count();
    assertTrue(roundsBefore <= 2, "scale-up in round " + roundsBefore + " after the load was raised: " + up);
    assertEquals(3, up.from(), up.toString());
    assertTrue(up.to() >= 6, up.toString());

    // The plan grows to 7 (see the class comment) and every instance, old and new, serves Things.
    await().until(() -> {
      Map<Integer, PlanSnapshot.Instance> pool = pool();
      return pool.size() == 7 && pool.values().stream().allMatch(i -> !i.ids().isEmpty())
          && placedExactlyOnce(pool);
    });
    assertTrue(scaling().events().stream().anyMatch(e -> e.kind() == ScalingReport.Kind.REBALANCE && e.moved() > 0),
        "the new instances got resources by a load rebalance");

    ScalingReport settled = await().until(ElasticEndToEndTest::scaling, r -> r.instances().size() == 7 && measuredInBand(r));
    double mean = meanCpu(settled);
    assertTrue(mean <= TARGET_CPU * (1 + TOLERANCE), "mean utilization " + mean + " above the target's tolerance");
  }

  @Test
  @Order(2)
  void aHotThingMakesItsInstanceShedOthers() throws Exception {
    String hot = "elastic-7";
    Map<Integer, PlanSnapshot.Instance> start = pool();
    long hotAt = System.currentTimeMillis();
    setLoad("/" + THING + "/" + hot, 60);

    // A pod is measured, not a Thing: the hot Thing's load is learnt when it moves (its new pod's
    // surprise goes to it) or from its pod's share, so it may hop once or twice before its load is
    // known (seen: 5 -> 6 -> 0, then 0 kept it and shed 59 -> 39 Things); before the estimator took
    // a move's surprise it circulated 5 -> 6 -> 1 -> 5 ... What is deterministic: every instance it
    // passes through sheds others, so those end with fewer Things than when it turned hot, and
    // clearly below the mean (57 Things).
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    Set<Integer> holders = new HashSet<>();
    try {
      await().until(() -> {
        Map<Integer, PlanSnapshot.Instance> pool = pool();
        Integer holder = holderOf(pool, hot);
        double mean = pool.values().stream().mapToInt(i -> i.ids().size()).average().orElseThrow();
        String now = holder == null ? "moving" : holder + "=" + pool.get(holder).ids().size();
        if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(now)) {
          seen.add(now);
        }
        if (holder == null || !placedExactlyOnce(pool)) {
          return false;
        }
        holders.add(holder);
        double held = holders.stream().mapToInt(h -> pool.get(h).ids().size()).average().orElseThrow();
        int shed = holders.stream().mapToInt(h -> start.get(h).ids().size() - pool.get(h).ids().size()).sum();
        return pool.get(holder).ids().size() < mean && held <= mean * 0.95 && shed >= 3;
      });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("the hot Thing's instance and its size over time: " + seen, e);
    }
    assertTrue(scaling().events().stream().anyMatch(e -> e.kind() == ScalingReport.Kind.REBALANCE && e.at() >= hotAt && e.moved() > 0),
        "the shedding was a load rebalance");
  }

  @Test
  @Order(3)
  void aDrainedInstanceIsEmptiedAndAnUndrainedOneTakesResourcesAgain() throws Exception {
    int instance = 1;
    int held = pool().get(instance).ids().size();
    assertTrue(held > 0, "instance " + instance + " serves nothing before the drain");

    JsonNode drained = post("/v1/api/orchestrations/" + THING + "/instances/" + instance + "/drain");
    int moved = drained.get("moved").asInt();
    assertTrue(moved > 0, drained.toString());
    await().until(() -> pool().get(instance).ids().isEmpty() && placedExactlyOnce(pool()));
    await().until(() -> scaling().instances().get(String.valueOf(instance)).draining());
    assertTrue(scaling().events().stream().anyMatch(e -> e.kind() == ScalingReport.Kind.DRAIN && e.moved() == moved));

    post("/v1/api/orchestrations/" + THING + "/instances/" + instance + "/undrain");
    await().until(() -> !scaling().instances().get(String.valueOf(instance)).draining());
    // An empty instance outside the band is where the next re-plan puts resources.
    await().until(() -> !pool().get(instance).ids().isEmpty());
  }

  @Test
  @Order(4)
  void lowerLoadShrinksThePoolAfterTheWindowEmptyingEachInstanceBeforeItsPodGoes() throws Exception {
    setLoad("/" + THING + "/elastic-7", 0.2);
    int before = pool().size();
    Set<String> removed = new HashSet<>();
    for (int id = 3; id < before; id++) {
      removed.add(String.valueOf(id));
    }
    try (DeletedPods deleted = new DeletedPods()) {
      long loweredAt = System.currentTimeMillis();
      setLoad("/" + THING, 0.2);

      // 400 Things at 0.2m use 31 % of 3 pods: the pool goes back to its floor, init.instances = 3.
      await().until(() -> pool().size() == 3 && deleted.instances().size() == removed.size());
      assertEquals(removed, deleted.instances(), "the highest ids go");
      assertEquals(List.of(), deleted.violations(), "pods deleted while ZooKeeper still listed resources on them");
      await().until(() -> placedExactlyOnce(pool()));

      List<ScalingReport.Event> downs = scaling().events().stream()
          .filter(e -> e.kind() == ScalingReport.Kind.SCALE_DOWN && e.at() >= loweredAt).toList();
      assertEquals(removed.size(), downs.size(), downs.toString());
      downs.forEach(e -> assertEquals(e.from() - 1, e.to(), "one instance a round: " + e));
      long window = Duration.ofSeconds(4).toMillis();
      assertTrue(downs.get(0).at() - loweredAt >= window - INTERVAL.toMillis(),
          "the first scale-down came before the stabilization window: " + downs.get(0));
    }
  }

  /**
   * Every Thing on exactly one instance. A move lists the id on both instances for a moment
   * (make-before-break), so this is awaited, never asserted once.
   */
  private static boolean placedExactlyOnce(Map<Integer, PlanSnapshot.Instance> pool) {
    List<String> all = pool.values().stream().flatMap(i -> i.ids().stream()).toList();
    return all.size() == THINGS && new HashSet<>(all).size() == THINGS;
  }

  /** The one instance listing {@code id}; null while it is on none or, moving, on two. */
  private static Integer holderOf(Map<Integer, PlanSnapshot.Instance> pool, String id) {
    List<Integer> holders = pool.entrySet().stream().filter(e -> e.getValue().ids().contains(id)).map(Map.Entry::getKey).toList();
    return holders.size() == 1 ? holders.get(0) : null;
  }

  private static Map<Integer, PlanSnapshot.Instance> pool() throws Exception {
    Map<Integer, PlanSnapshot.Instance> pool = platform.zookeeper.snapshot().types().get(THING);
    return pool == null ? Map.of() : pool;
  }

  private static ScalingReport.Event firstEvent(ScalingReport.Kind kind, long since) {
    return scaling().events().stream().filter(e -> e.kind() == kind && e.at() >= since).findFirst().orElse(null);
  }

  /** Every pod of the last round measured, and each within the 10 % band around the mean. */
  private static boolean measuredInBand(ScalingReport r) {
    double mean = meanCpu(r);
    return r.instances().values().stream().allMatch(i -> i.cpuUtilization() != null
        && Math.abs(i.cpuUtilization() - mean) <= mean * TOLERANCE);
  }

  private static double meanCpu(ScalingReport r) {
    return r.instances().values().stream().filter(i -> i.cpuUtilization() != null)
        .mapToDouble(ScalingReport.InstanceLoad::cpuUtilization).average().orElse(Double.NaN);
  }

  private static ScalingReport scaling() {
    return ScalingReport.fromJson(ok(send(request("/v1/api/orchestrations/" + THING + "/scaling").GET())).getBytes(StandardCharsets.UTF_8));
  }

  private static void setLoad(String path, double cpuMillis) {
    ok(send(request("/v1/api/simulation/load" + path).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"cpuMillis\": " + cpuMillis + ", \"memoryMiB\": 0.05}"))));
  }

  private static JsonNode post(String path) {
    return Json.tree(ok(send(request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{}")))).getBytes(StandardCharsets.UTF_8));
  }

  private static HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(platform.embedded.ready().http() + path))
        .header("Authorization", "Bearer " + platform.embedded.apiToken()).timeout(Duration.ofSeconds(30));
  }

  private static String ok(HttpResponse<String> r) {
    if (r.statusCode() != 200) {
      throw new AssertionError(r.request().method() + " " + r.uri() + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("REST call failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Watches the simulated Thing pods; on each delete reads ZooKeeper, which the executor wrote
   * first, so a read after the delete is seen must find the instance's assignment empty or gone.
   */
  private static final class DeletedPods implements AutoCloseable {
    private final Set<String> instances = ConcurrentHashMap.newKeySet();
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final Watch watch;

    DeletedPods() {
      watch = platform.embedded.kubernetes().client().pods().inNamespace(SimulatedKubernetes.DEFAULT_NAMESPACE)
          .withLabel(PodTemplates.LABEL_RESOURCE, THING).watch(new Watcher<Pod>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
              if (action == Action.DELETED) {
                deleted(pod.getMetadata().getLabels().get(PodTemplates.LABEL_INSTANCE_ID));
              }
            }

            @Override
            public void onClose(WatcherException cause) {
              if (cause != null) {
                violations.add("pod watch closed: " + cause);
              }
            }
          });
    }

    private void deleted(String instance) {
      try {
        String path = ZKPaths.makePath(platform.root(), THING, instance, "resources");
        Stat stat = platform.zookeeper.client().checkExists().forPath(path);
        if (stat != null) {
          JsonNode ids = Json.tree(platform.zookeeper.client().getData().forPath(path)).get("ids");
          if (!ids.isEmpty()) {
            violations.add("pod of instance " + instance + " deleted while " + path + " lists " + ids);
          }
        }
      } catch (KeeperException.NoNodeException gone) {
        // Tombstoned between the check and the read: gone counts as empty.
      } catch (Exception e) {
        violations.add("reading instance " + instance + ": " + e);
      }
      instances.add(instance);
    }

    Set<String> instances() {
      return Set.copyOf(instances);
    }

    List<String> violations() {
      synchronized (violations) {
        return List.copyOf(violations);
      }
    }

    @Override
    public void close() {
      watch.close();
    }
  }
}
