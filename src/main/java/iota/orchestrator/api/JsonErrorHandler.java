package iota.orchestrator.api;

import iota.orchestrator.model.Json;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's error page, as JSON: what Jetty answers by itself, before a request reaches Javalin's
 * routes (a request line or URI it cannot parse, a NUL or other ambiguous escape in the path, a bad
 * or duplicate {@code Host}, headers too large, an unknown HTTP version), gets the same {@code
 * {"error": "..."}} body as the API's own errors instead of an HTML page.
 *
 * <p>Installed both on the server (errors raised while parsing, before any context exists) and on
 * the servlet context (errors raised while the servlet layer checks the URI). A 4xx keeps Jetty's
 * reason, which describes the request ("Bad HostPort", "Ambiguous URI path separator"); a 5xx gets a
 * generic message, since its reason may describe the server's internals.
 */
final class JsonErrorHandler extends ErrorHandler {
  JsonErrorHandler() {
    setShowStacks(false);
    setShowCauses(false);
  }

  @Override
  public boolean errorPageForMethod(String method) {
    // Every method gets a body, not only GET and POST: a client sending PUT or a junk method
    // still parses JSON.
    return true;
  }

  @Override
  protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
    byte[] body = body(code, message);
    HttpFields.Mutable headers = response.getHeaders();
    headers.put(HttpHeader.CONTENT_TYPE, "application/json");
    headers.put(HttpHeader.CONTENT_LENGTH, body.length);
    SecurityHeaders.ALL.forEach(headers::put);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  /** The body of a response Jetty writes without a request (the request line itself was bad). */
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    SecurityHeaders.ALL.forEach((name, value) -> fields.put(new HttpField(name, value)));
    return ByteBuffer.wrap(body(status, reason));
  }

  private static byte[] body(int code, String message) {
    String text;
    if (code >= 500) {
      text = code == HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505 ? "HTTP version not supported" : "internal error";
    } else if (message == null || message.isBlank()) {
      String reason = HttpStatus.getMessage(code);
      text = reason == null ? "request failed" : reason.toLowerCase(Locale.ROOT);
    } else {
      text = message;
    }
    Map<String, String> json = new LinkedHashMap<>();
    json.put("error", text);
    return Json.bytes(json);
  }
}
