package iota.orchestrator.executor;

import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.PlanSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;

/**
 * Reads the whole plan the way a worker does, straight from the ZooKeeper layout of DESIGN §2 that
 * the executor writes (benchmarks and tests check what workers would see with it). The executor's
 * bookkeeping tree ({@code .seq}) is not part of the plan.
 */
public final class ZooKeeperPlanReader implements AutoCloseable {
  private final CuratorFramework client;
  private final String root;
  private final boolean ownsClient;

  /** A reader with a client of its own, closed with the reader. */
  public ZooKeeperPlanReader(String connectString, String root) {
    this(CuratorFrameworkFactory.builder()
        .connectString(connectString)
        .retryPolicy(new RetryNTimes(20, 100))
        .connectionTimeoutMs(10_000)
        .sessionTimeoutMs(30_000)
        .build(), root, true);
    client.start();
  }

  /** A reader on the caller's started client, which stays the caller's to close. */
  public ZooKeeperPlanReader(CuratorFramework client, String root) {
    this(client, root, false);
  }

  private ZooKeeperPlanReader(CuratorFramework client, String root, boolean ownsClient) {
    this.client = client;
    this.root = root;
    this.ownsClient = ownsClient;
  }

  /** Every type's instances with their children's data; an instance removed while it is read is left out. */
  public PlanSnapshot snapshot() throws Exception {
    PlanSnapshot plan = new PlanSnapshot();
    for (String type : children(root)) {
      if (type.startsWith(".")) {
        continue;
      }
      for (String id : children(ZKPaths.makePath(root, type))) {
        String path = ZKPaths.makePath(root, type, id);
        JsonNode data = read(path);
        JsonNode resources = read(path + "/resources");
        JsonNode reload = read(path + "/_reload");
        if (data == null || resources == null || reload == null) {
          // deleted while we read it: the next snapshot sees the instance gone
          continue;
        }
        List<String> ids = new ArrayList<>();
        resources.get("ids").forEach(n -> ids.add(n.asText()));
        plan.put(type, Integer.parseInt(id),
            new PlanSnapshot.Instance(data.get("used").asInt(), data.get("count").asInt(), ids, reload.get("times").asLong()));
      }
    }
    return plan;
  }

  /** The instance of {@code type} whose {@code resources} lists {@code resourceId}, or null. */
  public String instanceOf(String type, String resourceId) throws Exception {
    String quoted = Json.string(resourceId);
    for (String id : children(ZKPaths.makePath(root, type))) {
      byte[] bytes = bytes(ZKPaths.makePath(root, type, id, "resources"));
      // A plain substring test first: parsing thousands of ids per poll would cost more than the poll.
      if (bytes != null && new String(bytes, StandardCharsets.UTF_8).contains(quoted)) {
        for (JsonNode n : Json.tree(bytes).get("ids")) {
          if (n.asText().equals(resourceId)) {
            return id;
          }
        }
      }
    }
    return null;
  }

  private List<String> children(String path) throws Exception {
    try {
      return client.getChildren().forPath(path);
    } catch (KeeperException.NoNodeException e) {
      return List.of();
    }
  }

  private JsonNode read(String path) throws Exception {
    byte[] bytes = bytes(path);
    return bytes == null ? null : Json.tree(bytes);
  }

  private byte[] bytes(String path) throws Exception {
    try {
      return client.getData().forPath(path);
    } catch (KeeperException.NoNodeException e) {
      return null;
    }
  }

  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }
}
