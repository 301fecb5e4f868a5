package iota.orchestrator.embedded;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import iota.orchestrator.IntegrationTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@IntegrationTest
class EmbeddedZooKeeperTest {
  @TempDir static Path dir;
  static EmbeddedZooKeeper zk;

  @BeforeAll
  static void startServer() {
    zk = EmbeddedZooKeeper.start(dir, 0);
  }

  @AfterAll
  static void stopServer() {
    zk.close();
  }

  @Test
  void znodesSurviveRestartOnSamePortAndTheSameClientReconnects() throws Exception {
    try (CuratorFramework curator = CuratorFrameworkFactory.newClient(
        zk.connectString(), 60_000, 5_000, new ExponentialBackoffRetry(100, 10))) {
      curator.start();
      curator.blockUntilConnected();
      curator.create().creatingParentsIfNeeded()
          .forPath("/iota/orchestration/Thing/0", "{\"used\":1}".getBytes(StandardCharsets.UTF_8));

      int port = zk.port();
      AtomicReference<ConnectionState> last = new AtomicReference<>();
      curator.getConnectionStateListenable().addListener((c, state) -> last.set(state));
      zk.close();
      await().atMost(Duration.ofSeconds(10)).until(() -> last.get() == ConnectionState.SUSPENDED);

      long began = System.nanoTime();
      zk = EmbeddedZooKeeper.start(dir, port);
      System.out.printf("EmbeddedZooKeeper restart took %d ms%n", (System.nanoTime() - began) / 1_000_000);

      assertEquals(port, zk.port());
      await().atMost(Duration.ofSeconds(15)).until(() -> last.get() == ConnectionState.RECONNECTED);
      assertArrayEquals("{\"used\":1}".getBytes(StandardCharsets.UTF_8),
          curator.getData().forPath("/iota/orchestration/Thing/0"));
    }
  }
}
