package iota.orchestrator.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Set;

/** The checks every request on {@code iota.orchestrator.requests} makes of its JSON, with the same words. */
final class RequestFields {
  private RequestFields() {}

  /** {@code root} as an object with no field outside {@code fields}; the first stranger is named. */
  static JsonNode objectWithOnly(JsonNode root, Set<String> fields) {
    if (!root.isObject()) {
      throw new InvalidRecordException("request is not a JSON object");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!fields.contains(f)) {
        throw new InvalidRecordException("unknown field " + f);
      }
    }
    return root;
  }

  /** The string {@code field}; missing or another type is named. */
  static String text(JsonNode root, String field) {
    JsonNode n = root.get(field);
    if (n == null || !n.isTextual()) {
      throw new InvalidRecordException(field + " is missing or not a string");
    }
    return n.asText();
  }
}
