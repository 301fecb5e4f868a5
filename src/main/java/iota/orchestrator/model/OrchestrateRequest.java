package iota.orchestrator.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/**
 * A request on {@code iota.orchestrator.requests}, keyed by resource type: re-orchestrate {@code
 * resource} with the given parameters. The answer goes to {@code iota.orchestrator.results} under
 * the same {@code requestId}.
 */
public record OrchestrateRequest(String requestId, String resource, OrchestrationParams params) {
  /**
   * SLF4J MDC key holding the id of the request a log line is about: set by the REST layer for the
   * HTTP request (whose id becomes the orchestrate request's) and by the topology while it applies
   * one.
   */
  public static final String MDC_REQUEST_ID = "requestId";

  private static final Set<String> FIELDS =
      Set.of("requestId", "resource", "maxInstances", "resourcePerInstance", "initInstances");

  public byte[] toJson() {
    var node = Json.MAPPER.createObjectNode();
    node.put("requestId", requestId);
    node.put("resource", resource);
    if (params.maxInstances() != null) node.put("maxInstances", params.maxInstances());
    if (params.resourcePerInstance() != null) node.put("resourcePerInstance", params.resourcePerInstance());
    if (params.initInstances() != null) node.put("initInstances", params.initInstances());
    return Json.bytes(node);
  }

  public static OrchestrateRequest parse(byte[] payload) {
    JsonNode root = RequestFields.objectWithOnly(Json.tree(payload), FIELDS);
    String requestId = RequestFields.text(root, "requestId");
    String resource = RequestFields.text(root, "resource");
    return new OrchestrateRequest(
        Ids.require("requestId", requestId),
        Ids.require("resource", resource),
        params(root));
  }

  /** Reads the three optional parameters; a wrong type names the field. */
  public static OrchestrationParams params(JsonNode root) {
    return new OrchestrationParams(
        optionalInt(root, "maxInstances"),
        optionalInt(root, "resourcePerInstance"),
        optionalInt(root, "initInstances"));
  }

  private static Integer optionalInt(JsonNode root, String field) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      throw new InvalidRecordException(field + " must be an integer");
    }
    return n.intValue();
  }
}
