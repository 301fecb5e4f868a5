package iota.orchestrator.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
