package iota.orchestrator.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.IntegrationTest;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.executor.ZooKeeperApplier.Outcome;
import iota.orchestrator.model.Assignment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@IntegrationTest
class ZooKeeperApplierTest {
  private static final String ROOT = "/iota/orchestration";

  private TestingServer server;
  private CuratorFramework client;
  private ZooKeeperApplier applier;

  @BeforeEach
  void start() throws Exception {
    server = new TestingServer(true);
    client = connected(config(null));
    applier = new ZooKeeperApplier(client, ROOT, Duration.ofMillis(500));
  }

  @AfterEach
  void stop() throws Exception {
    try {
      client.close();
    } finally {
      server.close();
    }
  }

  private OrchestratorConfig config(String auth) {
    return auth == null
        ? OrchestratorConfig.of(Map.of("iota.zookeeper.connect", server.getConnectString()))
        : OrchestratorConfig.of(Map.of("iota.zookeeper.connect", server.getConnectString(), "iota.zookeeper.auth", auth));
  }

  /**
   * A started client that is connected: the appliers here wait only 500 ms for a lost connection
   * (the outage test needs that short), less than a first connect can take on a busy machine.
   */
  private static CuratorFramework connected(OrchestratorConfig config) throws InterruptedException {
    CuratorFramework c = ZooKeeperClients.create(config);
    assertTrue(c.blockUntilConnected(30, TimeUnit.SECONDS), "ZooKeeper test server not reachable");
    return c;
  }

  private String data(String path) throws Exception {
    return new String(client.getData().forPath(path), StandardCharsets.UTF_8);
  }

  @Test
  void createWritesTheWorkerLayout() throws Exception {
    assertEquals(Outcome.APPLIED, applier.upsert(Assignment.of("Thing", "3", 1, 5000, List.of("t1", "t2"), 4)));

    String instance = ROOT + "/Thing/3";
    assertEquals("{\"used\":2,\"count\":5000}", data(instance));
    assertEquals("{\"ids\":[\"t1\",\"t2\"]}", data(instance + "/resources"));
    assertEquals("{\"times\":4}", data(instance + "/_reload"));
    assertArrayEquals(new byte[0], client.getData().forPath(instance + "/tmp"));
    assertEquals(List.of("_reload", "resources", "tmp"), client.getChildren().forPath(instance).stream().sorted().toList());
    assertEquals("{\"seq\":1}", data(ROOT + "/.seq/Thing/3"));
  }

  @Test
  void newerSeqUpdatesEveryNode() throws Exception {
    applier.upsert(Assignment.of("Thing", "0", 1, 10, List.of("a"), 0));
    assertEquals(Outcome.APPLIED, applier.upsert(Assignment.of("Thing", "0", 2, 10, List.of("a", "b"), 1)));

    assertEquals("{\"used\":2,\"count\":10}", data(ROOT + "/Thing/0"));
    assertEquals("{\"ids\":[\"a\",\"b\"]}", data(ROOT + "/Thing/0/resources"));
    assertEquals("{\"times\":1}", data(ROOT + "/Thing/0/_reload"));
    assertEquals("{\"seq\":2}", data(ROOT + "/.seq/Thing/0"));
  }

  @Test
  void nodesDeletedBehindItsBackAreWrittenAgain() throws Exception {
    applier.upsert(Assignment.of("Thing", "0", 1, 10, List.of("a"), 0));
    client.delete().forPath(ROOT + "/Thing/0/resources");
    assertEquals(Outcome.APPLIED, applier.upsert(Assignment.of("Thing", "0", 2, 10, List.of("a", "b"), 1)));
    assertEquals("{\"ids\":[\"a\",\"b\"]}", data(ROOT + "/Thing/0/resources"));

    client.delete().deletingChildrenIfNeeded().forPath(ROOT + "/Thing");
    assertEquals(Outcome.APPLIED, applier.upsert(Assignment.of("Thing", "0", 3, 10, List.of("c"), 2)));
    assertEquals("{\"ids\":[\"c\"]}", data(ROOT + "/Thing/0/resources"));
    assertEquals("", data(ROOT + "/Thing/0/tmp"));
  }

  @Test
  void olderSeqIsRefusedAndEqualSeqIsNotRewritten() throws Exception {
    applier.upsert(Assignment.of("Rule", "1", 7, 10, List.of("new"), 3));
    int version = client.checkExists().forPath(ROOT + "/Rule/1").getVersion();

    assertEquals(Outcome.STALE, applier.upsert(Assignment.of("Rule", "1", 6, 10, List.of("old"), 2)));
    assertEquals(Outcome.ALREADY_APPLIED, applier.upsert(Assignment.of("Rule", "1", 7, 10, List.of("new"), 3)));

    assertEquals("{\"ids\":[\"new\"]}", data(ROOT + "/Rule/1/resources"));
    assertEquals(version, client.checkExists().forPath(ROOT + "/Rule/1").getVersion());
  }

