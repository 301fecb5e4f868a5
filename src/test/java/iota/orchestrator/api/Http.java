package iota.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.model.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A small JDK HttpClient wrapper for tests against a real server on a local port. */
final class Http {
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  Http(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  HttpResponse<String> get(String path, String... headers) {
    return send(builder(path, headers).GET());
  }

  HttpResponse<String> post(String path, String body, String... headers) {
    return send(builder(path, headers).POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  HttpResponse<String> put(String path, String body, String... headers) {
    return send(builder(path, headers).PUT(HttpRequest.BodyPublishers.ofString(body)));
  }

  HttpResponse<String> options(String path, String... headers) {
    return send(builder(path, headers).method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
  }

  /** The body of a JSON reply, after checking that the reply says it is JSON. */
  static JsonNode json(HttpResponse<String> r) {
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), "JSON content type: " + r.headers().map());
    return Json.tree(r.body().getBytes(StandardCharsets.UTF_8));
  }

  /** The {@code error} field of a JSON error reply. */
  static String error(HttpResponse<String> r) {
    JsonNode body = json(r);
    assertNotNull(body.get("error"), "error field in " + r.body());
    return body.get("error").asText();
  }

  private HttpRequest.Builder builder(String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return b;
  }

  private HttpResponse<String> send(HttpRequest.Builder b) {
    try {
      return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
