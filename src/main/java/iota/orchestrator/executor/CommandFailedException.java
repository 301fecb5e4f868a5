package iota.orchestrator.executor;

/**
 * Applying one command failed for a reason tied to that command (refused by ZooKeeper ACLs, rejected
 * by the Kubernetes API, a missing pod template, a re-create that timed out). Counts as an attempt;
 * after {@code iota.executor.max.attempts} of them the command goes to the dead-letter topic.
 */
public final class CommandFailedException extends RuntimeException {
  public CommandFailedException(String message, Throwable cause) {
    super(message, cause);
  }

  public CommandFailedException(String message) {
    super(message);
  }
}
