package iota.orchestrator.executor;

import iota.orchestrator.orphans.Observed;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ZooKeeper side of the orphan sweep: lists the instance znodes under the plan root ({@code
 * <root>/<Resource>/<id>} and the bookkeeping {@code <root>/.seq/<Resource>/<id>}, see {@link
 * ZooKeeperApplier}), and removes one orphan.
 *
 * <p>The identity of a znode is its creation zxid, so a node deleted and created again is a new
 * one. A removal reads the subtree again and deletes it in one transaction in which every delete
 * carries the version just read, so a write that lands in between makes the whole transaction fail
 * (and the node is judged again at the next sweep). An instance node's bookkeeping node goes in the
 * same transaction. A folder under the root that is not a configured type is observed as one
 * object of that type (the decision calls it foreign and leaves it).
 */
final class OrphanZnodes {
  private static final Logger log = LoggerFactory.getLogger(OrphanZnodes.class);

  private final CuratorFramework client;
  private final String root;

  OrphanZnodes(CuratorFramework client, String root) {
    this.client = client;
    this.root = root;
  }

  /** Every instance znode and bookkeeping node under the root, and one entry per unconfigured folder. */
  List<Observed> list(Set<String> types) throws Exception {
    List<Observed> out = new ArrayList<>();
    for (String folder : children(root)) {
      String path = ZKPaths.makePath(root, folder);
      if (folder.equals(ZooKeeperApplier.SEQ_DIR)) {
        for (String type : children(path)) {
          addInstances(out, ZKPaths.makePath(path, type), type, types, true);
        }
      } else {
        addInstances(out, path, folder, types, false);
      }
    }
    return out;
  }

  /**
   * @param fences the folder is {@code .seq/<type>}: a sequence node without its instance znode is
   *     the fence a removal leaves (see {@link ZooKeeperApplier}), expected, never an orphan
   */
  private void addInstances(List<Observed> out, String folder, String type, Set<String> types, boolean fences) throws Exception {
    if (!types.contains(type)) {
      Stat stat = client.checkExists().forPath(folder);
      if (stat != null) {
        out.add(new Observed(Observed.Kind.znode, folder, type, null, Long.toString(stat.getCzxid())));
      }
      return;
    }
    for (String id : children(folder)) {
      String path = ZKPaths.makePath(folder, id);
      if (fences && client.checkExists().forPath(ZKPaths.makePath(root, type, id)) == null) {
        continue;
      }
      Stat stat = client.checkExists().forPath(path);
      if (stat != null) {
        out.add(new Observed(Observed.Kind.znode, path, type, id, Long.toString(stat.getCzxid())));
      }
    }
  }

  /** The znode's identity now, or null when it is gone. */
  String identity(String path) throws Exception {
    Stat stat = client.checkExists().forPath(path);
    return stat == null ? null : Long.toString(stat.getCzxid());
  }

  /**
   * Deletes the judged node, its subtree and (for an instance node) its bookkeeping node in one
   * version-checked transaction; false when it changed or went since it was judged.
   */
  boolean remove(Observed judged) throws Exception {
    List<CuratorOp> ops = new ArrayList<>();
    Stat top = new Stat();
    if (!addSubtree(judged.name(), ops, top) || !judged.identity().equals(Long.toString(top.getCzxid()))) {
      return false;
    }
    String seqNode = ZKPaths.makePath(root, ZooKeeperApplier.SEQ_DIR, judged.resource(), judged.instanceId());
    if (!judged.name().equals(seqNode) && judged.instanceId() != null && !judged.instanceId().contains("/")) {
      Stat seq = client.checkExists().forPath(seqNode);
      if (seq != null) {
        ops.add(client.transactionOp().delete().withVersion(seq.getVersion()).forPath(seqNode));
      }
    }
    try {
      client.transaction().forOperations(ops);
    } catch (KeeperException.BadVersionException | KeeperException.NoNodeException | KeeperException.NotEmptyException e) {
      log.info("orphan znode {} changed before its removal ({}); judging it again at the next sweep", judged.name(), e.code());
      return false;
    }
    return true;
  }

  /** Adds version-checked deletes of the subtree, children first; false when the node is gone. */
  private boolean addSubtree(String path, List<CuratorOp> ops, Stat stat) throws Exception {
    List<String> kids;
    try {
      kids = client.getChildren().storingStatIn(stat).forPath(path);
    } catch (KeeperException.NoNodeException e) {
      return false;
    }
    for (String kid : kids) {
      if (!addSubtree(ZKPaths.makePath(path, kid), ops, new Stat())) {
        return false;
      }
    }
    ops.add(client.transactionOp().delete().withVersion(stat.getVersion()).forPath(path));
    return true;
  }

  private List<String> children(String path) throws Exception {
    try {
      return client.getChildren().forPath(path);
    } catch (KeeperException.NoNodeException e) {
      return List.of();
    }
  }
}
