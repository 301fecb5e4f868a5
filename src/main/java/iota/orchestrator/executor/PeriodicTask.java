package iota.orchestrator.executor;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.ThreadUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one task at once and then every interval after the previous run ended, on a daemon thread
 * of its own, until closed. A run that throws is handed to the owner's failure handler and the
 * next run comes as planned. Closing interrupts a run in progress (so a run blocked on a read or a
 * lock gives way) and waits a bounded time for it; it can be started again afterwards.
 */
final class PeriodicTask implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PeriodicTask.class);

  /** One run; it may throw, and it should give way when its thread is interrupted. */
  @FunctionalInterface
  interface Run {
    void run() throws Exception;
  }

  private final String threadName;
  private final String description;
  private final Duration interval;
  private final Duration stopTimeout;
  private final Run run;
  private final Consumer<Exception> onFailure;
  private ScheduledExecutorService timer;

  /**
   * @param threadName the name of the daemon thread
   * @param description what a run is, for the line logged when one does not stop in time
   * @param interval from the end of one run to the start of the next; {@link #start()} rejects one
   *     under a millisecond
   * @param stopTimeout how long {@link #close()} waits for a run in progress
   * @param onFailure called on the task's thread with what a run threw (an interrupted run's
   *     exception too: the owner knows which of its exceptions mean "stopped")
   */
  PeriodicTask(String threadName, String description, Duration interval, Duration stopTimeout, Run run, Consumer<Exception> onFailure) {
    this.threadName = Objects.requireNonNull(threadName);
    this.description = Objects.requireNonNull(description);
    this.interval = interval;
    this.stopTimeout = Objects.requireNonNull(stopTimeout);
    this.run = Objects.requireNonNull(run);
    this.onFailure = Objects.requireNonNull(onFailure);
  }

  /** Runs the task now, then every interval; does nothing while it is already running. */
  synchronized void start() {
    if (timer != null) {
      return;
    }
    timer = Executors.newSingleThreadScheduledExecutor(ThreadUtils.createThreadFactory(threadName, true));
    timer.scheduleWithFixedDelay(this::runReported, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void runReported() {
    try {
      run.run();
    } catch (Exception e) {
      // Caught here: an exception escaping a scheduled run would cancel every later run, silently.
      onFailure.accept(e);
    }
  }

  /** Interrupts a run in progress and waits up to the stop timeout for it; no run starts afterwards. */
  @Override
  public synchronized void close() {
    if (timer == null) {
      return;
    }
    timer.shutdownNow();
    try {
      if (!timer.awaitTermination(stopTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("{} did not stop within {} s", description, stopTimeout.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    timer = null;
  }
}
