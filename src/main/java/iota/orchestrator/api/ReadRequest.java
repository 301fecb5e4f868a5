package iota.orchestrator.api;

/**
 * A read as received over HTTP, with what forwarding it to another app instance needs.
 *
 * @param type the resource type name (already known to be configured)
 * @param pathAndQuery the request path with its query string, replayed verbatim when forwarded
 * @param authorization the caller's {@code Authorization} header, or null
 * @param forwarded the request came from another app instance: answer from local state only
 * @param allowStale the sender asked this instance as a standby: a standby (stale) copy may answer
 */
public record ReadRequest(String type, String pathAndQuery, String authorization, boolean forwarded, boolean allowStale) {

  /** A request as a client sends it, not forwarded. */
  public static ReadRequest direct(String type, String pathAndQuery, String authorization) {
    return new ReadRequest(type, pathAndQuery, authorization, false, false);
  }
}
