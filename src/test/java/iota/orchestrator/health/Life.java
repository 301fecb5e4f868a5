package iota.orchestrator.health;

/** A {@link PodLife} built field by field, so the rules are tested without the topology's state. */
record Life(
    boolean removed, long createdAt, long lastHeartbeat, long lastRecreate, boolean startPending,
    String replacedUid, String podPhase, boolean podGone) implements PodLife {

  static Life created(long at) {
    return new Life(false, at, 0, 0, true, null, null, false);
  }

  Life heartbeat(long at) {
    return new Life(removed, createdAt, at, lastRecreate, false, replacedUid, podPhase, podGone);
  }

  Life recreated(long at) {
    return new Life(removed, createdAt, lastHeartbeat, at, true, replacedUid, podPhase, podGone);
  }

  Life pod(String phase, boolean gone) {
    return new Life(removed, createdAt, lastHeartbeat, lastRecreate, startPending && !"Running".equals(phase), replacedUid, phase, gone);
  }

  Life started() {
    return new Life(removed, createdAt, lastHeartbeat, lastRecreate, false, replacedUid, podPhase, podGone);
  }

  Life asRemoved() {
    return new Life(true, createdAt, lastHeartbeat, lastRecreate, startPending, replacedUid, podPhase, podGone);
  }
}
