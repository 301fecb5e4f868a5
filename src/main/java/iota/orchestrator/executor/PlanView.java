package iota.orchestrator.executor;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/** The current plan as the executor can know it: every instance with a live assignment. */
public interface PlanView extends AutoCloseable {

  /**
   * Every {@code <Resource>/<instanceId>} with a live assignment, read up to the end of the
   * assignments topic as of this call; a timeout when that end cannot be reached in time (then
   * nothing may be judged an orphan).
   */
  Set<String> planned(Duration timeout) throws TimeoutException;

  @Override
  default void close() {}
}
