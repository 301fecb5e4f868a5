package iota.orchestrator.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.topology.StreamsHealth.Condition;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

class StreamsHealthTest {
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.RUNNING);
  private final Map<MetricName, Metric> metrics = new HashMap<>();
  private final StreamsHealth health =
      new StreamsHealth(state::get, () -> metrics, Duration.ofMinutes(2), Duration.ofSeconds(30), now::get);

  private void threadTotals(String thread, long commits, long processed) {
    put(thread, "commit-total", commits);
    put(thread, "process-total", processed);
  }

  private void put(String thread, String name, long value) {
    MetricName n = new MetricName(name, "stream-thread-metrics", "", Map.of("thread-id", thread));
    metrics.put(n, new Metric() {
      @Override
      public MetricName metricName() {
        return n;
      }

      @Override
      public Object metricValue() {
        return (double) value;
      }
    });
  }

  @Test
  void aRunningClientWithoutFailuresIsReadyAndLive() {
    StreamsHealth.Report r = health.report();
    assertTrue(r.ready());
    assertTrue(r.live());
    assertTrue(r.problems().isEmpty());
  }

  @Test
  void aReplacedThreadMakesTheAppNotReadyWithTheReasonUntilTheWindowPasses() {
    health.threadFailed(new StreamsException("Error encountered sending record", new IllegalStateException("boom")));
    StreamsHealth.Report r = health.report();
    assertEquals(KafkaStreams.State.RUNNING, r.streams(), "Streams itself still says RUNNING");
    assertFalse(r.ready());
    assertTrue(r.live());
    assertTrue(r.has(Condition.THREAD_FAILED));
    assertTrue(r.problems().get(0).reason().contains("caused by IllegalStateException: boom"), r.problems().toString());
    now.addAndGet(Duration.ofMinutes(2).toMillis() + 1);
    assertTrue(health.report().ready());
    assertEquals(1, health.report().threadFailures());
  }

  @Test
  void threadsReplacedInALoopMakeTheAppNotLive() {
    for (int i = 0; i < StreamsHealth.LOOP_FAILURES; i++) {
      health.threadFailed(new StreamsException("RecordTooLargeException"));
      now.addAndGet(10_000);
    }
    StreamsHealth.Report r = health.report();
    assertFalse(r.live());
    assertFalse(r.ready());
    assertTrue(r.has(Condition.THREAD_REPLACEMENT_LOOP), r.problems().toString());
  }

  @Test
  void aThreadThatProcessesWithoutCommittingIsStalled() {
    threadTotals("t-1", 5, 100);
    assertTrue(health.report().ready());
    now.addAndGet(20_000);
    threadTotals("t-1", 5, 180);
    assertTrue(health.report().ready(), "not yet past the stall limit");
    now.addAndGet(11_000);
    StreamsHealth.Report r = health.report();
    assertFalse(r.ready());
    assertTrue(r.has(Condition.COMMIT_STALLED), r.problems().toString());
    threadTotals("t-1", 6, 200);
    assertTrue(health.report().ready(), "a commit clears it");
  }

  @Test
  void anIdleThreadThatHasNothingToCommitIsFine() {
    threadTotals("t-1", 5, 100);
    health.report();
    now.addAndGet(Duration.ofMinutes(10).toMillis());
    assertTrue(health.report().ready());
  }

  @Test
  void errorStateIsNotLiveAndRebalancingIsNotReady() {
    state.set(KafkaStreams.State.REBALANCING);
    assertFalse(health.report().ready());
    assertTrue(health.report().live());
    state.set(KafkaStreams.State.ERROR);
    assertFalse(health.report().live());
  }
}
