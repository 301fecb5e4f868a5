package iota.orchestrator.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.PlanSnapshot;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The admin UI's side of the REST API: the plan, placements and orchestrate requests. */
final class Rest {
  private static final String API = "/v1/api/orchestrations/";

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String token;

  Rest(String base, String token) {
    this.base = base;
    this.token = token;
  }

  /** Where a resource runs ({@code runIn}); empty on 404 (not placed). */
  Optional<String> runIn(String type, String id) {
    HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + API + type + "/" + id + "/instances")).GET());
    if (r.statusCode() == 404) {
      return Optional.empty();
    }
    return Optional.of(ok(r).get("runIn").asText());
  }

  /** The plan of one type as the REST API shows it, in the shape of a {@link PlanSnapshot}. */
  PlanSnapshot plan(String type) {
    JsonNode body = ok(send(HttpRequest.newBuilder(URI.create(base + API + type)).GET()));
    PlanSnapshot plan = new PlanSnapshot();
    body.get("instances").fields().forEachRemaining(e -> {
      JsonNode i = e.getValue();
      List<String> ids = new ArrayList<>();
      i.get("resources").get("ids").forEach(n -> ids.add(n.asText()));
      plan.put(type, Integer.parseInt(e.getKey()), new PlanSnapshot.Instance(
          i.get("data").get("used").asInt(), i.get("data").get("count").asInt(), ids, i.get("_reload").get("times").asLong()));
    });
    return plan;
  }

  /** {@code POST .../orchestrate}; returns the report, failing on any status but 200. */
  JsonNode orchestrate(String type, String body) {
    return ok(send(HttpRequest.newBuilder(URI.create(base + API + type + "/orchestrate"))
        .header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))));
  }

  /** {@code GET .../:type/orphans}: the executor's last orphan report of the type. */
  JsonNode orphans(String type) {
    return ok(send(HttpRequest.newBuilder(URI.create(base + API + type + "/orphans")).GET()));
  }

  private static JsonNode ok(HttpResponse<String> r) {
    if (r.statusCode() != 200) {
      throw new AssertionError(r.request().method() + " " + r.uri() + " answered " + r.statusCode() + ": " + r.body());
    }
    return Json.tree(r.body().getBytes(StandardCharsets.UTF_8));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("REST call failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
