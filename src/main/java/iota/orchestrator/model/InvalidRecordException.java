package iota.orchestrator.model;

/**
 * A record that cannot be used: unreadable, malformed or failing validation. The message is the
 * reason that goes to the dead-letter queue, so it names the field and the problem.
 */
public final class InvalidRecordException extends RuntimeException {
  public InvalidRecordException(String reason) {
    super(reason, null, false, false);
  }
}
