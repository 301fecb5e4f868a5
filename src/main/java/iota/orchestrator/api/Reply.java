package iota.orchestrator.api;

import iota.orchestrator.model.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An HTTP answer as data: status, JSON body and extra headers. Query code returns it instead of
 * writing to a request context, so the same answer can be produced locally, relayed verbatim from
 * another app instance, or checked in a test without a server.
 *
 * @param status HTTP status code
 * @param body JSON text
 * @param headers extra response headers (e.g. {@code Retry-After}); never null
 */
public record Reply(int status, String body, Map<String, String> headers) {

  /** Seconds a client should wait before retrying while state stores migrate or restore. */
  public static final String RETRY_AFTER_SECONDS = "1";

  public Reply {
    headers = Map.copyOf(headers);
  }

  public static Reply ok(Object value) {
    return new Reply(200, Json.string(value), Map.of());
  }

  public static Reply error(int status, String message) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("error", message);
    return new Reply(status, Json.string(body), Map.of());
  }

  /** 503 with {@code Retry-After}: the answer exists but cannot be read right now. */
  public static Reply unavailable(String message) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("error", message);
    return new Reply(503, Json.string(body), Map.of("Retry-After", RETRY_AFTER_SECONDS));
  }
}
