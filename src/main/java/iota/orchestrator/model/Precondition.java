package iota.orchestrator.model;

import java.util.Objects;

/**
 * A condition an executor checks before it applies a command: the assignment of instance {@code key}
 * ({@code <Resource>/<instanceId>}) must already be in ZooKeeper at sequence {@code seq} or later.
 * This is how a load move stays make-before-break (issue 12 §4) when the receiving and the giving
 * instance's assignments sit on different partitions, possibly applied by different executors: the
 * giver's record names the receiver's, and waits for it; and how a scale-down deletes a pod only once
 * its emptied assignment is written.
 */
public record Precondition(String key, long seq) {
  public Precondition {
    Objects.requireNonNull(key, "key");
    if (seq < 0) {
      throw new IllegalArgumentException("seq must be >= 0, got " + seq);
    }
  }
}
