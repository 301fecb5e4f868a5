package iota.orchestrator.executor;

import java.util.function.BooleanSupplier;

/**
 * One pass of the executor over a poll's records: its time budget, and what went wrong in it, which
 * {@link Retries} turns into the wait before the next pass.
 */
final class Round {
  private final long deadlineNanos;
  private final BooleanSupplier stopping;
  /** Set by the ZooKeeper writer threads too, hence volatile. */
  private volatile boolean zooKeeperDown;
  private boolean kubernetesDown;
  private boolean dlqDown;
  private boolean preconditionUnmet;
  private int worstAttempt;

  /**
   * @param deadlineNanos the {@link System#nanoTime()} after which the round takes no more records
   * @param stopping true once the executor is closing
   */
  Round(long deadlineNanos, BooleanSupplier stopping) {
    this.deadlineNanos = deadlineNanos;
    this.stopping = stopping;
  }

  /**
   * Out of time, or the executor is closing: the rest of the batch is not tried, stays
   * uncommitted, and is applied by the next round or the next start.
   */
  boolean over() {
    return stopping.getAsBoolean() || System.nanoTime() - deadlineNanos > 0;
  }

  boolean zooKeeperDown() {
    return zooKeeperDown;
  }

  void zooKeeperFoundDown() {
    zooKeeperDown = true;
  }

  boolean kubernetesDown() {
    return kubernetesDown;
  }

  void kubernetesFoundDown() {
    kubernetesDown = true;
  }

  void dlqFoundDown() {
    dlqDown = true;
  }

  /** A record waits for a precondition: it is re-read after a short wait, like a retry, but nothing failed. */
  void preconditionFoundUnmet() {
    preconditionUnmet = true;
  }

  boolean preconditionUnmet() {
    return preconditionUnmet;
  }

  /** A dependency was unreachable: nothing is wrong with the commands that waited for it. */
  boolean outage() {
    return zooKeeperDown || kubernetesDown || dlqDown;
  }

  void failedAttempt(int attempt) {
    worstAttempt = Math.max(worstAttempt, attempt);
  }

  /** The highest attempt number of a command that failed in this round and will be retried; 0 when none. */
  int worstAttempt() {
    return worstAttempt;
  }
}
