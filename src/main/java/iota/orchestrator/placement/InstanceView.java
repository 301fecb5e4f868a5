package iota.orchestrator.placement;

import java.util.SortedSet;

/**
 * Read-only view of one instance of a {@link TypePlan}: what the worker with this id reads from
 * ZooKeeper. The view is live: it shows later changes of the plan, so copy what must be kept.
 */
public interface InstanceView {

  /** The instance id, "0", "1", … as a number. */
  int id();

  /** Capacity: how many resources this instance may serve. */
  int count();

  /** How many resources are placed on it. */
  int used();

  /** The {@code _reload.times} counter; a bump tells the worker to re-read its configuration. */
  long reload();

  /** Its resource ids in String natural order; unmodifiable. */
  SortedSet<String> resources();
}
