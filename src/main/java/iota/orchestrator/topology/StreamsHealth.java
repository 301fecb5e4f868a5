package iota.orchestrator.topology;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Whether the stream app really works, for {@code /healthz}, {@code /readyz} and {@code
 * /metrics}. The Streams client's state alone stays RUNNING while a failing stream thread is
 * replaced every few seconds, so this also remembers every stream-thread failure (the uncaught
 * exception handler reports them) and watches each thread's commit count: a thread that keeps
 * processing without ever committing (a task whose transaction keeps aborting) is stuck too.
 *
 * <ul>
 *   <li>Ready: the client is RUNNING, no thread failed within {@code iota.health.failure.window},
 *       and no thread has processed records without committing for {@link #commitStallAfter}.
 *   <li>Live: the client is not in ERROR, and threads did not fail {@link #LOOP_FAILURES} times
 *       within the window (being replaced in a loop; a restart is the honest next step).
 * </ul>
 *
 * <p>Thread-safe: the stream threads report failures, the HTTP threads read reports.
 */
public final class StreamsHealth {
  /** This many thread failures within the window is a replacement loop. */
  public static final int LOOP_FAILURES = 3;

  private static final String THREAD_GROUP = "stream-thread-metrics";
  private static final int MAX_REASON = 400;

  /** The conditions a report can name; bounded, so they can be metric tags. */
  public enum Condition {
    NOT_RUNNING,
    THREAD_FAILED,
    THREAD_REPLACEMENT_LOOP,
    COMMIT_STALLED
  }

  /** One problem: its condition and a human reason. */
  public record Problem(Condition condition, String reason) {}

  /**
   * What the probes answer.
   *
   * @param streams the Streams client's state
   * @param live false when a restart is the right response
   * @param ready true when the app should take traffic
   * @param problems why it is not ready or not live; empty when healthy
   * @param threadFailures stream-thread failures since start
   * @param lastFailure the last failure's reason, or null
   * @param lastFailureAt when it happened, or null
   */
  public record Report(
      KafkaStreams.State streams, boolean live, boolean ready, List<Problem> problems,
      long threadFailures, String lastFailure, Instant lastFailureAt) {

    public boolean has(Condition c) {
      return problems.stream().anyMatch(p -> p.condition() == c);
    }
  }

  private final Supplier<KafkaStreams.State> state;
  private final Supplier<? extends Map<MetricName, ? extends Metric>> metrics;
  private final Duration window;
  private final Duration commitStallAfter;
  private final LongSupplier clock;

  private final Deque<Long> recentFailures = new ArrayDeque<>();
  private long failures;
  private String lastFailure;
  private long lastFailureAt;
  /** Per thread: commit count and process count when the commit count last changed, and when. */
  private final Map<String, long[]> commits = new HashMap<>();

  /**
   * @param state the Streams client's state
   * @param metrics the Streams client's metrics (thread-level commit and process totals)
   * @param window how long a thread failure keeps the app not ready
   * @param commitStallAfter how long a thread may process without committing
   * @param clock wall-clock milliseconds
   */
  public StreamsHealth(
      Supplier<KafkaStreams.State> state,
      Supplier<? extends Map<MetricName, ? extends Metric>> metrics,
      Duration window,
      Duration commitStallAfter,
      LongSupplier clock) {
    this.state = state;
    this.metrics = metrics;
    this.window = window;
    this.commitStallAfter = commitStallAfter;
    this.clock = clock;
  }

  /** For a running client: its state and metrics, the system clock. */
  public static StreamsHealth of(KafkaStreams streams, Duration window, Duration commitStallAfter) {
    return new StreamsHealth(streams::state, streams::metrics, window, commitStallAfter, System::currentTimeMillis);
  }

  /** A stream thread died with {@code e} (called from the uncaught exception handler). */
  public synchronized void threadFailed(Throwable e) {
    long now = clock.getAsLong();
    failures++;
    lastFailure = reason(e);
    lastFailureAt = now;
    recentFailures.addLast(now);
    prune(now);
  }

  public synchronized Report report() {
    long now = clock.getAsLong();
    prune(now);
    KafkaStreams.State s = state.get();
    List<Problem> problems = new ArrayList<>();
    boolean live = s != KafkaStreams.State.ERROR && s != KafkaStreams.State.PENDING_ERROR;
    if (s != KafkaStreams.State.RUNNING) {
      problems.add(new Problem(Condition.NOT_RUNNING, "Kafka Streams is " + s));
    }
    if (!recentFailures.isEmpty()) {
      String when = Duration.ofMillis(now - lastFailureAt).toSeconds() + " s ago";
      if (recentFailures.size() >= LOOP_FAILURES) {
        live = false;
        problems.add(new Problem(Condition.THREAD_REPLACEMENT_LOOP, "stream threads failed " + recentFailures.size()
            + " times within " + window.toSeconds() + " s and are being replaced in a loop; last " + when + ": " + lastFailure));
      } else {
        problems.add(new Problem(Condition.THREAD_FAILED, "a stream thread failed " + when + " and was replaced: " + lastFailure));
      }
    }
    if (s == KafkaStreams.State.RUNNING) {
      stalledThreads(now, problems);
    }
    return new Report(s, live, problems.isEmpty(), List.copyOf(problems), failures, lastFailure,
        lastFailure == null ? null : Instant.ofEpochMilli(lastFailureAt));
  }

  /** Threads that processed records since their last commit, longer ago than the stall limit. */
  private void stalledThreads(long now, List<Problem> problems) {
    Map<String, long[]> seen = new HashMap<>();
    for (var e : metrics.get().entrySet()) {
      MetricName n = e.getKey();
      if (!THREAD_GROUP.equals(n.group())) {
        continue;
      }
      int slot = n.name().equals("commit-total") ? 0 : n.name().equals("process-total") ? 1 : -1;
      String thread = n.tags().get("thread-id");
      if (slot < 0 || thread == null || !(e.getValue().metricValue() instanceof Number v)) {
        continue;
      }
      seen.computeIfAbsent(thread, t -> new long[2])[slot] = v.longValue();
    }
    commits.keySet().retainAll(seen.keySet());
    for (var e : seen.entrySet()) {
      long commitTotal = e.getValue()[0];
      long processTotal = e.getValue()[1];
      long[] last = commits.get(e.getKey());
      if (last == null || last[0] != commitTotal) {
        commits.put(e.getKey(), new long[] {commitTotal, processTotal, now});
        continue;
      }
      long since = now - last[2];
      if (processTotal > last[1] && since >= commitStallAfter.toMillis()) {
        problems.add(new Problem(Condition.COMMIT_STALLED, "stream thread " + e.getKey() + " processed " + (processTotal - last[1])
            + " records without a commit for " + Duration.ofMillis(since).toSeconds() + " s"));
      }
    }
  }

  private void prune(long now) {
    while (!recentFailures.isEmpty() && now - recentFailures.peekFirst() > window.toMillis()) {
      recentFailures.removeFirst();
    }
  }

  /** The exception and its innermost cause, one line, bounded. */
  static String reason(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String s = e.getClass().getSimpleName() + ": " + e.getMessage();
    if (root != e) {
      s += " (caused by " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
    s = s.replace('\n', ' ').replace('\r', ' ');
    return s.length() <= MAX_REASON ? s : s.substring(0, MAX_REASON) + "…";
  }
}
