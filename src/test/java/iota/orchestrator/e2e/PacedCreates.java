package iota.orchestrator.e2e;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Publishes one create per id at a steady pace on a thread of its own, so a test can break a part
 * of the system while changes are flowing and watch how far the stream has got.
 */
final class PacedCreates implements AutoCloseable {
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "e2e-paced-creates");
    t.setDaemon(true);
    return t;
  });
  private final AtomicInteger published = new AtomicInteger();
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private final List<String> ids;

  private PacedCreates(List<String> ids) {
    this.ids = ids;
  }

  /** Starts publishing {@code ids} as creates of {@code table}, one every {@code interval}. */
  static PacedCreates start(ChangeFeed feed, String table, List<String> ids, Duration interval) {
    PacedCreates p = new PacedCreates(ids);
    p.timer.scheduleAtFixedRate(() -> {
      int next = p.published.get();
      if (next >= ids.size() || p.failure.get() != null) {
        p.timer.shutdown();
        return;
      }
      try {
        feed.create(table, ids.get(next));
        p.published.incrementAndGet();
      } catch (RuntimeException e) {
        p.failure.set(e);
      }
    }, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
    return p;
  }

  /** How many creates the broker has acknowledged; throws if publishing failed. */
  int published() {
    RuntimeException e = failure.get();
    if (e != null) {
      throw e;
    }
    return published.get();
  }

  boolean done() {
    return published() == ids.size();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