  @Test
  void aNewerSeqWrittenByAnotherExecutorIsNotRolledBackByWhatThisOneRemembers() throws Exception {
    applier.upsert(Assignment.of("Thing", "0", 1, 10, List.of("a"), 0));
    applier.upsert(Assignment.of("Thing", "0", 2, 10, List.of("a", "b"), 0));
    // A second executor (a zombie of a rebalance, say) moves the instance on to seq 5.
    CuratorFramework other = connected(config(null));
    try {
      new ZooKeeperApplier(other, ROOT, Duration.ofMillis(500)).upsert(Assignment.of("Thing", "0", 5, 10, List.of("e"), 0));
    } finally {
      other.close();
    }

    // This applier remembers seq 2, so seq 3 looks new to it: the version check must catch it.
    assertEquals(Outcome.STALE, applier.upsert(Assignment.of("Thing", "0", 3, 10, List.of("c"), 0)));
    assertEquals("{\"ids\":[\"e\"]}", data(ROOT + "/Thing/0/resources"));
    assertEquals("{\"seq\":5}", data(ROOT + "/.seq/Thing/0"));
    assertEquals(Outcome.APPLIED, applier.upsert(Assignment.of("Thing", "0", 6, 10, List.of("f"), 0)));
    assertEquals("{\"seq\":6}", data(ROOT + "/.seq/Thing/0"));
  }

  @Test
  void aPlanWipedByAnOperatorIsWrittenAgainFromLowSequences() throws Exception {
    applier.upsert(Assignment.of("Thing", "0", 8, 10, List.of("a"), 0));
    client.delete().deletingChildrenIfNeeded().forPath(ROOT);

    assertEquals(Outcome.APPLIED, applier.upsert(Assignment.of("Thing", "0", 9, 10, List.of("b"), 0)));
    assertEquals("{\"seq\":9}", data(ROOT + "/.seq/Thing/0"));
    assertEquals("{\"ids\":[\"b\"]}", data(ROOT + "/Thing/0/resources"));
  }

