package iota.orchestrator.health;

/**
 * What the health rules read of one planned instance: when it was created, heard from and
 * recreated, and what was last seen of its pod. Times are milliseconds of the caller's clock, 0 for
 * never.
 */
public interface PodLife {
  /** The instance was deleted from the plan: nothing about its pod is judged any more. */
  boolean removed();

  long createdAt();

  /** The last heartbeat, 0 when none yet. */
  long lastHeartbeat();

  /** The last recreate command, 0 when none. */
  long lastRecreate();

  /** The pod of the last create or recreate has not been seen Running, nor heard from, yet. */
  boolean startPending();

  /** UID of the pod the last recreate replaced, null when unknown or after a create. */
  String replacedUid();

  /** The last observed pod phase, null when unknown. */
  String podPhase();

  /** The pod was last seen deleted. */
  boolean podGone();
}
