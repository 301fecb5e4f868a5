package iota.orchestrator.e2e;

import static iota.orchestrator.e2e.E2e.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import iota.orchestrator.IntegrationTest;
import iota.orchestrator.embedded.EmbeddedPlatform;
import iota.orchestrator.model.PlanSnapshot;
import iota.orchestrator.topology.Replay;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The normal paths through the whole system on one shared platform: MQTT change → Kafka Connect
 * bridge → topology → executor → ZooKeeper and the (simulated) Kubernetes API, read back over REST.
 * Each test uses resource ids of its own; the replay test runs last and replays everything the
 * others published too.
 */
@IntegrationTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlacementEndToEndTest {
  private static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(3);

  private static E2ePlatform platform;

  @BeforeAll
  static void startPlatform() {
    platform = E2ePlatform.start(
        EmbeddedPlatform.Options.defaults(E2e.dataDir("placement")).withHeartbeatTimeout(HEARTBEAT_TIMEOUT), Map.of());
  }

  @AfterAll
  static void stopPlatform() throws Exception {
    if (platform != null) {
      platform.close();
    }
  }

  @Test
  @Order(1)
  void publishedThingIsWrittenToZooKeeperGetsARunningPodAndIsAnsweredOverRest() throws Exception {
    platform.feed.create("Thing", "first-thing");

    String instance = await().until(() -> platform.zookeeper.placements("Thing").get("first-thing"), id -> id != null);
    String podName = "iota-dac-" + instance;
    await().until(() -> phase(podName), "Running"::equals);
    Pod pod = platform.embedded.kubernetes().client().pods().inNamespace("iota").withName(podName).get();
    assertEquals(instance, pod.getMetadata().getLabels().get("instanceId"));
    assertEquals(Optional.of(instance), platform.rest.runIn("Thing", "first-thing"));
    assertEquals(Optional.empty(), platform.rest.runIn("Thing", "never-published"));
  }

  @Test
  @Order(2)
  void bulkCreateThenBulkDeleteLeavesZooKeeperAndRestAgreeingWithRightUsedCounts() throws Exception {
    List<String> created = E2e.ids("bulk", 300);
    List<String> deleted = created.subList(0, 120);
    List<String> kept = created.subList(120, 300);

    platform.feed.bulkCreate("Thing", created);
    await().until(() -> platform.zookeeper.placements("Thing").keySet().containsAll(created));
    platform.feed.bulkDelete("Thing", deleted);
    await().until(() -> {
      Map<String, String> placed = platform.zookeeper.placements("Thing");
      return deleted.stream().noneMatch(placed::containsKey);
    });

    // REST reads the stores and ZooKeeper is written by the executor from the assignments topic;
    // once both have seen the last change they must show the same instances.
    await().untilAsserted(() -> assertEquals(List.of(), platform.rest.plan("Thing").differences(platform.zookeeper.snapshot(), "REST", "ZooKeeper")));
    PlanSnapshot plan = platform.zookeeper.snapshot();
    int bulkPlaced = 0;
    for (var e : plan.types().get("Thing").entrySet()) {
      PlanSnapshot.Instance i = e.getValue();
      assertEquals(i.ids().size(), i.used(), "used of Thing/" + e.getKey());
      assertTrue(i.used() <= i.count(), "Thing/" + e.getKey() + " is over its capacity");
      bulkPlaced += (int) i.ids().stream().filter(id -> id.startsWith("bulk-")).count();
    }
    assertEquals(kept.size(), bulkPlaced);
    Map<String, String> placed = platform.zookeeper.placements("Thing");
    for (String id : List.of(kept.get(0), kept.get(90), kept.get(179))) {
      assertEquals(Optional.of(placed.get(id)), platform.rest.runIn("Thing", id), id);
    }
    assertEquals(Optional.empty(), platform.rest.runIn("Thing", deleted.get(0)));
  }

  @Test
  @Order(3)
  void silencedWorkerIsRecreatedWhileHeartbeatingWorkersKeepTheirPods() {
    await().until(() -> podUids().size() == 3 && runningPods() == 3);
    Map<String, String> before = podUids();

    String silencedUid = platform.embedded.workers().silence("Thing", "1");
    assertEquals(before.get("iota-dac-1"), silencedUid);

    String newUid = await().until(() -> podUids().get("iota-dac-1"), uid -> uid != null && !uid.equals(silencedUid));
    await().until(() -> "Running".equals(phase("iota-dac-1")));
    Map<String, String> after = podUids();
    assertNotEquals(silencedUid, newUid);
    assertEquals(before.get("iota-dac-0"), after.get("iota-dac-0"), "a heartbeating pod was recreated");
    assertEquals(before.get("iota-dac-2"), after.get("iota-dac-2"), "a heartbeating pod was recreated");
  }

  @Test
  @Order(4)
  void replayOfTheRetainedTopicsRebuildsExactlyTheLivePlan() throws Exception {
    List<String> things = E2e.ids("mix", 60);
    List<String> rules = E2e.ids("rule", 40);
    things.forEach(id -> platform.feed.create("Thing", id));
    platform.feed.bulkCreate("Rule", rules);
    platform.feed.update("Thing", things.get(3));
    platform.feed.delete("Thing", things.get(5));
    platform.feed.bulkDelete("Rule", rules.subList(0, 10));
    platform.feed.publish(Map.of("o", "bu", "t", "Rule", "where", Map.of("id", rules.subList(20, 25))));
    platform.feed.publish(Map.of("o", "c", "t", "ProtocolMeta", "k", Map.of("id", "pm-1")));
    await().until(() -> platform.zookeeper.placements("Rule").keySet().containsAll(rules.subList(10, 40))
        && platform.zookeeper.placements("Thing").containsKey(things.get(59)));

    // An orchestrate request between changes: its place in the order is part of what replay reproduces.
    JsonNode report = platform.rest.orchestrate("Thing", "{\"initInstances\":4,\"maxInstances\":10,\"resourcePerInstance\":100}");
    assertEquals(4, report.get("instances").asInt(), report.toString());
    List<String> later = E2e.ids("after-orchestrate", 20);
    platform.feed.bulkCreate("Thing", later);
    platform.feed.delete("Thing", things.get(7));
    // Rule grows to its maximum of 5 instances and then over capacity; replay must place the same.
    JsonNode rule = platform.rest.orchestrate("Rule", "{\"initInstances\":3,\"maxInstances\":5,\"resourcePerInstance\":10}");
    assertEquals(4, rule.get("instances").asInt(), rule.toString());
    List<String> overflow = E2e.ids("rule-over", 40);
    platform.feed.bulkCreate("Rule", overflow);
    await().until(() -> platform.zookeeper.placements("Rule").keySet().containsAll(overflow));
    assertEquals(5, platform.zookeeper.snapshot().types().get("Rule").size(), "the pool stops at maxInstances");

    Replay replay = new Replay(platform.embedded.config(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    await().until(() -> platform.zookeeper.placements("Thing").keySet().containsAll(later));
    await().untilAsserted(() -> {
      PlanSnapshot live = replay.readLive();
      assertEquals(List.of(), live.differences(platform.zookeeper.snapshot(), "live", "ZooKeeper"));
      assertEquals(List.of(), live.differences(restPlan(), "live", "REST"));
    });

    Replay.Outcome outcome = replay.run(Duration.ofSeconds(60));
    assertEquals(List.of(), outcome.differences());
    assertTrue(outcome.live().resourceCount() > 0);
    // The request's capacity is part of the replayed plan, including the instance created after it.
    int capacity = report.get("resourcePerInstance").asInt();
    outcome.replayed().types().get("Thing").forEach((id, i) -> assertEquals(capacity, i.count(), "count of Thing/" + id));
  }

  private static PlanSnapshot restPlan() {
    PlanSnapshot all = new PlanSnapshot();
    for (String type : List.of("Thing", "Rule")) {
      platform.rest.plan(type).types().getOrDefault(type, new TreeMap<>()).forEach((id, i) -> all.put(type, id, i));
    }
    return all;
  }

  private static String phase(String podName) {
    Pod pod = platform.embedded.kubernetes().client().pods().inNamespace("iota").withName(podName).get();
    return pod == null || pod.getStatus() == null ? null : pod.getStatus().getPhase();
  }

  /** Pod name to UID of the Thing workers (iota-dac) that are not being deleted. */
  private static Map<String, String> podUids() {
    return daCPods().stream().collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p.getMetadata().getUid()));
  }

  private static long runningPods() {
    return daCPods().stream().filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase())).count();
  }

  private static List<Pod> daCPods() {
    List<Pod> out = new ArrayList<>();
    for (Pod p : platform.embedded.kubernetes().client().pods().inNamespace("iota").list().getItems()) {
      if (p.getMetadata().getName().startsWith("iota-dac-") && p.getMetadata().getDeletionTimestamp() == null) {
        out.add(p);
      }
    }
    return out;
  }
}
