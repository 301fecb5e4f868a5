package iota.orchestrator.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/**
 * A request on {@code iota.orchestrator.requests}, keyed by resource type: drain one instance (move
 * every resource off it, fewest moves by load, and give it no new ones) or make a drained instance
 * eligible again, after Cloud Foundry's {@code disable_instance} / {@code enable_instance} (seed 004).
 * Its answer goes to {@code iota.orchestrator.results} under the same {@code requestId}, as an
 * {@link OrchestrationReport} of the moves.
 *
 * <p>On the wire {@code {"requestId":…,"resource":…,"op":"drain"|"undrain","instanceId":<int>}}; an
 * orchestrate request has no {@code op}, so {@link #isDrainRequest} tells the two apart.
 */
public record DrainRequest(String requestId, String resource, int instanceId, boolean drain) {

  private static final Set<String> FIELDS = Set.of("requestId", "resource", "op", "instanceId");

  public DrainRequest {
    Ids.require("requestId", requestId);
    Ids.require("resource", resource);
    if (instanceId < 0) {
      throw new InvalidRecordException("instanceId must be >= 0, got " + instanceId);
    }
  }

  /** {@code "drain"} or {@code "undrain"}. */
  public String op() {
    return drain ? "drain" : "undrain";
  }

  public byte[] toJson() {
    var node = Json.MAPPER.createObjectNode();
    node.put("requestId", requestId);
    node.put("resource", resource);
    node.put("op", op());
    node.put("instanceId", instanceId);
    return Json.bytes(node);
  }

  /** Whether a parsed request is a drain or undrain request rather than an orchestrate request. */
  public static boolean isDrainRequest(JsonNode root) {
    return root.isObject() && root.has("op");
  }

  public static DrainRequest parse(JsonNode root) {
    RequestFields.objectWithOnly(root, FIELDS);
    JsonNode op = root.get("op");
    if (op == null || !op.isTextual() || !(op.asText().equals("drain") || op.asText().equals("undrain"))) {
      throw new InvalidRecordException("op must be \"drain\" or \"undrain\"");
    }
    JsonNode id = root.get("instanceId");
    if (id == null || !id.isIntegralNumber() || !id.canConvertToInt()) {
      throw new InvalidRecordException("instanceId is missing or not an integer");
    }
    return new DrainRequest(RequestFields.text(root, "requestId"), RequestFields.text(root, "resource"), id.asInt(),
        op.asText().equals("drain"));
  }
}