  @Test
  void instancesWrittenFromSeveralThreadsAtOnceAllLand() throws Exception {
    int instances = 16;
    List<Callable<Void>> writers = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      String id = String.valueOf(i);
      writers.add(() -> {
        for (int seq = 1; seq <= 5; seq++) {
          assertEquals(Outcome.APPLIED, applier.upsert(Assignment.of("Thing", id, seq, 10, List.of("r" + id + "-" + seq), 0)));
        }
        return null;
      });
    }
    ExecutorService pool = Executors.newFixedThreadPool(instances);
    try {
      for (Future<Void> writer : pool.invokeAll(writers, 30, TimeUnit.SECONDS)) {
        writer.get(); // rethrows a writer's failure
      }
    } finally {
      pool.shutdownNow();
    }
    for (int i = 0; i < instances; i++) {
      assertEquals("{\"ids\":[\"r" + i + "-5\"]}", data(ROOT + "/Thing/" + i + "/resources"));
      assertEquals("{\"seq\":5}", data(ROOT + "/.seq/Thing/" + i));
    }
  }

  @Test
  void tombstoneRemovesTheSubtreeAndKeepsItsSequence() throws Exception {
    applier.upsert(Assignment.of("Thing", "2", 9, 10, List.of("a"), 0));
    applier.upsert(Assignment.of("Thing", "3", 1, 10, List.of("b"), 0));

    assertEquals(Outcome.REMOVED, applier.remove("Thing", "2", 10));
    assertEquals(Outcome.ALREADY_ABSENT, applier.remove("Thing", "2", 10));

    assertNull(client.checkExists().forPath(ROOT + "/Thing/2"));
    assertEquals("{\"seq\":10}", data(ROOT + "/.seq/Thing/2"));
    assertNotNull(client.checkExists().forPath(ROOT + "/Thing/3/resources"));
    // The id is free again; the topology continues its sequence after the removal.
    assertEquals(Outcome.APPLIED, applier.upsert(Assignment.of("Thing", "2", 11, 10, List.of("c"), 0)));
    assertEquals("{\"ids\":[\"c\"]}", data(ROOT + "/Thing/2/resources"));
  }

  @Test
  void aRemovalOlderThanTheStoredSequenceIsRefusedAsStale() throws Exception {
    applier.upsert(Assignment.of("Thing", "2", 9, 10, List.of("live"), 0));

    // A zombie executor replaying the tombstone of the id's previous life.
    assertEquals(Outcome.STALE, applier.remove("Thing", "2", 4));

    assertEquals("{\"ids\":[\"live\"]}", data(ROOT + "/Thing/2/resources"));
    assertEquals("{\"seq\":9}", data(ROOT + "/.seq/Thing/2"));
  }

  @Test
  void aRemovedInstanceIsNotBroughtBackByAnOlderState() throws Exception {
    applier.upsert(Assignment.of("Thing", "6", 3, 10, List.of("a"), 0));
    applier.remove("Thing", "6", 4);

    assertEquals(Outcome.STALE, applier.upsert(Assignment.of("Thing", "6", 3, 10, List.of("a"), 0)));
    assertEquals(Outcome.STALE, applier.replace(Assignment.of("Thing", "6", 2, 10, List.of("old"), 0)));

    assertNull(client.checkExists().forPath(ROOT + "/Thing/6"));
  }

  @Test
  void aRemovalOfAnInstanceNeverWrittenStillRecordsItsSequence() throws Exception {
    assertEquals(Outcome.ALREADY_ABSENT, applier.remove("Thing", "8", 5));

    assertEquals(Outcome.STALE, applier.upsert(Assignment.of("Thing", "8", 4, 10, List.of("late"), 0)));
    assertNull(client.checkExists().forPath(ROOT + "/Thing/8"));
  }

  @Test
  void aChangeOfAReusedIdReplacesWhatItsOldLifeLeft() throws Exception {
    applier.upsert(Assignment.of("Thing", "5", 3, 10, List.of("a"), 0));
    client.create().forPath(ROOT + "/Thing/5/tmp/worker-flag");

    assertEquals(Outcome.APPLIED, applier.apply(ZooKeeperApplier.Change.of(Assignment.of("Thing", "5", 5, 10, List.of("b"), 0), true)));

    assertEquals("{\"ids\":[\"b\"]}", data(ROOT + "/Thing/5/resources"));
    assertEquals(List.of(), client.getChildren().forPath(ROOT + "/Thing/5/tmp"));
  }

  @Test
  void aChangeOfALiveInstanceIsWrittenInPlace() throws Exception {
    applier.upsert(Assignment.of("Thing", "5", 3, 10, List.of("a"), 0));
    client.create().forPath(ROOT + "/Thing/5/tmp/worker-flag");

    assertEquals(Outcome.APPLIED, applier.apply(ZooKeeperApplier.Change.of(Assignment.of("Thing", "5", 4, 10, List.of("b"), 0), false)));

    assertEquals("{\"ids\":[\"b\"]}", data(ROOT + "/Thing/5/resources"));
    assertEquals(List.of("worker-flag"), client.getChildren().forPath(ROOT + "/Thing/5/tmp"), "what the worker keeps there stays");
  }

  @Test
  void aRemovalChangeDeletesTheInstanceAtItsSequence() throws Exception {
    applier.upsert(Assignment.of("Thing", "5", 3, 10, List.of("a"), 0));

    assertEquals(Outcome.REMOVED, applier.apply(ZooKeeperApplier.Change.removal("Thing", "5", 4)));

    assertNull(client.checkExists().forPath(ROOT + "/Thing/5"));
    assertEquals("{\"seq\":4}", data(ROOT + "/.seq/Thing/5"));
  }

  @Test
  void replaceRewritesTheSubtreeWhenNewer() throws Exception {
    applier.upsert(Assignment.of("Thing", "4", 12, 10, List.of("a"), 5));
    client.create().forPath(ROOT + "/Thing/4/tmp/worker-flag");

    assertEquals(Outcome.APPLIED, applier.replace(Assignment.of("Thing", "4", 14, 10, List.of("z"), 0)));

    assertEquals("{\"ids\":[\"z\"]}", data(ROOT + "/Thing/4/resources"));
    assertEquals("{\"seq\":14}", data(ROOT + "/.seq/Thing/4"));
    assertEquals(List.of(), client.getChildren().forPath(ROOT + "/Thing/4/tmp"), "the old life's subtree is gone");
  }

  @Test
  void replaceOlderThanTheStoredSequenceIsRefused() throws Exception {
    applier.upsert(Assignment.of("Thing", "4", 12, 10, List.of("live"), 5));

    assertEquals(Outcome.STALE, applier.replace(Assignment.of("Thing", "4", 0, 10, List.of("zombie"), 0)));
    assertEquals(Outcome.ALREADY_APPLIED, applier.replace(Assignment.of("Thing", "4", 12, 10, List.of("live"), 5)));

    assertEquals("{\"ids\":[\"live\"]}", data(ROOT + "/Thing/4/resources"));
    assertEquals("{\"seq\":12}", data(ROOT + "/.seq/Thing/4"));
  }

  @Test
  void aRemovalRacingANewerWriteOfAnotherExecutorLosesTheRace() throws Exception {
    applier.upsert(Assignment.of("Thing", "7", 1, 10, List.of("a"), 0));
    CuratorFramework other = connected(config(null));
    try {
      new ZooKeeperApplier(other, ROOT, Duration.ofMillis(500)).upsert(Assignment.of("Thing", "7", 9, 10, List.of("b"), 0));
    } finally {
      other.close();
    }

    assertEquals(Outcome.STALE, applier.remove("Thing", "7", 2));
    assertEquals("{\"ids\":[\"b\"]}", data(ROOT + "/Thing/7/resources"));
  }

  @Test
  void adoptsAnInstanceWrittenWithoutBookkeeping() throws Exception {
    // A plan written by the original Node.js orchestrator: the layout, no .seq tree.
    client.create().creatingParentsIfNeeded().forPath(ROOT + "/Thing/5", "{\"used\":1,\"count\":9}".getBytes(StandardCharsets.UTF_8));
    client.create().forPath(ROOT + "/Thing/5/resources", "{\"ids\":[\"x\"]}".getBytes(StandardCharsets.UTF_8));

    assertEquals(Outcome.APPLIED, applier.upsert(Assignment.of("Thing", "5", 3, 9, List.of("x", "y"), 1)));

    assertEquals("{\"ids\":[\"x\",\"y\"]}", data(ROOT + "/Thing/5/resources"));
    assertNotNull(client.checkExists().forPath(ROOT + "/Thing/5/tmp"));
  }

  @Test
  void withDigestAuthWorkersCanReadButNotWrite() throws Exception {
    try (CuratorFramework authenticated = ZooKeeperClients.create(config("orchestrator:s3cret"));
        CuratorFramework worker =
            CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100))) {
      worker.start();
      ZooKeeperApplier secured = new ZooKeeperApplier(authenticated, "/secured", Duration.ofSeconds(2));
      secured.upsert(Assignment.of("Thing", "0", 1, 10, List.of("a"), 0));

      List<ACL> acl = worker.getACL().forPath("/secured/Thing/0/resources");
      assertTrue(acl.stream().anyMatch(a -> a.getId().getScheme().equals("digest") && a.getPerms() == ZooDefs.Perms.ALL), acl::toString);
      assertTrue(acl.stream().anyMatch(a -> a.getId().equals(ZooDefs.Ids.ANYONE_ID_UNSAFE) && a.getPerms() == ZooDefs.Perms.READ), acl::toString);
      assertEquals("{\"ids\":[\"a\"]}", new String(worker.getData().forPath("/secured/Thing/0/resources"), StandardCharsets.UTF_8));
      assertThrows(KeeperException.NoAuthException.class, () -> worker.setData().forPath("/secured/Thing/0", new byte[0]));
      assertThrows(KeeperException.NoAuthException.class, () -> worker.delete().forPath("/secured/Thing/0/tmp"));

      // The orchestrator itself keeps full control, through updates and removal.
      secured.upsert(Assignment.of("Thing", "0", 2, 10, List.of("a", "b"), 1));
      assertEquals(Outcome.REMOVED, secured.remove("Thing", "0", 3));
    }
  }

  @Test
  void aWorkerWithoutRightsCannotBreakTheApplierIntoRetryingForever() throws Exception {
    try (CuratorFramework authenticated = ZooKeeperClients.create(config("orchestrator:s3cret"))) {
      new ZooKeeperApplier(authenticated, ROOT, Duration.ofSeconds(2)).upsert(Assignment.of("Thing", "0", 1, 10, List.of("a"), 0));
    }
    // The open client is not the creator: the refusal is a command failure, not an outage.
    assertThrows(CommandFailedException.class, () -> applier.upsert(Assignment.of("Thing", "0", 2, 10, List.of("b"), 0)));
  }

  @Test
  void zooKeeperDownIsUnavailableAndTheWriteSucceedsOnceItIsBack() throws Exception {
    server.stop();

    assertThrows(DependencyUnavailableException.class, () -> applier.upsert(Assignment.of("Thing", "0", 1, 10, List.of("a"), 0)));

    server.restart();
    await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(DependencyUnavailableException.class)
        .until(() -> applier.upsert(Assignment.of("Thing", "0", 1, 10, List.of("a"), 0)) == Outcome.APPLIED);
    assertEquals("{\"ids\":[\"a\"]}", data(ROOT + "/Thing/0/resources"));
  }
}
