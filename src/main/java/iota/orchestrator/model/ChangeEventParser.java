package iota.orchestrator.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code cm/notify} payloads in every form the config service sends (see DESIGN.md §2).
 *
 * <p>Keys are accepted as an object with {@code id} or as a scalar; {@code where.id} as a scalar,
 * a list or a Sequelize {@code $in} / {@code in} operator. Every id is validated with {@link
 * Ids}, so what comes out is safe as a path segment. A missing key list is not an error here: a
 * change to a dependent table needs no ids, so whether ids are required is decided by the caller
 * that knows the table's role ({@link #requireIds}).
 */
public final class ChangeEventParser {
  private ChangeEventParser() {}

  public static ChangeEvent parse(byte[] payload) {
    JsonNode root = Json.tree(payload);
    if (!root.isObject()) {
      throw new InvalidRecordException("message is not a JSON object");
    }
    JsonNode o = root.get("o");
    if (o == null || !o.isTextual() || o.asText().isEmpty()) {
      throw new InvalidRecordException("o is missing or not a string");
    }
    String rawOp = o.asText();
    ChangeEvent.Op op = ChangeEvent.Op.of(rawOp);
    JsonNode t = root.get("t");
    String table = null;
    if (t != null && !t.isNull()) {
      if (!t.isTextual()) {
        throw new InvalidRecordException("t is not a string");
      }
      table = Ids.require("t", t.asText());
    } else if (op != ChangeEvent.Op.OTHER) {
      throw new InvalidRecordException("t is missing");
    }
    List<String> ids =
        switch (op) {
          case CREATE, UPDATE, DELETE -> singleKey(root);
          case BULK_CREATE -> keys(root.get("keys"));
          case BULK_UPDATE, BULK_DELETE -> where(root.get("where"));
          case OTHER -> List.of();
        };
    return new ChangeEvent(op, rawOp, table, ids);
  }

  /** Throws when an event that must name resources names none. */
  public static void requireIds(ChangeEvent event) {
    if (!event.ids().isEmpty()) {
      return;
    }
    String field =
        switch (event.op()) {
          case CREATE, UPDATE, DELETE -> "k.id";
          case BULK_CREATE -> "keys";
          case BULK_UPDATE, BULK_DELETE -> "where.id";
          case OTHER -> null;
        };
    if (field != null) {
      throw new InvalidRecordException(
          field + " is missing: a '" + event.rawOp() + "' of " + event.table() + " must name ids");
    }
  }

  private static List<String> singleKey(JsonNode root) {
    JsonNode k = root.get("k");
    if (k == null || k.isNull()) {
      JsonNode instance = root.get("instance");
      if (instance != null && instance.isObject() && instance.hasNonNull("id")) {
        return List.of(scalarId("instance.id", instance.get("id")));
      }
      return List.of();
    }
    if (k.isObject()) {
      JsonNode id = k.get("id");
      if (id == null || id.isNull()) {
        throw new InvalidRecordException("k.id is missing");
      }
      return List.of(scalarId("k.id", id));
    }
    return List.of(scalarId("k", k));
  }

  private static List<String> keys(JsonNode keys) {
    if (keys == null || keys.isNull()) {
      return List.of();
    }
    if (!keys.isArray()) {
      throw new InvalidRecordException("keys is not a list");
    }
    List<String> ids = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      JsonNode key = keys.get(i);
      String field = "keys[" + i + "]";
      if (key.isObject()) {
        JsonNode id = key.get("id");
        if (id == null || id.isNull()) {
          throw new InvalidRecordException(field + ".id is missing");
        }
        ids.add(scalarId(field + ".id", id));
      } else {
        ids.add(scalarId(field, key));
      }
    }
    return ids;
  }

  private static List<String> where(JsonNode where) {
    if (where == null || where.isNull()) {
      return List.of();
    }
    if (!where.isObject()) {
      throw new InvalidRecordException("where is not an object");
    }
    JsonNode id = where.get("id");
    if (id == null || id.isNull()) {
      return List.of();
    }
    if (id.isObject()) {
      JsonNode in = id.has("$in") ? id.get("$in") : id.get("in");
      if (in == null) {
        throw new InvalidRecordException("where.id uses an operator other than $in");
      }
      return list("where.id.$in", in);
    }
    if (id.isArray()) {
      return list("where.id", id);
    }
    return List.of(scalarId("where.id", id));
  }

  private static List<String> list(String field, JsonNode array) {
    if (!array.isArray()) {
      throw new InvalidRecordException(field + " is not a list");
    }
    List<String> ids = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      ids.add(scalarId(field + "[" + i + "]", array.get(i)));
    }
    return ids;
  }

  private static String scalarId(String field, JsonNode node) {
    if (node.isTextual()) {
      return Ids.require(field, node.asText());
    }
    if (node.isIntegralNumber()) {
      // An integer key is an id like any other: a 200-digit one is as unusable as a 200-character string.
      return Ids.require(field, node.asText());
    }
    throw new InvalidRecordException(field + " is not a string or an integer");
  }
}
