package iota.orchestrator.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import iota.orchestrator.IntegrationTest;
import iota.orchestrator.config.ResourceType;
import iota.orchestrator.embedded.SimulatedKubernetes;
import iota.orchestrator.orphans.OrphanReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The orphan sweep against the simulated Kubernetes API (fabric8 CRUD mock) and a real ZooKeeper
 * (Curator's TestingServer), with the plan and the clock in the test's hands.
 */
@IntegrationTest
class OrphanSweeperIntegrationTest {
  private static final String NS = "iota";
  private static final String ROOT = "/iota/orchestration";
  private static final Duration GRACE = Duration.ofMinutes(10);
  private static final List<ResourceType> TYPES = List.of(ResourceType.thing(), ResourceType.rule());

  private static SimulatedKubernetes kubernetes;
  private static KubernetesClient k8s;
  private static TestingServer zkServer;
  private static CuratorFramework curator;

  private final MutableClock clock = new MutableClock();
  private final ScriptedPlan plan = new ScriptedPlan();
  private final List<OrphanReport> reports = new ArrayList<>();

  @BeforeAll
  static void startPlatform() throws Exception {
    kubernetes = SimulatedKubernetes.start(0);
    k8s = kubernetes.newClient(NS);
    zkServer = new TestingServer(true);
    curator = CuratorFrameworkFactory.newClient(zkServer.getConnectString(), new RetryOneTime(100));
    curator.start();
    curator.blockUntilConnected();
  }

  @AfterAll
  static void stopPlatform() throws Exception {
    curator.close();
    zkServer.close();
    k8s.close();
    kubernetes.close();
  }

  @BeforeEach
  void world() throws Exception {
    k8s.pods().inNamespace(NS).delete();
    if (curator.checkExists().forPath("/iota") != null) {
      curator.delete().deletingChildrenIfNeeded().forPath("/iota");
    }
    // Planned: Thing/0, Rule/0. Orphans: pod iota-dac-7, znode Thing/7 with its bookkeeping node.
    pod("iota-dac-0", "Thing", "0");
    pod("iota-rules-engine-0", "Rule", "0");
    pod("iota-dac-7", "Thing", "7");
    instance("Thing", "0");
    instance("Rule", "0");
    instance("Thing", "7");
    curator.create().creatingParentsIfNeeded().forPath(ROOT + "/Sensor/0", new byte[0]);
    plan.always(Set.of("Thing/0", "Rule/0"));
  }

  @AfterEach
  void noLeftovers() {
    reports.clear();
  }

  private OrphanSweeper sweeper(boolean purge) {
    return new OrphanSweeper(TYPES, plan, k8s, NS, curator, ROOT, new ReentrantLock(), reports::add, clock,
        new OrphanSweeper.Settings(Duration.ofMinutes(5), GRACE, purge, Duration.ofSeconds(5)));
  }

  private static void pod(String name, String resource, String id) {
    Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(NS)
        .addToLabels(PodTemplates.LABEL_MANAGED_BY, PodTemplates.MANAGED_BY)
        .addToLabels(PodTemplates.LABEL_RESOURCE, resource)
        .addToLabels(PodTemplates.LABEL_INSTANCE_ID, id)
        .endMetadata().withNewSpec().addNewContainer().withName("w").withImage("w").endContainer().endSpec().build();
    k8s.pods().inNamespace(NS).resource(pod).create();
  }

  private static void instance(String type, String id) throws Exception {
    String path = ROOT + "/" + type + "/" + id;
    curator.create().creatingParentsIfNeeded().forPath(path, "{\"used\":0,\"count\":5}".getBytes());
    curator.create().forPath(path + "/resources", "{\"ids\":[]}".getBytes());
    curator.create().forPath(path + "/_reload", "{\"times\":0}".getBytes());
    curator.create().forPath(path + "/tmp", new byte[0]);
    curator.create().creatingParentsIfNeeded().forPath(ROOT + "/.seq/" + type + "/" + id, "{\"seq\":3}".getBytes());
  }

  private static boolean podExists(String name) {
    return k8s.pods().inNamespace(NS).withName(name).get() != null;
  }

  private static boolean znodeExists(String path) throws Exception {
    return curator.checkExists().forPath(path) != null;
  }

  private OrphanReport lastReport(String type) {
    for (int i = reports.size() - 1; i >= 0; i--) {
      if (reports.get(i).resource().equals(type)) {
        return reports.get(i);
      }
    }
    return null;
  }

  private static Set<String> listed(OrphanReport report) {
    return report.orphans().stream().map(e -> e.kind() + ":" + (e.name() != null ? e.name() : e.path())).collect(Collectors.toSet());
  }

  @Test
  void orphanPodAndZnodeAreReportedAtOnceAndRemovedOnlyAfterTheGrace() throws Exception {
    try (OrphanSweeper sweeper = sweeper(true)) {
      long t0 = clock.millis();
      sweeper.sweepOnce();
      OrphanReport thing = lastReport("Thing");
      assertEquals(Set.of("pod:iota-dac-7", "znode:" + ROOT + "/Thing/7", "znode:" + ROOT + "/.seq/Thing/7"), listed(thing));
      thing.orphans().forEach(e -> {
        assertEquals(t0, e.firstSeen());
        assertEquals(t0 + GRACE.toMillis(), e.dueAt());
      });
      assertTrue(lastReport("Rule").orphans().isEmpty());

      clock.advance(GRACE.minusMillis(1));
      sweeper.sweepOnce();
      assertTrue(podExists("iota-dac-7"), "within the grace");
      assertTrue(znodeExists(ROOT + "/Thing/7"));

      clock.advance(Duration.ofMillis(1));
      sweeper.sweepOnce();
      assertNull(k8s.pods().inNamespace(NS).withName("iota-dac-7").get());
      assertTrue(!znodeExists(ROOT + "/Thing/7") && !znodeExists(ROOT + "/.seq/Thing/7"), "the subtree and its bookkeeping");
      thing = lastReport("Thing");
      assertTrue(thing.orphans().isEmpty(), thing.toString());
      assertEquals(3, thing.purged(), "the pod, the bookkeeping node and the instance node");

      // Planned things, and the folder of a type that is not configured, are untouched.
      assertTrue(podExists("iota-dac-0") && podExists("iota-rules-engine-0"));
      assertTrue(znodeExists(ROOT + "/Thing/0/resources") && znodeExists(ROOT + "/.seq/Thing/0") && znodeExists(ROOT + "/Rule/0"));
      assertTrue(znodeExists(ROOT + "/Sensor/0"));
    }
  }

  @Test
  void theSequenceNodeARemovalLeavesAsItsFenceIsNoOrphan() throws Exception {
    // What ZooKeeperApplier.remove leaves: the subtree gone, the sequence node kept at the removal's.
    curator.create().creatingParentsIfNeeded().forPath(ROOT + "/.seq/Thing/5", "{\"seq\":9}".getBytes());
    try (OrphanSweeper sweeper = sweeper(true)) {
      sweeper.sweepOnce();
      clock.advance(GRACE.multipliedBy(2));
      sweeper.sweepOnce();

      assertTrue(listed(lastReport("Thing")).stream().noneMatch(o -> o.endsWith("/.seq/Thing/5")), listed(lastReport("Thing"))::toString);
      assertTrue(znodeExists(ROOT + "/.seq/Thing/5"), "the fence stays");
    }
  }

  @Test
  void withPurgeOffOrphansAreReportedButNeverRemoved() throws Exception {
    try (OrphanSweeper sweeper = sweeper(false)) {
      sweeper.sweepOnce();
      clock.advance(GRACE.multipliedBy(3));
      sweeper.sweepOnce();
      assertTrue(podExists("iota-dac-7"));
      assertTrue(znodeExists(ROOT + "/Thing/7/resources"));
      OrphanReport thing = lastReport("Thing");
      assertEquals(3, thing.orphans().size());
      assertEquals(false, thing.purge());
      assertEquals(3, thing.due("pod") + thing.due("znode"), "past due, but reporting only");
    }
  }

  @Test
  void anOrphanPlannedJustBeforeItsRemovalIsKept() throws Exception {
    try (OrphanSweeper sweeper = sweeper(true)) {
      sweeper.sweepOnce();
      clock.advance(GRACE);
      // The sweep's own read still lacks Thing/7; the fenced re-read just before each removal has it.
      plan.next(Set.of("Thing/0", "Rule/0"));
      plan.always(Set.of("Thing/0", "Rule/0", "Thing/7"));
      sweeper.sweepOnce();
      assertTrue(podExists("iota-dac-7"));
      assertTrue(znodeExists(ROOT + "/Thing/7/_reload") && znodeExists(ROOT + "/.seq/Thing/7"));
      assertEquals(0, lastReport("Thing").purged());
    }
  }

  @Test
  void aPodReplacedUnderTheSameNameGetsAFreshGrace() throws Exception {
    try (OrphanSweeper sweeper = sweeper(true)) {
      sweeper.sweepOnce();
      k8s.pods().inNamespace(NS).withName("iota-dac-7").withGracePeriod(0).delete();
      k8s.pods().inNamespace(NS).withName("iota-dac-7").waitUntilCondition(p -> p == null, 10, TimeUnit.SECONDS);
      pod("iota-dac-7", "Thing", "7");
      clock.advance(GRACE);
      sweeper.sweepOnce();
      assertTrue(podExists("iota-dac-7"), "a new pod of the same name is a new orphan");
      assertTrue(!znodeExists(ROOT + "/Thing/7"), "the znode's grace had passed");
    }
  }

  @Test
  void aTypeWhosePlanIsEmptyIsHeldAndNothingOfItIsRemoved() throws Exception {
    plan.always(Set.of("Thing/0"));
    try (OrphanSweeper sweeper = sweeper(true)) {
      sweeper.sweepOnce();
      clock.advance(GRACE.multipliedBy(2));
      sweeper.sweepOnce();
      assertTrue(podExists("iota-rules-engine-0") && znodeExists(ROOT + "/Rule/0/tmp"));
      OrphanReport rule = lastReport("Rule");
      assertNotNull(rule.held());
      assertEquals(Set.of("pod:iota-rules-engine-0", "znode:" + ROOT + "/Rule/0", "znode:" + ROOT + "/.seq/Rule/0"), listed(rule));
      assertTrue(!podExists("iota-dac-7"), "Thing has a plan, so its orphan went");
    }
  }

  @Test
  void withoutTheWholePlanNothingIsJudged() throws Exception {
    plan.failing = true;
    try (OrphanSweeper sweeper = sweeper(true)) {
      clock.advance(GRACE.multipliedBy(2));
      try {
        sweeper.sweepOnce();
      } catch (TimeoutException expected) {
        // the sweep stops
      }
      assertTrue(reports.isEmpty());
      assertTrue(podExists("iota-dac-0") && podExists("iota-dac-7"));
    }
  }

  /** A plan whose answers the test scripts: queued ones first, then the standing one. */
  private static final class ScriptedPlan implements PlanView {
    private final Deque<Set<String>> queued = new ArrayDeque<>();
    private Set<String> standing = Set.of();
    boolean failing;

    void always(Set<String> planned) {
      standing = planned;
    }

    void next(Set<String> planned) {
      queued.add(planned);
    }

    @Override
    public Set<String> planned(Duration timeout) throws TimeoutException {
      if (failing) {
        throw new TimeoutException("assignments unreadable");
      }
      return queued.isEmpty() ? standing : queued.poll();
    }
  }

  private static final class MutableClock extends Clock {
    private long millis = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    void advance(Duration d) {
      millis += d.toMillis();
    }

    @Override
    public long millis() {
      return millis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
