package iota.orchestrator.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A worker's liveness signal on topic {@code HeartBeat}: {@code {"resource":"Thing",
 * "instanceId":"3", ...}}. The workers are written in Go, so {@code instanceId} may be a number.
 */
public record HeartBeat(String resource, String instanceId) {

  public static HeartBeat parse(byte[] payload) {
    JsonNode root = Json.tree(payload);
    if (!root.isObject()) {
      throw new InvalidRecordException("heartbeat is not a JSON object");
    }
    JsonNode resource = root.get("resource");
    if (resource == null || !resource.isTextual()) {
      throw new InvalidRecordException("resource is missing or not a string");
    }
    JsonNode instanceId = root.get("instanceId");
    if (instanceId == null || !(instanceId.isTextual() || instanceId.isIntegralNumber())) {
      throw new InvalidRecordException("instanceId is missing or not a string or an integer");
    }
    String id = instanceId.asText();
    if (!InstanceIds.isValid(id)) {
      throw new InvalidRecordException("instanceId '" + abbreviate(id) + "' is not an instance id");
    }
    return new HeartBeat(Ids.require("resource", resource.asText()), id);
  }

  static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
}
