package iota.orchestrator.executor;

/**
 * Closing several resources so that one that fails does not leave the others open: the executor
 * and its pod metrics poller each own a few clients.
 */
final class Closing {
  private Closing() {}

  /**
   * Closes each of {@code closeables} in order, whatever the earlier ones did, and returns what
   * went wrong: {@code failure} if it is not null, else the first failure wrapped in an
   * {@link IllegalStateException} with {@code message}, with every later failure suppressed on it;
   * null when nothing failed.
   */
  static RuntimeException closeAll(Iterable<? extends AutoCloseable> closeables, String message, RuntimeException failure) {
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException(message, e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    return failure;
  }
}
