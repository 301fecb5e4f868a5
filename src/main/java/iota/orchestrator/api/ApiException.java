package iota.orchestrator.api;

/** A request that gets a JSON error answer with this status; the message goes to the client. */
final class ApiException extends RuntimeException {
  private final int status;

  ApiException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  int status() {
    return status;
  }
}
