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
 *
 * <h2>Preconditions: make-before-break across partitions</h2>
 *
 * A record with {@code after} (a load move's giver) is written only once every instance it names is
 * in ZooKeeper at the given sequence or later ({@link Preconditions}); the receivers may sit on
 * other partitions and be applied by other executors. Coalescing must not skip that wait, so an
 * instance's records are coalesced only up to the first one whose preconditions do not hold: that
 * prefix is written (its newest state; every precondition in it held), and the instance waits at
 * that record, with the records after it, until a later round finds it holds or {@link Retries}
 * gives up on it. Coalescing the whole batch and waiting for the union of its preconditions instead
 * could wait for a state of another instance that itself waits for a state inside this batch, a
 * deadlock that applying record by record would not have. Other instances go on, as they do past a
 * failed one: their records are whole states of other znodes, and holding them back behind a giver
 * whose receiver comes later in the same partition would make that giver wait for itself. The
 * partition's offset stays at the waiting record, so the records after it are read again and found
 * already applied. When a round writes something while instances wait, those are checked again in
 * the same round, so a giver and its receiver in one batch are written in one round. A state that
 * takes no id away from what ZooKeeper holds for its instance waits for nothing ({@link
 * Preconditions#takesNothingAway}).
 */
final class AssignmentRound implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AssignmentRound.class);

  private final ZooKeeperApplier zookeeper;
  private final Preconditions preconditions;
  private final Retries retries;
  private final ExecutorService writers;

  /**
   * @param writers how many instances are written to ZooKeeper at once
   */
  AssignmentRound(ZooKeeperApplier zookeeper, int writers, Retries retries) {
    this.zookeeper = zookeeper;
    this.preconditions = new Preconditions(zookeeper);
    this.retries = retries;
    this.writers = Executors.newFixedThreadPool(writers, ThreadUtils.createThreadFactory("iota-executor-zookeeper-%d", true));
  }

  /** Applies the newest state of each instance in the batch; returns the offset to continue from. */
  long apply(List<ConsumerRecord<byte[], byte[]>> batch, Round round) {
    long blockedAt = Long.MAX_VALUE;
    Map<String, Instance> instances = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : batch) {
      if (retries.givenUp(record)) {
        continue;
      }
      try {
        InstanceKey key = CommandRecords.key(record.key());
        Assignment state = CommandRecords.assignment(key, record.value());
        long seq = state == null ? CommandRecords.tombstoneSeq(record.headers()) : state.seq();
        instances.computeIfAbsent(key.toString(), k -> new Instance(key)).add(record, state, seq);
      } catch (InvalidRecordException e) {
        if (!retries.unreadable(record, e, round)) {
          blockedAt = Math.min(blockedAt, record.offset());
        }
      }
    }
    List<Instance> pending = new ArrayList<>(instances.values());
    while (!pending.isEmpty()) {
      List<Instance> waiting = new ArrayList<>();
      boolean progress = false;
      List<Map.Entry<Instance, Future<Written>>> writes = new ArrayList<>();
      for (Instance instance : pending) {
        writes.add(Map.entry(instance, writers.submit(() -> write(instance, round))));
      }
      for (Map.Entry<Instance, Future<Written>> write : writes) {
        Instance instance = write.getKey();
        try (MDC.MDCCloseable ignored = MDC.putCloseable(Executor.MDC_COMMAND_ID, instance.commandId(instance.size()))) {
          try {
            Written written = outcome(write.getValue());
            if (written == null) {
              blockedAt = Math.min(blockedAt, instance.firstOffset());
              continue;
            }
            if (written.records() > 0) {
              log.debug("{}: {}", instance.key, written.outcome());
              for (int i = 0; i < written.records(); i++) {
                retries.applied(instance.record(i));
              }
              instance.drop(written.records());
              progress = true;
            }
            if (written.unmet() != null) {
              instance.unmet = written.unmet();
              waiting.add(instance);
            }
          } catch (DependencyUnavailableException e) {
            log.warn("ZooKeeper unavailable, will retry {} without counting an attempt: {}", instance.key, e.getMessage());
            round.zooKeeperFoundDown();
            blockedAt = Math.min(blockedAt, instance.firstOffset());
          } catch (RuntimeException e) {
            int tried = instance.tried;
            if (retries.failed(instance.record(tried), e, round)) {
              // Dead-lettered: it and the records coalesced into it are done with, not those after it.
              instance.drop(tried + 1);
            }
            if (instance.size() > 0) {
              blockedAt = Math.min(blockedAt, instance.firstOffset());
            }
          }
        }
      }
      if (progress) {
        pending = waiting;
        continue;
      }
      // Nothing was written in this pass, so what waits now waits for another executor or a later
      // round: each waiting record counts its wait, and one that waited too long is dead-lettered,
      // letting the records of its instance after it be tried at once.
      pending = new ArrayList<>();
      for (Instance instance : waiting) {
        try (MDC.MDCCloseable ignored = MDC.putCloseable(Executor.MDC_COMMAND_ID, instance.commandId(1))) {
          if (!retries.waiting(instance.record(0), instance.unmet, round)) {
            blockedAt = Math.min(blockedAt, instance.firstOffset());
            continue;
          }
        }
        instance.drop(1);
        if (instance.size() > 0) {
          pending.add(instance);
        }
      }
    }
    return blockedAt == Long.MAX_VALUE ? batch.get(batch.size() - 1).offset() + 1 : blockedAt;
  }

  /**
   * What a writer did for one instance: wrote the coalesced state of its first {@code records}
   * records ({@code outcome}; none when the first record already waits), and {@code unmet}, the
   * precondition the next record waits for, or null when all of them were written.
   */
  private record Written(int records, ZooKeeperApplier.Outcome outcome, Preconditions.Unmet unmet) {}

  /**
   * Writes one instance on a writer thread, as far as its preconditions allow; null when it was not
   * tried (ZooKeeper already found down in this round, or the round over), so that it is retried with
   * the next round or start.
   */
  private Written write(Instance instance, Round round) {
    if (round.zooKeeperDown() || round.over()) {
      return null;
    }
    try (MDC.MDCCloseable ignored = MDC.putCloseable(Executor.MDC_COMMAND_ID, instance.commandId(instance.size()))) {
      Preconditions.Reads reads = new Preconditions.Reads();
      Preconditions.Unmet unmet = null;
      int ready = 0;
      for (; ready < instance.size(); ready++) {
        Assignment state = instance.entries.get(ready).state();
        if (state != null && !state.after().isEmpty()) {
          instance.tried = ready;
          unmet = preconditions.firstUnmet(state.after(), reads);
          if (unmet != null && ready == 0
              && preconditions.takesNothingAway(instance.key.resource(), instance.key.instanceId(), state.resources().ids())) {
            log.info("writes {} without waiting for {}: it takes no resource away from what ZooKeeper has", instance.commandId(1), unmet);
            unmet = null;
          }
          if (unmet != null) {
            break;
          }
        }
      }
      if (ready == 0) {
        return new Written(0, null, unmet);
      }
      instance.tried = ready - 1;
      return new Written(ready, zookeeper.apply(instance.change(ready)), unmet);
    } catch (DependencyUnavailableException e) {
      round.zooKeeperFoundDown();
      throw e;
    }
  }

  private static Written outcome(Future<Written> write) {
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

  /** One record of an instance: its state, or null for a tombstone, and its sequence. */
  private record Entry(ConsumerRecord<byte[], byte[]> record, Assignment state, long seq) {}

  /**
   * The records of one instance in a batch not yet finished with, in order, and what coalescing
   * the first n of them writes. A writer thread sets {@link #tried}; the loop thread reads it after
   * the writer's future completed.
   */
  private static final class Instance {
    final InstanceKey key;
    final List<Entry> entries = new ArrayList<>();
    /** The record the last write or precondition check was about: the one a failure counts against. */
    volatile int tried;
    /** The precondition the first record waits for, once a writer found it unmet. */
    Preconditions.Unmet unmet;

    Instance(InstanceKey key) {
      this.key = key;
    }

    void add(ConsumerRecord<byte[], byte[]> record, Assignment state, long seq) {
      entries.add(new Entry(record, state, seq));
    }

    int size() {
      return entries.size();
    }

    ConsumerRecord<byte[], byte[]> record(int i) {
      return entries.get(i).record();
    }

    long firstOffset() {
      return entries.get(0).record().offset();
    }

    /** The first {@code n} records are finished with. */
    void drop(int n) {
      entries.subList(0, n).clear();
    }

    /**
     * The change that stands for the first {@code n} records: the newest one's state or removal. A
     * tombstone before the newest state means the instance was removed and its id taken again in
     * this batch: remove, then write anew.
     */
    ZooKeeperApplier.Change change(int n) {
      Entry newest = entries.get(n - 1);
      if (newest.state() == null) {
        return ZooKeeperApplier.Change.removal(key.resource(), key.instanceId(), newest.seq());
      }
      boolean tombstoneBefore = entries.subList(0, n - 1).stream().anyMatch(e -> e.state() == null);
      return ZooKeeperApplier.Change.of(newest.state(), tombstoneBefore);
    }

    /** The log id of the first {@code n} records' change: {@code <Resource>/<id>@<seq>}. */
    String commandId(int n) {
      if (n == 0) {
        return key.toString();
      }
      Entry newest = entries.get(n - 1);
      return key + (newest.state() == null ? "@removed@" : "@") + newest.seq();
    }
  }
}
