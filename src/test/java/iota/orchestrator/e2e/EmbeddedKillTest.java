package iota.orchestrator.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.IntegrationTest;
import iota.orchestrator.admin.TopicReader;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.PlanSnapshot;
import iota.orchestrator.topics.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code embedded} as a user runs it, in a child JVM that the test kills with SIGKILL ({@link
 * Process#destroyForcibly()}) while creates flow, then starts again on the same data directory and
 * ports. After each restart READY must mean it: the executor already holds its partitions, and a
 * change published right then is in ZooKeeper within seconds, not after a dead member's session.
 * In the end every create that reached Kafka is placed exactly once.
 */
@IntegrationTest
class EmbeddedKillTest {
  /**
   * A change published at READY must be applied well within this; without static membership the
   * executor's group waited out the killed member's 45 s session. Not tighter: right after a
   * restart the executor also re-creates the pods the simulated Kubernetes forgot, and on the
   * shared two cores under other builds that put a change 7 s behind READY (1-4 s otherwise).
   */
  private static final Duration APPLIED_AFTER_READY = Duration.ofSeconds(15);
  private static final String EXECUTOR_GROUP = "iota-orchestrator-executor";
  private static final String HOST = "127.0.0.1";
  private static final Duration START_PATIENCE = Duration.ofSeconds(180);

  private final Path dataDir = E2e.dataDir("kill9");
  private final int http = fixedPort();
  private final int mqtt = fixedPort();
  private final int kafka = fixedPort();
  private final int zookeeper = fixedPort();
  private Process child;

  @AfterEach
  void stopChild() throws InterruptedException {
    if (child != null && child.isAlive()) {
      child.destroy();
      if (!child.waitFor(30, TimeUnit.SECONDS)) {
        child.destroyForcibly().waitFor();
      }
    }
  }

  @Test
  void killedWithSigkillItRestartsReadyWithItsPartitionsAndLosesOrRepeatsNothing() throws Exception {
    String mqttUri = "tcp://" + HOST + ":" + mqtt;
    String bootstrap = HOST + ":" + kafka;
    String root = "/iota/orchestration";
    startAndAwaitReady("first");
    try (ZooKeeperPlan plan = new ZooKeeperPlan(HOST + ":" + zookeeper, root)) {
      for (int kill = 0; kill < 2; kill++) {
        List<String> ids = E2e.ids("flowing-" + kill, 300);
        try (ChangeFeed feed = new ChangeFeed(mqttUri);
            PacedCreates creates = PacedCreates.start(feed, "Thing", ids, Duration.ofMillis(5))) {
          E2e.await().until(() -> creates.published() >= 150);
          child.destroyForcibly().waitFor();
        }

        long began = System.nanoTime();
        startAndAwaitReady("restart-" + kill);
        long readyMs = (System.nanoTime() - began) / 1_000_000;
        assertExecutorHoldsItsPartitions(bootstrap);
        String marker = "after-kill-" + kill;
        long published;
        try (ChangeFeed feed = new ChangeFeed(mqttUri)) {
          feed.create("Thing", marker);
          published = System.nanoTime();
        }
        Awaitility.await().atMost(APPLIED_AFTER_READY).pollInterval(Duration.ofMillis(20))
            .ignoreExceptions().until(() -> plan.placements("Thing").containsKey(marker));
        System.out.printf("restart %d: READY after %d ms, a change published at READY in ZooKeeper after %d ms%n",
            kill, readyMs, (System.nanoTime() - published) / 1_000_000);
      }

      Set<String> reachedKafka = createdIds(bootstrap);
      E2e.await().ignoreExceptions().untilAsserted(() -> assertEquals(reachedKafka, new TreeSet<>(plan.placements("Thing").keySet())));
      PlanSnapshot snapshot = plan.snapshot();
      List<String> placedIds = new ArrayList<>();
      snapshot.types().get("Thing").values().forEach(instance -> placedIds.addAll(instance.ids()));
      assertEquals(new HashSet<>(placedIds).size(), placedIds.size(), "a resource is placed on two instances");
    }
  }

  /**
   * A free port below the ephemeral range, like the fixed ports a user gives. A port the OS handed
   * out as ephemeral can be handed out again to a server of the restarted child that binds port 0
   * (Connect's REST, the simulated Kubernetes API) before the child binds it itself.
   */
  private static int fixedPort() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = 20_000 + ThreadLocalRandom.current().nextInt(12_000);
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IllegalStateException("no free port in [20000, 32000)");
  }

  /** Starts {@code embedded} in a child JVM on this test's directory and ports; returns at READY. */
  private void startAndAwaitReady(String name) throws IOException {
    ProcessBuilder builder = ChildJvm.mainCommand("512m", List.of("embedded",
        "--data-dir", dataDir.toString(),
        "--http-port", String.valueOf(http),
        "--mqtt-port", String.valueOf(mqtt),
        "--kafka-port", String.valueOf(kafka),
        "--zookeeper-port", String.valueOf(zookeeper),
        "--heartbeat-timeout", "3s"));
    builder.environment().put("IOTA_RESOURCE_THING_INIT_INSTANCES", "3");
    builder.environment().put("IOTA_RESOURCE_RULE_INIT_INSTANCES", "3");
    builder.redirectError(dataDir.resolveSibling(dataDir.getFileName() + "-" + name + ".log").toFile());
    child = builder.start();
    CompletableFuture<String> ready = new CompletableFuture<>();
    Process process = child;
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          if (line.startsWith("READY ")) {
            ready.complete(line);
          }
        }
        ready.completeExceptionally(new AssertionError("embedded exited with " + process.waitFor() + " before READY"));
      } catch (IOException | InterruptedException e) {
        ready.completeExceptionally(e);
      }
    }, "embedded-stdout-" + name);
    reader.setDaemon(true);
    reader.start();
    // A start is every server of the platform in a fresh JVM: on the shared two cores under other
    // builds one took 60 s (ZooKeeper 4 s, Kafka 31 s), against 5-10 s on an idle machine.
    E2e.await().atMost(START_PATIENCE).until(ready::isDone);
    ready.join();
  }

  /** The executor's group has settled with a member holding both command topics' partitions. */
  private static void assertExecutorHoldsItsPartitions(String bootstrap) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(EXECUTOR_GROUP)).all().get().get(EXECUTOR_GROUP);
      Set<TopicPartition> held = new HashSet<>();
      for (MemberDescription m : group.members()) {
        held.addAll(m.assignment().topicPartitions());
        assertTrue(m.groupInstanceId().isPresent(), "the executor is a static member");
      }
      assertEquals(Set.of(new TopicPartition(Topics.ASSIGNMENTS.name(), 0), new TopicPartition(Topics.POD_COMMANDS.name(), 0)), held,
          "at READY the executor holds its partitions (group " + group.groupState() + ")");
    }
  }

  /** Every Thing id whose create reached Kafka (the bridge wrote it to {@code iota.cm-notify}). */
  private static Set<String> createdIds(String bootstrap) {
    Set<String> ids = new TreeSet<>();
    TopicReader.readCommitted(bootstrap, Topics.CM_NOTIFY.name(), r -> {
      JsonNode event = Json.tree(r.value());
      if ("c".equals(event.path("o").asText()) && "Thing".equals(event.path("t").asText())) {
        ids.add(event.path("k").path("id").asText());
      }
    });
    return ids;
  }
}
