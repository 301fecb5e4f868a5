package iota.orchestrator.e2e;

import static iota.orchestrator.e2e.E2e.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.IntegrationTest;
import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.embedded.EmbeddedPlatform;
import iota.orchestrator.embedded.Ports;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The {@code stream} process alone killed with SIGKILL while changes flow, as a stream pod dies in
 * production: a child JVM running {@code Main stream} on the in-JVM platform, whose own stream app
 * is closed for the whole class (its executor keeps applying). Restarted under the same identity
 * and state directory (a StatefulSet pod and its volume) it takes its tasks back at once; under a
 * new identity it waits for the dead member's session. The plan survives, and every change is
 * placed and applied exactly once.
 */
@IntegrationTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StreamKillTest {
  /**
   * Long on purpose for the member killed in the second test: a resumption well inside it can only
   * be static membership, even when a JVM start on the shared two cores takes twenty seconds.
   */
  private static final Duration LONG_SESSION = Duration.ofSeconds(90);
  /** The broker's minimum, for the member the first test kills: what a new identity waits out. */
  private static final Duration SHORT_SESSION = Duration.ofSeconds(6);
  private static final Duration HEARTBEAT = Duration.ofSeconds(1);

  private static Path dataDir;
  private static EmbeddedPlatform platform;
  private static ChangeFeed feed;
  private static ZooKeeperPlan zookeeper;
  private static AppliedSequences applied;
  private static ConsumerGroup group;
  private static ChildJvm stream;
  private static Set<TopicPartition> partitions;
  private static int starts;

  @BeforeAll
  static void startPlatform() throws Exception {
    dataDir = E2e.dataDir("stream-kill");
    platform = EmbeddedPlatform.start(EmbeddedPlatform.Options.defaults(dataDir), E2e.config(Map.of()));
    String applicationId = platform.config().get(ConfigKeys.APPLICATION_ID);
    group = new ConsumerGroup(platform.ready().kafka(), applicationId);
    partitions = ConsumerGroup.held(group.stableMembers());
    assertFalse(partitions.isEmpty(), "the platform's stream app holds no partition");
    // It leaves the group on close, so the child's first join is a plain one.
    platform.streams().close();
    feed = new ChangeFeed(platform.ready().mqtt());
    String root = platform.config().get(ConfigKeys.ZOOKEEPER_ROOT);
    zookeeper = new ZooKeeperPlan(platform.ready().zookeeper(), root);
    applied = new AppliedSequences(zookeeper.client(), root);
  }

  @AfterAll
  static void stopPlatform() throws Exception {
    if (stream != null) {
      stream.close();
    }
    for (AutoCloseable c : new AutoCloseable[] {group, applied, zookeeper, feed, platform}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @Test
  @Order(1)
  void restartedUnderANewIdentityItWaitsForTheDeadMembersSession() throws Exception {
    stream = startStream("stream-a", SHORT_SESSION);
    Set<String> dead = awaitHeldBy("stream-a", Set.of());
    List<String> ids = E2e.ids("new-identity", 200);

    long killed;
    try (PacedCreates creates = PacedCreates.start(feed, "Thing", ids, Duration.ofMillis(5))) {
      await().until(() -> creates.published() >= 50);
      stream.kill();
      killed = System.nanoTime();
      stream = startStream("stream-b", LONG_SESSION);
      awaitHeldBy("stream-b", dead);
      await().until(creates::done);
    }
    // The dead member's last heartbeat came at most one interval before the kill, and the
    // coordinator keeps its tasks for a whole session after that heartbeat.
    Duration waited = Duration.ofNanos(System.nanoTime() - killed);
    assertTrue(waited.compareTo(SHORT_SESSION.minus(HEARTBEAT)) >= 0, "a new identity got the tasks " + waited + " after the kill");
    assertEveryChangePlacedOnce(ids);
  }

  @Test
  @Order(2)
  void restartedUnderItsIdentityItTakesItsTasksBackLongBeforeTheDeadSessionEndsWithThePlanIntact() throws Exception {
    Set<String> dead = awaitHeldBy("stream-b", Set.of());
    List<String> ids = E2e.ids("same-identity", 300);

    Map<String, String> placedBeforeKill;
    try (PacedCreates creates = PacedCreates.start(feed, "Thing", ids, Duration.ofMillis(5))) {
      await().until(() -> creates.published() >= 100);
      placedBeforeKill = zookeeper.placements("Thing");
      stream.kill();
      long killed = System.nanoTime();
      stream = startStream("stream-b", LONG_SESSION);
      awaitHeldBy("stream-b", dead);
      Duration back = Duration.ofNanos(System.nanoTime() - killed);
      assertTrue(back.compareTo(LONG_SESSION.dividedBy(2)) < 0, "tasks back " + back + " after the kill, the dead session is " + LONG_SESSION);
      await().until(creates::done);
    }
    assertEveryChangePlacedOnce(ids);
    Map<String, String> after = zookeeper.placements("Thing");
    assertFalse(placedBeforeKill.isEmpty());
    placedBeforeKill.forEach((id, instance) -> assertEquals(instance, after.get(id), id + " moved across the kill"));
  }

  /**
   * Awaits a stable group whose only members are {@code identity}'s stream threads, under member
   * ids not in {@code notMembers} (a dead predecessor stays listed until replaced), holding every
   * partition the platform's app held; returns their member ids.
   */
  private static Set<String> awaitHeldBy(String identity, Set<String> notMembers) {
    AtomicReference<Set<String>> holders = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
      if (!stream.alive()) {
        throw new AssertionError("the stream app exited; its log ends:\n" + stream.logTail());
      }
      Map<String, ConsumerGroup.Member> members = group.stableMembers();
      boolean all = !members.isEmpty() && members.values().stream()
          .allMatch(m -> m.instanceId().startsWith(identity + "-") && !notMembers.contains(m.memberId()));
      if (all && ConsumerGroup.held(members).equals(partitions)) {
        holders.set(members.values().stream().map(ConsumerGroup.Member::memberId).collect(Collectors.toSet()));
        return true;
      }
      return false;
    });
    return holders.get();
  }

  /** Every id is in ZooKeeper once, ZooKeeper's sequences are the topic's last, none written twice. */
  private static void assertEveryChangePlacedOnce(List<String> ids) throws Exception {
    await().ignoreExceptions().until(() -> zookeeper.placements("Thing").keySet().containsAll(ids));
    await().ignoreExceptions().untilAsserted(() -> assertEquals(AssignmentsTopic.lastSequences(platform.ready().kafka()), zookeeper.sequences()));
    applied.assertEachAppliedOnceInOrder();
  }

  /** The platform's stream configuration under another identity, on that identity's own state directory. */
  private static ChildJvm startStream(String identity, Duration session) {
    int http = Ports.free();
    Map<String, String> config = new HashMap<>();
    config.put(ConfigKeys.APPLICATION_ID.name(), platform.config().get(ConfigKeys.APPLICATION_ID));
    config.put(ConfigKeys.HEARTBEAT_TIMEOUT.name(), platform.config().get(ConfigKeys.HEARTBEAT_TIMEOUT).toMillis() + "ms");
    config.put(ConfigKeys.COMMIT_INTERVAL.name(), platform.config().get(ConfigKeys.COMMIT_INTERVAL).toMillis() + "ms");
    config.put(ConfigKeys.API_TOKEN.name(), platform.config().get(ConfigKeys.API_TOKEN));
    // The pools of E2e.config.
    config.put("iota.resource.thing.init.instances", "3");
    config.put("iota.resource.rule.init.instances", "3");
    config.put(ConfigKeys.BOOTSTRAP_SERVERS.name(), platform.ready().kafka());
    config.put(ConfigKeys.STATE_DIR.name(), dataDir.resolve(identity + "-streams").toString());
    config.put(ConfigKeys.HTTP_HOST.name(), "127.0.0.1");
    config.put(ConfigKeys.HTTP_PORT.name(), String.valueOf(http));
    config.put(ConfigKeys.APPLICATION_SERVER.name(), "127.0.0.1:" + http);
    config.put(ConfigKeys.INSTANCE_ID.name(), identity);
    config.put("kafka.consumer.session.timeout.ms", String.valueOf(session.toMillis()));
    config.put("kafka.consumer.heartbeat.interval.ms", String.valueOf(HEARTBEAT.toMillis()));
    return ChildJvm.start(dataDir, "stream-" + (++starts), "stream", config, Map.of());
  }
}
