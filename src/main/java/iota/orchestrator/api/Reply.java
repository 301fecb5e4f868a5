package iota.orchestrator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
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

  /**
   * The project mapper, but writing nulls: clients of the API see {@code "podPhase": null} rather
   * than a missing field, so every documented field is always there.
   */
  private static final ObjectMapper API_JSON =
      Json.MAPPER.copy().setDefaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.ALWAYS, JsonInclude.Include.ALWAYS));

  public Reply {
    headers = Map.copyOf(headers);
  }

  /** 200 with {@code value} as JSON. */
  public static Reply ok(Object value) {
    return new Reply(200, json(value), Map.of());
  }

  static String json(Object value) {
    try {
      return API_JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
    }
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
