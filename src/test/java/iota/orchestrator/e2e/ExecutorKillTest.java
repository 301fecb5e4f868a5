package iota.orchestrator.e2e;

import static iota.orchestrator.e2e.E2e.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.IntegrationTest;
import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.embedded.EmbeddedPlatform;
import iota.orchestrator.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The {@code executor} process alone killed with SIGKILL while assignments flow, as its pod's
 * container dies in production: a child JVM running {@code Main executor} against the in-JVM
 * platform, whose own executor is closed for the whole class. Restarted under the same identity it
 * takes its partitions back at once; under a new one it waits for the dead member's session. Either
 * way every assignment ends in ZooKeeper exactly once.
 */
@IntegrationTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExecutorKillTest {
  private static final Set<TopicPartition> PARTITIONS = Set.of(new TopicPartition(Topics.ASSIGNMENTS.name(), 0), new TopicPartition(Topics.POD_COMMANDS.name(), 0));
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
  private static ChildJvm executor;
  private static int starts;

  @BeforeAll
  static void startPlatform() {
    dataDir = E2e.dataDir("executor-kill");
    platform = EmbeddedPlatform.start(EmbeddedPlatform.Options.defaults(dataDir), E2e.config(Map.of()));
    // Its in-JVM executor leaves the group on close, so the child's first join is a plain one.
    platform.executor().close();
    feed = new ChangeFeed(platform.ready().mqtt());
    String root = platform.config().get(ConfigKeys.ZOOKEEPER_ROOT);
    zookeeper = new ZooKeeperPlan(platform.ready().zookeeper(), root);
    applied = new AppliedSequences(zookeeper.client(), root);
    group = new ConsumerGroup(platform.ready().kafka(), platform.config().get(ConfigKeys.EXECUTOR_GROUP_ID));
  }

  @AfterAll
  static void stopPlatform() throws Exception {
    if (executor != null) {
      executor.close();
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
    executor = startExecutor("executor-a", SHORT_SESSION);
    awaitHeldBy("executor-a", null);
    List<String> ids = E2e.ids("new-identity", 300);

    long killed;
    try (PacedCreates creates = PacedCreates.start(feed, "Thing", ids, Duration.ofMillis(5))) {
      await().until(() -> creates.published() >= 100);
      executor.kill();
      killed = System.nanoTime();
      executor = startExecutor("executor-b", LONG_SESSION);
      awaitHeldBy("executor-b", null);
      await().until(creates::done);
    }
    // The dead member's last heartbeat came at most one interval before the kill, and the
    // coordinator keeps its partitions for a whole session after that heartbeat.
    Duration waited = Duration.ofNanos(System.nanoTime() - killed);
    assertTrue(waited.compareTo(SHORT_SESSION.minus(HEARTBEAT)) >= 0, "a new identity got the partitions " + waited + " after the kill");
    assertEquals(Set.of("executor-b"), group.stableMembers().keySet(), "the dead member is gone from the group");
    assertEveryAssignmentAppliedOnce(ids);
  }

  @Test
  @Order(2)
  void restartedUnderItsIdentityItTakesItsPartitionsBackLongBeforeTheDeadSessionEnds() throws Exception {
    String deadMember = awaitHeldBy("executor-b", null).memberId();
    List<String> ids = E2e.ids("same-identity", 300);

    try (PacedCreates creates = PacedCreates.start(feed, "Thing", ids, Duration.ofMillis(5))) {
      await().until(() -> creates.published() >= 100);
      executor.kill();
      long killed = System.nanoTime();
      executor = startExecutor("executor-b", LONG_SESSION);
      awaitHeldBy("executor-b", deadMember);
      Duration back = Duration.ofNanos(System.nanoTime() - killed);
      assertTrue(back.compareTo(LONG_SESSION.dividedBy(2)) < 0, "partitions back " + back + " after the kill, the dead session is " + LONG_SESSION);
      await().until(creates::done);
    }
    assertEveryAssignmentAppliedOnce(ids);
  }

  /**
   * Awaits a stable group in which {@code identity} alone holds both command partitions under a
   * member id other than {@code notMember} (a dead predecessor stays listed until replaced).
   */
  private static ConsumerGroup.Member awaitHeldBy(String identity, String notMember) {
    AtomicReference<ConsumerGroup.Member> holder = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
      if (!executor.alive()) {
        throw new AssertionError("the executor exited; its log ends:\n" + executor.logTail());
      }
      Map<String, ConsumerGroup.Member> members = group.stableMembers();
      ConsumerGroup.Member m = members.get(identity);
      if (members.size() == 1 && m != null && !m.memberId().equals(notMember) && m.partitions().equals(PARTITIONS)) {
        holder.set(m);
        return true;
      }
      return false;
    });
    return holder.get();
  }

  /** Every id is in ZooKeeper once, ZooKeeper's sequences are the topic's last, none written twice. */
  private static void assertEveryAssignmentAppliedOnce(List<String> ids) throws Exception {
    await().ignoreExceptions().until(() -> zookeeper.placements("Thing").keySet().containsAll(ids));
    await().ignoreExceptions().untilAsserted(() -> assertEquals(AssignmentsTopic.lastSequences(platform.ready().kafka()), zookeeper.sequences()));
    applied.assertEachAppliedOnceInOrder();
  }

  private static ChildJvm startExecutor(String identity, Duration session) {
    Map<String, String> config = new HashMap<>();
    config.put(ConfigKeys.BOOTSTRAP_SERVERS.name(), platform.ready().kafka());
    config.put(ConfigKeys.ZOOKEEPER_CONNECT.name(), platform.ready().zookeeper());
    config.put(ConfigKeys.ZOOKEEPER_ROOT.name(), platform.config().get(ConfigKeys.ZOOKEEPER_ROOT));
    config.put(ConfigKeys.KUBERNETES_NAMESPACE.name(), platform.config().get(ConfigKeys.KUBERNETES_NAMESPACE));
    config.put(ConfigKeys.TEMPLATES_DIR.name(), platform.config().get(ConfigKeys.TEMPLATES_DIR));
    config.put(ConfigKeys.INSTANCE_ID.name(), identity);
    config.put("kafka.session.timeout.ms", String.valueOf(session.toMillis()));
    config.put("kafka.heartbeat.interval.ms", String.valueOf(HEARTBEAT.toMillis()));
    return ChildJvm.start(dataDir, "executor-" + (++starts), "executor", config,
        Map.of("KUBECONFIG", platform.ready().kubeconfig()));
  }
}
