package iota.orchestrator.executor;

import iota.orchestrator.executor.CommandRecords.InstanceKey;
import iota.orchestrator.model.Assignment;
import iota.orchestrator.model.InvalidRecordException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.ThreadUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The assignments' part of a round: applies one partition's batch of {@code
 * iota.orchestrator.assignments} to ZooKeeper.
 *
 * <p>The records of one instance are coalesced to its newest state (or its removal), and {@link
 * ZooKeeperApplier#apply} decides how that is written. Different instances are different znodes,
 * so their writes are independent: they go out together on a small pool of writer threads, which
 * ZooKeeper pipelines on one session, and the outcomes are taken in order on the loop thread.
 * Assignments carry whole states, so one instance that fails does not hold back the others; the
 * batch continues from the first record of the first instance not finished with.
 */
final class AssignmentRound implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AssignmentRound.class);

  private final ZooKeeperApplier zookeeper;
  private final Retries retries;
  private final ExecutorService writers;

  /**
   * @param writers how many instances are written to ZooKeeper at once
   */
  AssignmentRound(ZooKeeperApplier zookeeper, int writers, Retries retries) {
    this.zookeeper = zookeeper;
    this.retries = retries;
    this.writers = Executors.newFixedThreadPool(writers, ThreadUtils.createThreadFactory("iota-executor-zookeeper-%d", true));
  }

  /** Applies the newest state of each instance in the batch; returns the offset to continue from. */
  long apply(List<ConsumerRecord<byte[], byte[]>> batch, Round round) {
    long blockedAt = Long.MAX_VALUE;
    Map<String, Instance> instances = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : batch) {
      try {
        InstanceKey key = CommandRecords.key(record.key());
        Assignment state = CommandRecords.assignment(key, record.value());
        long seq = state == null ? CommandRecords.tombstoneSeq(record.headers()) : state.seq();
        instances.computeIfAbsent(key.toString(), k -> new Instance(key, record.offset())).add(record, state, seq);
      } catch (InvalidRecordException e) {
        if (!retries.unreadable(record, e, round)) {
          blockedAt = Math.min(blockedAt, record.offset());
        }
      }
    }
    List<Map.Entry<Instance, Future<ZooKeeperApplier.Outcome>>> writes = new ArrayList<>();
    for (Instance instance : instances.values()) {
      writes.add(Map.entry(instance, writers.submit(() -> write(instance, round))));
    }
    for (Map.Entry<Instance, Future<ZooKeeperApplier.Outcome>> write : writes) {
      Instance instance = write.getKey();
      try (MDC.MDCCloseable ignored = MDC.putCloseable(Executor.MDC_COMMAND_ID, instance.commandId())) {
        try {
          ZooKeeperApplier.Outcome outcome = outcome(write.getValue());
          if (outcome == null) {
            blockedAt = Math.min(blockedAt, instance.firstOffset);
            continue;
          }
          log.debug("{}: {}", instance.key, outcome);
          retries.applied(instance.last);
        } catch (DependencyUnavailableException e) {
          log.warn("ZooKeeper unavailable, will retry {} without counting an attempt: {}", instance.key, e.getMessage());
          round.zooKeeperFoundDown();
          blockedAt = Math.min(blockedAt, instance.firstOffset);
        } catch (RuntimeException e) {
          if (!retries.failed(instance.last, e, round)) {
            blockedAt = Math.min(blockedAt, instance.firstOffset);
          }
        }
      }
    }
    return blockedAt == Long.MAX_VALUE ? batch.get(batch.size() - 1).offset() + 1 : blockedAt;
  }

  /**
   * Writes one instance on a writer thread; null when it was not tried (ZooKeeper already found
   * down in this round, or the round over), so that it is retried with the next round or start.
   */
  private ZooKeeperApplier.Outcome write(Instance instance, Round round) {
    if (round.zooKeeperDown() || round.over()) {
      return null;
    }
    try (MDC.MDCCloseable ignored = MDC.putCloseable(Executor.MDC_COMMAND_ID, instance.commandId())) {
      return zookeeper.apply(instance.change());
    } catch (DependencyUnavailableException e) {
      round.zooKeeperFoundDown();
      throw e;
    }
  }

  private static ZooKeeperApplier.Outcome outcome(Future<ZooKeeperApplier.Outcome> write) {
    try {
      return write.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DependencyUnavailableException("interrupted while writing to ZooKeeper", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new CommandFailedException("writing to ZooKeeper failed: " + e.getCause(), e.getCause());
    }
  }

  /** Stops the writer threads; called once the loop no longer runs rounds. */
  @Override
  public void close() {
    writers.shutdownNow();
  }

  /** The records of one instance in a batch, coalesced to the one change worth writing. */
  private static final class Instance {
    final InstanceKey key;
    final long firstOffset;
    ConsumerRecord<byte[], byte[]> last;
    /** The newest state, or null when the newest record is a tombstone. */
    Assignment state;
    /** The newest record's sequence: the state's, or the tombstone's from its header. */
    long seq;
    boolean tombstoneBefore;

    Instance(InstanceKey key, long firstOffset) {
      this.key = key;
      this.firstOffset = firstOffset;
    }

    void add(ConsumerRecord<byte[], byte[]> record, Assignment newState, long newSeq) {
      if (last != null && state == null) {
        // The instance was removed and its id taken again in this batch: remove, then write anew.
        tombstoneBefore = true;
      }
      last = record;
      state = newState;
      seq = newSeq;
    }

    ZooKeeperApplier.Change change() {
      return state == null
          ? ZooKeeperApplier.Change.removal(key.resource(), key.instanceId(), seq)
          : ZooKeeperApplier.Change.of(state, tombstoneBefore);
    }

    String commandId() {
      return key + (state == null ? "@removed@" : "@") + seq;
    }
  }
}
