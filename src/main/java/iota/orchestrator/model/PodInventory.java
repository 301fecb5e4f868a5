package iota.orchestrator.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Every instance of one resource type that has a pod, as the executor's pod watcher lists them,
 * on {@code iota.orchestrator.pod-status} under key {@code <Resource>/inventory}. Watch events
 * cannot report a pod that vanished while nobody watched (the executor was down, or the API
 * server lost it); comparing the plan with an inventory can.
 *
 * @param inventory ids of the instances that have a pod
 */
public record PodInventory(String resource, List<String> inventory, long observedAt) {

  public PodInventory {
    inventory = List.copyOf(inventory);
  }

  public String key() {
    return StoreKey.of(resource, "inventory");
  }

  public static boolean isInventory(JsonNode node) {
    return node.isObject() && node.has("inventory");
  }

  public static PodInventory parse(JsonNode node) {
    JsonNode resource = node.get("resource");
    if (resource == null || !resource.isTextual()) {
      throw new InvalidRecordException("resource is missing or not a string");
    }
    JsonNode list = node.get("inventory");
    if (!list.isArray()) {
      throw new InvalidRecordException("inventory is not a list");
    }
    List<String> ids = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      String id = list.get(i).asText();
      if (!InstanceIds.isValid(id)) {
        throw new InvalidRecordException("inventory[" + i + "] is not an instance id");
      }
      ids.add(id);
    }
    JsonNode at = node.get("observedAt");
    return new PodInventory(Ids.require("resource", resource.asText()), ids, at == null ? 0 : at.asLong());
  }
}
