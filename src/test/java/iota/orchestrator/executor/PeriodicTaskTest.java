package iota.orchestrator.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The periodic runs of the executor's pollers and sweepers: schedule, failures, stop. */
class PeriodicTaskTest {
  private final List<Exception> failures = new CopyOnWriteArrayList<>();
  private PeriodicTask task;

  @AfterEach
  void stop() {
    if (task != null) {
      task.close();
    }
  }

  private PeriodicTask task(Duration interval, PeriodicTask.Run run) {
    task = new PeriodicTask("periodic-test", "the test run", interval, Duration.ofSeconds(10), run, failures::add);
    return task;
  }

  @Test
  void runsAtOnceOnANamedDaemonThreadAndGoesOnAfterAFailedRun() {
    AtomicInteger runs = new AtomicInteger();
    Set<String> threads = ConcurrentHashMap.newKeySet();
    AtomicBoolean daemon = new AtomicBoolean(true);
    // A long interval would hold the second run back: 10 ms lets the test see several in turn.
    task(Duration.ofMillis(10), () -> {
      threads.add(Thread.currentThread().getName());
      daemon.compareAndSet(true, Thread.currentThread().isDaemon());
      if (runs.incrementAndGet() == 1) {
        throw new IllegalStateException("first run fails");
      }
    }).start();

    await().until(() -> runs.get() >= 3);
    assertEquals(1, failures.size(), failures::toString);
    assertEquals("first run fails", failures.get(0).getMessage());
    assertEquals(Set.of("periodic-test"), threads);
    assertTrue(daemon.get(), "a daemon thread: it must not keep the JVM up");
  }

  @Test
  void theFirstRunDoesNotWaitForTheInterval() {
    CountDownLatch ran = new CountDownLatch(1);
    task(Duration.ofHours(1), ran::countDown).start();
    await().atMost(Duration.ofSeconds(5)).until(() -> ran.getCount() == 0);
  }

  @Test
  void startingTwiceRunsOneSchedule() {
    Set<String> threads = ConcurrentHashMap.newKeySet();
    AtomicInteger runs = new AtomicInteger();
    PeriodicTask t = task(Duration.ofHours(1), () -> {
      threads.add(Thread.currentThread().getName() + "#" + Thread.currentThread().getId());
      runs.incrementAndGet();
    });
    t.start();
    t.start();
    await().until(() -> runs.get() >= 1);
    t.close();
    assertEquals(1, runs.get(), "one schedule, one first run");
    assertEquals(1, threads.size());
  }

  @Test
  void closeInterruptsARunInProgressWaitsForItAndNoRunFollows() {
    CountDownLatch running = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    AtomicBoolean ended = new AtomicBoolean();
    AtomicInteger runs = new AtomicInteger();
    PeriodicTask t = task(Duration.ofMillis(10), () -> {
      runs.incrementAndGet();
      running.countDown();
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        interrupted.set(true);
        throw e;
      } finally {
        ended.set(true);
      }
    });
    t.start();
    await().until(() -> running.getCount() == 0);

    t.close();

    assertTrue(interrupted.get(), "the blocked run was interrupted");
    assertTrue(ended.get(), "close returned only after the run ended");
    assertEquals(1, runs.get(), "no run after close");
    assertEquals(1, failures.size(), "the owner is told of the interrupted run and decides what it means");
    assertTrue(failures.get(0) instanceof InterruptedException);
  }

  @Test
  void itCanBeStartedAgainAfterClose() {
    AtomicInteger runs = new AtomicInteger();
    PeriodicTask t = task(Duration.ofHours(1), runs::incrementAndGet);
    t.start();
    await().until(() -> runs.get() == 1);
    t.close();
    t.start();
    await().until(() -> runs.get() == 2);
    assertEquals(List.of(), failures);
  }
}
