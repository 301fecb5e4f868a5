package iota.orchestrator.executor;

import iota.orchestrator.executor.CommandRecords.InstanceKey;
import iota.orchestrator.model.Precondition;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Tells whether the {@code after} preconditions of a command hold: each names an instance's
 * assignment that must already be in ZooKeeper at a sequence or later (a load move's receivers
 * before its giver, make-before-break; a scale-down's emptied assignment before its pod delete).
 *
 * <p>The answer comes from the bookkeeping node {@code <root>/.seq/<Resource>/<id>} that fences
 * every write ({@link ZooKeeperApplier#appliedSeq}): it holds the sequence of the instance's newest
 * state, or of its removal, and it is written in the same transaction as the instance's znodes, so
 * "the node holds {@code seq} or more" means exactly "what the workers read is that state or a newer
 * one". A removal keeps the node at the tombstone's sequence, which continues the id's sequence, so
 * an instance removed at or beyond the required sequence satisfies it too. Nothing is added to the
 * layout the workers read.
 *
 * <p>Stateless apart from the applier; safe to call from the ZooKeeper writer threads.
 */
final class Preconditions {
  private final ZooKeeperApplier zookeeper;

  Preconditions(ZooKeeperApplier zookeeper) {
    this.zookeeper = zookeeper;
  }

  /**
   * A precondition that does not hold, and what ZooKeeper has instead.
   *
   * @param found the sequence applied to that instance; empty when nothing ever was
   */
  record Unmet(Precondition precondition, OptionalLong found) {
    @Override
    public String toString() {
      return precondition.key() + " at seq >= " + precondition.seq() + " (ZooKeeper has "
          + (found.isPresent() ? "seq " + found.getAsLong() : "none") + ")";
    }
  }

  /**
   * The sequences read during one check of several records (one instance's records of a batch), so
   * that preconditions naming the same instance cost one read. A sequence only grows, so an answer
   * that satisfied a precondition still does; one that did not is read again.
   */
  static final class Reads {
    private final Map<String, OptionalLong> seqs = new HashMap<>();
  }

  /**
   * True when writing {@code ids} as the instance's resources takes none away from what the workers
   * read now (the instance has no {@code resources} znode, or every id there stays): then no
   * precondition can protect anything, and waiting for one would only hold the state back. This is
   * what lets a fresh ZooKeeper be filled from the compacted assignments, where a giver's receiver
   * may have been removed since and its tombstone compacted away, so its precondition would never
   * hold. A pod delete passes {@code ids} empty: it is safe once ZooKeeper lists nothing on the pod.
   */
  boolean takesNothingAway(String resource, String instanceId, List<String> ids) {
    List<String> applied = zookeeper.appliedIds(resource, instanceId);
    return applied == null || new HashSet<>(ids).containsAll(applied);
  }

  /** The first of {@code after} that does not hold, in list order; null when all hold. */
  Unmet firstUnmet(List<Precondition> after, Reads reads) {
    for (Precondition p : after) {
      OptionalLong found = reads.seqs.get(p.key());
      if (found == null || found.isEmpty() || found.getAsLong() < p.seq()) {
        InstanceKey key = CommandRecords.key(p.key().getBytes(StandardCharsets.UTF_8));
        found = zookeeper.appliedSeq(key.resource(), key.instanceId());
        reads.seqs.put(p.key(), found);
      }
      if (found.isEmpty() || found.getAsLong() < p.seq()) {
        return new Unmet(p, found);
      }
    }
    return null;
  }
}
