package iota.orchestrator.e2e;

import static iota.orchestrator.e2e.E2e.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.IntegrationTest;
import io.fabric8.kubernetes.client.KubernetesClient;
import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.embedded.EmbeddedConnect;
import iota.orchestrator.embedded.EmbeddedPlatform;
import iota.orchestrator.embedded.EmbeddedZooKeeper;
import iota.orchestrator.executor.Executor;
import iota.orchestrator.executor.ZooKeeperApplier;
import iota.orchestrator.executor.ZooKeeperClients;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.PlanSnapshot;
import iota.orchestrator.topology.Replay;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.utils.ZKPaths;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Parts of the system fail while changes flow, on one platform: the executor is killed and
 * restarted, ZooKeeper goes away for ten seconds, the MQTT bridge stops, and finally the whole
 * platform restarts on its data directory. Each test leaves the system whole again (the part it
 * broke restarted), and each ends by checking that ZooKeeper shows exactly the live plan, so the
 * next one starts from a consistent state. Only Thing changes are published here.
 */
@IntegrationTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RecoveryEndToEndTest {
  private static Path dataDir;
  private static E2ePlatform platform;

  // Parts restarted by the tests, replacing the platform's own (which the tests closed).
  private static Executor executor;
  private static CuratorFramework executorCurator;
  private static KubernetesClient executorKubernetes;
  private static EmbeddedZooKeeper restartedZooKeeper;
  private static EmbeddedConnect restartedConnect;

  @BeforeAll
  static void startPlatform() {
    dataDir = E2e.dataDir("recovery");
    platform = E2ePlatform.start(options(), Map.of());
  }

  /**
   * A short heartbeat timeout: after a restart the simulated Kubernetes API has lost every pod, and
   * for a heartbeat type it is the missed heartbeats that bring them back.
   */
  private static EmbeddedPlatform.Options options() {
    return EmbeddedPlatform.Options.defaults(dataDir).withHeartbeatTimeout(Duration.ofSeconds(3));
  }

  @AfterAll
  static void stopPlatform() throws Exception {
    stopAll();
  }

  /** Everything, in dependency order: clients and restarted parts that need Kafka before Kafka goes. */
  private static void stopAll() throws Exception {
    if (platform != null) {
      platform.closeClients();
    }
    if (executor != null) {
      executor.close();
      executorCurator.close();
      executorKubernetes.close();
      executor = null;
    }
    if (restartedConnect != null) {
      restartedConnect.close();
      restartedConnect = null;
    }
    if (platform != null) {
      platform.embedded.close();
    }
    if (restartedZooKeeper != null) {
      restartedZooKeeper.close();
      restartedZooKeeper = null;
    }
  }

  @Test
  @Order(1)
  void executorKilledMidStreamAndRestartedLosesNothingAndNeverWritesAnOlderState() throws Exception {
    List<String> ids = E2e.ids("stream", 400);
    Map<String, List<Long>> seen = new ConcurrentHashMap<>();
    String seqRoot = ZKPaths.makePath(root(), ZooKeeperApplier.SEQ_DIR);
    try (CuratorCache cache = CuratorCache.build(platform.zookeeper.client(), seqRoot)) {
      cache.listenable().addListener(CuratorCacheListener.builder()
          .forCreatesAndChanges((before, node) -> {
            if (!node.getPath().equals(seqRoot) && node.getData() != null && node.getData().length > 0) {
              long seq = Json.tree(node.getData()).get("seq").asLong();
              seen.computeIfAbsent(node.getPath(), p -> Collections.synchronizedList(new ArrayList<>())).add(seq);
            }
          })
          .build());
      cache.start();

      try (PacedCreates stream = PacedCreates.start(platform.feed, "Thing", ids, Duration.ofMillis(5))) {
        await().until(() -> stream.published() >= 100);
        platform.embedded.executor().close();
        await().until(() -> stream.published() >= 300);
        startExecutor();
        await().until(stream::done);
      }

      await().until(() -> platform.zookeeper.placements("Thing").keySet().containsAll(ids));
      assertZooKeeperShowsTheLivePlan();
      await().untilAsserted(() -> assertEquals(AssignmentsTopic.lastSequences(platform.embedded.ready().kafka()), platform.zookeeper.sequences()));
    }
    assertFalse(seen.isEmpty());
    seen.forEach((path, seqs) -> {
      List<Long> sorted = new ArrayList<>(seqs);
      Collections.sort(sorted);
      assertEquals(sorted, seqs, "sequence of " + path + " went backwards");
    });
  }

  @Test
  @Order(2)
  void zooKeeperDownForTenSecondsIsCaughtUpOnceItIsBack() throws Exception {
    EmbeddedZooKeeper original = platform.embedded.zookeeper();
    List<String> ids = E2e.ids("outage", 100);
    original.close();
    try (PacedCreates stream = PacedCreates.start(platform.feed, "Thing", ids, Duration.ofMillis(100))) {
      // The publishing takes ten seconds; ZooKeeper stays down for all of it.
      await().until(stream::done);
    }
    // The plan moved on without ZooKeeper: the topology does not depend on it.
    await().until(() -> platform.rest.runIn("Thing", ids.get(99)).isPresent());
    assertFalse(platform.zookeeper.client().getZookeeperClient().isConnected());

    restartedZooKeeper = EmbeddedZooKeeper.start(original.dataDir(), original.port());

    await().ignoreExceptions().until(() -> platform.zookeeper.placements("Thing").keySet().containsAll(ids));
    assertZooKeeperShowsTheLivePlan();
  }

  @Test
  @Order(3)
  void changesPublishedWhileTheBridgeIsDownArriveAfterItRestarts() throws Exception {
    EmbeddedConnect original = platform.embedded.connect();
    List<String> ids = E2e.ids("bridge-down", 200);
    String bridgeClientId = original.connectorConfig(EmbeddedPlatform.CONNECTOR_NAME).get("mqtt.client.id");
    original.close();
    // Down for the broker too: Moquette can lose a message sent to the closing connection
    // (see EmbeddedMqttBroker), which is not what this test is about.
    await().until(() -> !platform.embedded.mqtt().connectedClientIds().contains(bridgeClientId));
    ids.forEach(id -> platform.feed.create("Thing", id));
    assertEquals(Optional.empty(), platform.rest.runIn("Thing", ids.get(0)), "a change got through a stopped bridge");

    restartedConnect = EmbeddedConnect.start(original.dataDir(), platform.embedded.ready().kafka(), 0);

    await().until(() -> platform.zookeeper.placements("Thing").keySet().containsAll(ids));
    for (String id : List.of(ids.get(0), ids.get(199))) {
      assertTrue(platform.rest.runIn("Thing", id).isPresent(), id);
    }
    assertZooKeeperShowsTheLivePlan();
  }

  @Test
  @Order(4)
  void restartOnTheSameDataDirectoryKeepsEveryPlacement() throws Exception {
    assertZooKeeperShowsTheLivePlan();
    PlanSnapshot restBefore = platform.rest.plan("Thing");
    PlanSnapshot zookeeperBefore = platform.zookeeper.snapshot();
    Map<String, String> placementsBefore = platform.zookeeper.placements("Thing");
    int zookeeperPort = restartedZooKeeper != null ? restartedZooKeeper.port() : platform.embedded.zookeeper().port();
    EmbeddedPlatform.Options sameAddresses = options().withPorts(
        platform.embedded.api().port(), platform.embedded.mqtt().port(), platform.embedded.kafka().port(), zookeeperPort, platform.embedded.kubernetes().port());

    stopAll();
    platform = E2ePlatform.start(sameAddresses, Map.of());

    assertEquals(List.of(), platform.rest.plan("Thing").differences(restBefore, "after", "before"));
    await().untilAsserted(() -> assertEquals(List.of(), platform.zookeeper.snapshot().differences(zookeeperBefore, "after", "before")));
    assertEquals(placementsBefore, platform.zookeeper.placements("Thing"));
    // The simulated Kubernetes API forgot its pods; missed heartbeats bring one back per instance.
    int instances = restBefore.types().getOrDefault("Thing", new TreeMap<>()).size();
    await().until(() -> platform.embedded.kubernetes().client().pods().inNamespace("iota").list().getItems().stream()
        .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase())).count() == instances);

    // And it goes on placing: a new resource lands exactly once.
    platform.feed.create("Thing", "after-restart");
    await().until(() -> platform.zookeeper.placements("Thing").containsKey("after-restart"));
    assertEquals(placementsBefore.size() + 1, platform.zookeeper.placements("Thing").size());
    assertZooKeeperShowsTheLivePlan();
  }

  private static void startExecutor() {
    executorCurator = ZooKeeperClients.create(platform.embedded.config());
    executorKubernetes = platform.embedded.kubernetes().newClient(platform.embedded.config().get(ConfigKeys.KUBERNETES_NAMESPACE));
    executor = new Executor(platform.embedded.config(), executorKubernetes, executorCurator);
    executor.start();
  }

  /** ZooKeeper equals the live plan (the assignments topic), and so does REST. */
  private static void assertZooKeeperShowsTheLivePlan() {
    Replay replay = new Replay(platform.embedded.config(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    await().ignoreExceptions().untilAsserted(() -> {
      PlanSnapshot live = replay.readLive();
      assertEquals(List.of(), live.differences(platform.zookeeper.snapshot(), "live", "ZooKeeper"));
      assertEquals(List.of(), live.differences(platform.rest.plan("Thing"), "live", "REST"));
    });
  }

  private static String root() {
    return platform.root();
  }
}
