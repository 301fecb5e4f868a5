package iota.orchestrator.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import iota.orchestrator.model.Ids;
import iota.orchestrator.model.Json;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * {@code PUT /v1/api/simulation/load/{resource}} and {@code .../{resource}/{id}}: the load of the
 * SIMULATED worker fleet's resources, per type or per resource, answered with the type's resulting
 * settings. Writes, so they take the token like every other write. Where no simulation runs (stream
 * mode, or embedded without simulated workers) both answer 404.
 */
final class SimulationRoutes {
  static final String PATH = "/v1/api/simulation/load";
  private static final Set<String> FIELDS = Set.of("cpuMillis", "memoryMiB");

  private final Set<String> types;
  private volatile SimulationControl control;

  SimulationRoutes(Set<String> types) {
    this.types = Set.copyOf(types);
  }

  void control(SimulationControl control) {
    this.control = control;
  }

  void setDefault(Context ctx) {
    SimulationControl c = control();
    String resource = resource(ctx);
    SimulationControl.Load load = load(ctx.bodyAsBytes(), ctx.contentType());
    ok(ctx, c.setDefault(resource, load));
  }

  void setResource(Context ctx) {
    SimulationControl c = control();
    String resource = resource(ctx);
    String id = ctx.pathParam("id");
    String problem = Ids.problem(id);
    if (problem != null) {
      throw new ApiException(400, "resource id " + problem);
    }
    SimulationControl.Load load = load(ctx.bodyAsBytes(), ctx.contentType());
    ok(ctx, c.setResource(resource, id, load));
  }

  private SimulationControl control() {
    SimulationControl c = control;
    if (c == null) {
      throw new ApiException(404, "no simulated load here: only embedded mode with simulated workers has one");
    }
    return c;
  }

  private String resource(Context ctx) {
    String name = ctx.pathParam("resource");
    if (!types.contains(name)) {
      throw new ApiException(404, "unknown resource type '" + abbreviate(name) + "' (known: " + String.join(", ", new java.util.TreeSet<>(types)) + ")");
    }
    return name;
  }

  private static void ok(Context ctx, SimulationControl.Settings settings) {
    ctx.status(200).contentType("application/json").result(Json.string(settings));
  }

  /**
   * The body {@code {"cpuMillis": N, "memoryMiB": N}}: both required, numbers (fractions allowed),
   * not negative, nothing else. Every problem is a 400 naming the field.
   */
  static SimulationControl.Load load(byte[] body, String contentType) {
    if (contentType != null && !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw new ApiException(415, "Content-Type must be application/json");
    }
    JsonNode root;
    try {
      root = body == null || body.length == 0 ? null : Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new ApiException(400, "body is not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw new ApiException(400, "body must be a JSON object with cpuMillis and memoryMiB");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!FIELDS.contains(field)) {
        throw new ApiException(400, "unknown field '" + abbreviate(field) + "' (allowed: cpuMillis, memoryMiB)");
      }
    }
    return new SimulationControl.Load(amount(root, "cpuMillis"), amount(root, "memoryMiB"));
  }

  private static double amount(JsonNode root, String field) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      throw new ApiException(400, field + " is required");
    }
    if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
      throw new ApiException(400, field + " must be a number, got " + abbreviate(v.toString()));
    }
    if (v.asDouble() < 0) {
      throw new ApiException(400, field + " must not be negative, got " + v.asText());
    }
    return v.asDouble();
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }
}
