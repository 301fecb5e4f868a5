package iota.orchestrator.executor;

/**
 * ZooKeeper, the Kubernetes API or the Kafka producer could not be reached. The command itself may
 * be fine, so the executor retries it without counting an attempt and never dead-letters it for
 * this reason: an outage must delay commands, not throw them away.
 */
public final class DependencyUnavailableException extends RuntimeException {
  public DependencyUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
