package iota.orchestrator.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.executor.ZooKeeperApplier;
import iota.orchestrator.executor.ZooKeeperPlanReader;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.PlanSnapshot;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;

/**
 * Reads the plan the way a worker does: straight from the ZooKeeper layout of DESIGN §2, with a
 * client of its own (so an outage or a restarted executor does not affect what the test sees).
 */
final class ZooKeeperPlan implements AutoCloseable {
  private final CuratorFramework client;
  private final String root;

  ZooKeeperPlan(String connectString, String root) {
    this.root = root;
    // Few, short retries: reads run inside Awaitility loops, which do the real waiting.
    client = CuratorFrameworkFactory.builder()
        .connectString(connectString)
        .retryPolicy(new RetryNTimes(3, 100))
        .connectionTimeoutMs(5_000)
        .sessionTimeoutMs(30_000)
        .build();
    client.start();
  }

  /** Every type's instances with their children's data; the bookkeeping tree {@code .seq} is skipped. */
  PlanSnapshot snapshot() throws Exception {
    return new ZooKeeperPlanReader(client, root).snapshot();
  }

  /** Resource id to instance id, for one type. */
  Map<String, String> placements(String type) throws Exception {
    Map<String, String> out = new HashMap<>();
    var instances = snapshot().types().get(type);
    if (instances != null) {
      instances.forEach((id, instance) -> instance.ids().forEach(r -> {
        String previous = out.put(r, String.valueOf(id));
        if (previous != null) {
          throw new AssertionError(type + " " + r + " is in instances " + previous + " and " + id);
        }
      }));
    }
    return out;
  }

  /** The last applied sequence of every instance, {@code <Resource>/<id>} to seq. */
  Map<String, Long> sequences() throws Exception {
    Map<String, Long> out = new TreeMap<>();
    String seqRoot = ZKPaths.makePath(root, ZooKeeperApplier.SEQ_DIR);
    for (String type : children(seqRoot)) {
      for (String id : children(ZKPaths.makePath(seqRoot, type))) {
        out.put(type + "/" + id, read(ZKPaths.makePath(seqRoot, type, id)).get("seq").asLong());
      }
    }
    return out;
  }

  boolean exists(String path) throws Exception {
    return client.checkExists().forPath(path) != null;
  }

  CuratorFramework client() {
    return client;
  }

  private List<String> children(String path) throws Exception {
    try {
      return client.getChildren().forPath(path);
    } catch (KeeperException.NoNodeException e) {
      return List.of();
    }
  }

  private JsonNode read(String path) throws Exception {
    return Json.tree(client.getData().forPath(path));
  }

  @Override
  public void close() {
    client.close();
  }
}
