package iota.orchestrator.executor;

import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.model.Assignment;
import iota.orchestrator.model.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the state of one instance to ZooKeeper in the layout the workers read (DESIGN §2):
 *
 * <pre>
 * &lt;root&gt;/&lt;Resource&gt;/&lt;instanceId&gt;             {"used": n, "count": cap}
 * &lt;root&gt;/&lt;Resource&gt;/&lt;instanceId&gt;/resources   {"ids": [...]}
 * &lt;root&gt;/&lt;Resource&gt;/&lt;instanceId&gt;/_reload     {"times": k}
 * &lt;root&gt;/&lt;Resource&gt;/&lt;instanceId&gt;/tmp         (empty)
 * </pre>
 *
 * Each call is one ZooKeeper transaction, so a worker never sees a half-written instance.
 *
 * <h2>Where the sequence number lives, and why</h2>
 *
 * An assignment carries a sequence number so that an older state is never written over a newer
 * one (a replay after a crash, a zombie executor during a rebalance). The check must be atomic with
 * the write, so the last applied sequence has to be in ZooKeeper, in a znode the transaction can
 * version-check. It cannot go into the instance node (its data must stay exactly {@code
 * {"used","count"}}) nor into an extra child of the instance (workers list the instance's
 * children). It lives in a bookkeeping tree beside the resource types:
 *
 * <pre>
 * &lt;root&gt;/.seq/&lt;Resource&gt;/&lt;instanceId&gt;   {"seq": s}
 * </pre>
 *
 * {@code .seq} can never be a resource type (type names cannot contain '.'), workers only read
 * {@code <root>/<their type>}, and an operator who wipes {@code <root>} wipes the bookkeeping with
 * it, so a re-created plan starting at low sequence numbers is not refused. An upsert reads the
 * stored sequence and its znode version, refuses an older sequence, treats an equal one as already
 * applied, and otherwise writes {@code setData(seq).withVersion(v)} in the same transaction as the
 * instance nodes; if another writer got in between, the transaction fails with {@code BadVersion}
 * (or {@code NodeExists}/{@code NoNode}) and the whole decision is re-read and retried. The
 * applier remembers the sequence and version it last wrote or read for each instance, so the usual
 * write of a newer state skips the read: one round trip, still guarded by the same version check (a
 * remembered version that is out of date fails the transaction, and the retry reads).
 *
 * <p>Removals and replacements are fenced the same way, so a zombie executor can neither roll an
 * instance back nor remove it: a tombstone carries the removal's sequence (the topology puts it in
 * a record header, and continues an instance id's sequence across removals), the removal deletes the
 * subtree and writes that sequence into the sequence node in one transaction, and the sequence node
 * stays. A state or a tombstone of the id's earlier life, replayed afterwards, is older than it and
 * refused as {@link Outcome#STALE}. The sequence nodes are bounded by the instance ids ever used.
 *
 * <p>Failures are split by what they mean for the command: ZooKeeper unreachable (connection loss,
 * session expiry, timeouts) is a {@link DependencyUnavailableException}; anything else (no
 * permission, a writer that keeps conflicting) is a {@link CommandFailedException}.
 */
public final class ZooKeeperApplier {
  private static final Logger log = LoggerFactory.getLogger(ZooKeeperApplier.class);

  /** Name of the bookkeeping tree under the root. */
  public static final String SEQ_DIR = ".seq";

  private static final int CONFLICT_RETRIES = 5;
  private static final byte[] EMPTY = new byte[0];

  /** What an apply did. */
  public enum Outcome {
    /** The state was written. */
    APPLIED,
    /** The same sequence was applied before; nothing written. */
    ALREADY_APPLIED,
    /** A newer sequence is already applied; nothing written. */
    STALE,
    /** The instance subtree was deleted. */
    REMOVED,
    /** There was nothing to delete. */
    ALREADY_ABSENT
  }

  private final CuratorFramework client;
  private final String root;
  private final Duration connectWait;
  private final Set<String> knownParents = ConcurrentHashMap.newKeySet();
  /** The sequence and znode version last written or read per sequence node; only ever a hint. */
  private final Map<String, Known> knownSeqs = new ConcurrentHashMap<>();

  private record Known(long seq, int version) {}

  /**
   * @param client a started client; its ACL provider decides the ACLs of created znodes (see {@link
   *     ZooKeeperClients})
   * @param root the plan root, {@code iota.zookeeper.root}
   * @param connectWait how long one call waits for a lost connection to come back before it gives
   *     up with {@link DependencyUnavailableException}
   */
  public ZooKeeperApplier(CuratorFramework client, String root, Duration connectWait) {
    this.client = client;
    this.root = root;
    this.connectWait = connectWait;
  }

  public String instancePath(String resource, String instanceId) {
    return ZKPaths.makePath(root, resource, instanceId);
  }

  public String seqPath(String resource, String instanceId) {
    return ZKPaths.makePath(root, SEQ_DIR, resource, instanceId);
  }

  /**
   * What one instance is to become, as the executor found it in a batch of assignments: {@code
   * state}, or its removal at {@code seq} when {@code state} is null. {@code reused}: the instance
   * was removed and its id taken again since it was last written (a tombstone came before this state
   * in the batch), so the state must not be written over what the old life left.
   */
  public record Change(String resource, String instanceId, long seq, Assignment state, boolean reused) {
    /** The newest state of an instance. */
    public static Change of(Assignment state, boolean reused) {
      return new Change(state.resource(), state.instanceId(), state.seq(), state, reused);
    }

    /** The removal of an instance (its tombstone) at {@code seq}. */
    public static Change removal(String resource, String instanceId, long seq) {
      return new Change(resource, instanceId, seq, null, false);
    }
  }

  /**
   * Applies a change the way its kind needs: a removal deletes the subtree ({@link #remove}), a
   * state of a re-used id replaces the old subtree ({@link #replace}), any other state is written
   * over the instance's znodes ({@link #upsert}). Each is fenced by the sequence as described above.
   */
  public Outcome apply(Change change) {
    if (change.state() == null) {
      return remove(change.resource(), change.instanceId(), change.seq());
    }
    return change.reused() ? replace(change.state()) : upsert(change.state());
  }

  /**
   * Writes the state unless an equal or newer sequence is already applied. Safe to call for
   * different instances from several threads at once (the executor does, one thread per instance).
   */
  public Outcome upsert(Assignment state) {
    return write(state.resource(), state.instanceId(), state.seq(), state, false);
  }

  /**
   * Deletes the instance subtree (a tombstone of sequence {@code seq}) unless a newer sequence is
   * already applied. The sequence node stays, holding {@code seq}, so that a state or a removal of
   * the id's earlier life, replayed later, is refused as stale.
   */
  public Outcome remove(String resource, String instanceId, long seq) {
    return write(resource, instanceId, seq, null, true);
  }

  /**
   * Deletes whatever is there and writes the state, in one transaction, unless an equal or newer
   * sequence is already applied: the instance was removed and its id taken again, so the old
   * subtree (with anything a worker left below it) goes.
   */
  public Outcome replace(Assignment state) {
    return write(state.resource(), state.instanceId(), state.seq(), state, true);
  }

  /**
   * The sequence last applied to the instance, as its bookkeeping node holds it: of its newest
   * state, or of its removal (the node outlives the instance); empty when nothing was ever applied
   * there. Read from ZooKeeper, never from what this applier remembers, since another executor may
   * be the one that wrote it.
   */
  public OptionalLong appliedSeq(String resource, String instanceId) {
    return call("reading", seqPath(resource, instanceId), resource, instanceId, () -> {
      Long seq = readSeq(seqPath(resource, instanceId), new Stat());
      return seq == null ? OptionalLong.empty() : OptionalLong.of(seq);
    });
  }

  /** The ids the workers read for the instance now; null when it has no {@code resources} znode. */
  public List<String> appliedIds(String resource, String instanceId) {
    String path = instancePath(resource, instanceId) + "/resources";
    return call("reading", path, resource, instanceId, () -> {
      byte[] data;
      try {
        data = client.getData().forPath(path);
      } catch (KeeperException.NoNodeException e) {
        return null;
      }
      Assignment.Resources resources = data == null || data.length == 0 ? null : Json.MAPPER.readValue(data, Assignment.Resources.class);
      if (resources == null) {
        throw new CommandFailedException(path + " does not hold {\"ids\": [...]}");
      }
      return resources.ids();
    });
  }

  /** One ZooKeeper operation of Curator's. */
  @FunctionalInterface
  private interface ZooKeeperCall<T> {
    T run() throws Exception;
  }

  /**
   * Runs {@code call} once connected, and turns what ZooKeeper and Curator throw into this applier's
   * two verdicts: {@link DependencyUnavailableException} (try again later) or {@link
   * CommandFailedException} (this command cannot be applied). {@code doing} ("reading", "writing")
   * and {@code path} name the operation in the message.
   */
  private <T> T call(String doing, String path, String resource, String instanceId, ZooKeeperCall<T> call) {
    awaitConnection();
    try {
      return call.run();
    } catch (KeeperException e) {
      throw translate(e, resource, instanceId);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DependencyUnavailableException("interrupted while " + doing + " " + path + " in ZooKeeper", e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      // Curator declares Exception; what is left here is neither a ZooKeeper verdict nor ours.
      throw new CommandFailedException(doing + " " + path + " failed: " + e, e);
    }
  }

  private Outcome write(String resource, String instanceId, long seq, Assignment state, boolean removeFirst) {
    return call("writing", instancePath(resource, instanceId), resource, instanceId, () -> {
      ensurePersistent(ZKPaths.makePath(root, SEQ_DIR, resource));
      if (state != null) {
        ensurePersistent(ZKPaths.makePath(root, resource));
      }
      for (int attempt = 1; ; attempt++) {
        try {
          return writeOnce(resource, instanceId, seq, state, removeFirst, attempt == 1);
        } catch (KeeperException.BadVersionException
            | KeeperException.NodeExistsException
            | KeeperException.NoNodeException
            | KeeperException.NotEmptyException e) {
          if (attempt >= CONFLICT_RETRIES) {
            throw new CommandFailedException(
                "another writer kept changing " + instancePath(resource, instanceId) + " (" + e.code() + ")", e);
          }
          log.debug("concurrent change of {} ({}), re-reading", instancePath(resource, instanceId), e.code());
          if (e instanceof KeeperException.NoNodeException) {
            knownParents.clear();
            ensurePersistent(ZKPaths.makePath(root, SEQ_DIR, resource));
            if (state != null) {
              ensurePersistent(ZKPaths.makePath(root, resource));
            }
          }
        }
      }
    });
  }

  private Outcome writeOnce(String resource, String instanceId, long seq, Assignment state, boolean removeFirst, boolean fastPath)
      throws Exception {
    String instance = instancePath(resource, instanceId);
    String seqNode = seqPath(resource, instanceId);
    Stat seqStat = new Stat();
    Known known = fastPath && !removeFirst ? knownSeqs.get(seqNode) : null;
    Long stored;
    if (known != null && seq > known.seq()) {
      // Newer than what we last saw there: write at once; the version check below still decides.
      stored = known.seq();
      seqStat.setVersion(known.version());
    } else {
      knownSeqs.remove(seqNode);
      stored = readSeq(seqNode, seqStat);
      if (stored != null) {
        knownSeqs.put(seqNode, new Known(stored, seqStat.getVersion()));
      }
    }
    String what = state == null ? "removal" : "seq";
    if (stored != null && seq < stored) {
      log.info("refused {} {} for {}: seq {} is already applied", what, seq, instance, stored);
      return Outcome.STALE;
    }
    if (stored != null && seq == stored) {
      log.debug("{} {} of {} is already applied", what, seq, instance);
      return state == null ? Outcome.ALREADY_ABSENT : Outcome.ALREADY_APPLIED;
    }
    List<CuratorOp> ops = new ArrayList<>();
    // The version-checked write of the sequence node is the guard for the whole transaction: it
    // comes first, so a writer that got in between fails it before anything else is touched.
    ops.add(
        stored == null
            ? client.transactionOp().create().forPath(seqNode, seqData(seq))
            : client.transactionOp().setData().withVersion(seqStat.getVersion()).forPath(seqNode, seqData(seq)));

    if (removeFirst) {
      List<String> subtree = subtreeDeepestFirst(instance);
      for (String path : subtree) {
        ops.add(client.transactionOp().delete().forPath(path));
      }
      if (state == null) {
        commit(ops, seqNode, seq, stored);
        log.info("removed {} at seq {} ({} znodes)", instance, seq, subtree.size());
        return subtree.isEmpty() ? Outcome.ALREADY_ABSENT : Outcome.REMOVED;
      }
      ops.add(client.transactionOp().create().forPath(instance, Json.bytes(state.data())));
      ops.add(client.transactionOp().create().forPath(instance + "/resources", Json.bytes(state.resources())));
      ops.add(client.transactionOp().create().forPath(instance + "/_reload", Json.bytes(state.reload())));
      ops.add(client.transactionOp().create().forPath(instance + "/tmp", EMPTY));
      commit(ops, seqNode, seq, stored);
      log.info("replaced {} with seq {}", instance, seq);
      return Outcome.APPLIED;
    }

    if (stored != null && fastPath) {
      // We wrote this instance before (its sequence is there), so its four znodes exist: update
      // them without asking. Should one have been deleted behind our back, the transaction fails
      // with NoNode and the retry takes the careful path below.
      ops.add(client.transactionOp().setData().forPath(instance, Json.bytes(state.data())));
      ops.add(client.transactionOp().setData().forPath(instance + "/resources", Json.bytes(state.resources())));
      ops.add(client.transactionOp().setData().forPath(instance + "/_reload", Json.bytes(state.reload())));
    } else {
      ops.add(put(instance, Json.bytes(state.data())));
      ops.add(put(instance + "/resources", Json.bytes(state.resources())));
      ops.add(put(instance + "/_reload", Json.bytes(state.reload())));
      if (client.checkExists().forPath(instance + "/tmp") == null) {
        ops.add(client.transactionOp().create().forPath(instance + "/tmp", EMPTY));
      }
    }
    commit(ops, seqNode, seq, stored);
    log.info("applied seq {} to {}", seq, instance);
    return Outcome.APPLIED;
  }

  /** Runs the transaction whose first operation writes the sequence node, and remembers what it wrote. */
  private void commit(List<CuratorOp> ops, String seqNode, long seq, Long stored) throws Exception {
    List<CuratorTransactionResult> results;
    try {
      results = client.transaction().forOperations(ops);
    } catch (Exception e) {
      knownSeqs.remove(seqNode);
      throw e;
    }
    // The first operation is the sequence node's: created (version 0) or set (its new version).
    Stat written = results.get(0).getResultStat();
    knownSeqs.put(seqNode, new Known(seq, stored == null || written == null ? 0 : written.getVersion()));
  }

  private CuratorOp put(String path, byte[] data) throws Exception {
    return client.checkExists().forPath(path) == null
        ? client.transactionOp().create().forPath(path, data)
        : client.transactionOp().setData().forPath(path, data);
  }

  private Long readSeq(String seqNode, Stat stat) throws Exception {
    byte[] data;
    try {
      data = client.getData().storingStatIn(stat).forPath(seqNode);
    } catch (KeeperException.NoNodeException e) {
      return null;
    }
    JsonNode seq = data == null || data.length == 0 ? null : Json.MAPPER.readTree(data).get("seq");
    if (seq == null || !seq.canConvertToLong()) {
      throw new CommandFailedException("bookkeeping node " + seqNode + " does not hold {\"seq\": n}");
    }
    return seq.asLong();
  }

  /** The instance node and everything below it, children before parents; empty when absent. */
  private List<String> subtreeDeepestFirst(String path) throws Exception {
    List<String> out = new ArrayList<>();
    List<String> children;
    try {
      children = client.getChildren().forPath(path);
    } catch (KeeperException.NoNodeException e) {
      return out;
    }
    for (String child : children) {
      out.addAll(subtreeDeepestFirst(ZKPaths.makePath(path, child)));
    }
    out.add(path);
    return out;
  }

  private void ensurePersistent(String path) throws Exception {
    // Parents are never deleted by us; after the first check they need no round trip. A parent
    // deleted by hand makes the write fail with NoNode, which forgets what is known and retries.
    if (knownParents.contains(path)) {
      return;
    }
    if (client.checkExists().forPath(path) != null) {
      knownParents.add(path);
      return;
    }
    try {
      // Persistent, not container: workers may watch <root>/<Resource>, and a container would be
      // deleted under them when its last instance goes away.
      client.create().creatingParentsIfNeeded().forPath(path, EMPTY);
    } catch (KeeperException.NodeExistsException e) {
      log.debug("{} was created concurrently", path);
    }
    knownParents.add(path);
  }

  private static byte[] seqData(long seq) {
    return Json.bytes(Map.of("seq", seq));
  }

  private void awaitConnection() {
    if (client.getZookeeperClient().isConnected()) {
      return;
    }
    try {
      if (!client.blockUntilConnected((int) connectWait.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new DependencyUnavailableException("ZooKeeper not connected within " + connectWait, null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DependencyUnavailableException("interrupted while waiting for ZooKeeper", e);
    }
  }

  private RuntimeException translate(KeeperException e, String resource, String instanceId) {
    String where = instancePath(resource, instanceId);
    return switch (e.code()) {
      case CONNECTIONLOSS, SESSIONEXPIRED, SESSIONMOVED, OPERATIONTIMEOUT, REQUESTTIMEOUT, THROTTLEDOP, RECONFIGINPROGRESS ->
          new DependencyUnavailableException("ZooKeeper unavailable while writing " + where + ": " + e.code(), e);
      default -> new CommandFailedException("ZooKeeper refused the write of " + where + ": " + e.code(), e);
    };
  }
}
