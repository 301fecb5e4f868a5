package iota.orchestrator.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
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
    Fields root = Fields.read(payload);
    if (root.o == null) {
      throw new InvalidRecordException("o is missing or not a string");
    }
    String rawOp = root.o;
    ChangeEvent.Op op = ChangeEvent.Op.of(rawOp);
    String table = null;
    if (root.tNotText) {
      throw new InvalidRecordException("t is not a string");
    } else if (root.t != null) {
      table = Ids.require("t", root.t);
    } else if (op != ChangeEvent.Op.OTHER) {
      throw new InvalidRecordException("t is missing");
    }
    List<String> ids =
        switch (op) {
          case CREATE, UPDATE, DELETE -> singleKey(root);
          case BULK_CREATE -> keys(root.keys);
          case BULK_UPDATE, BULK_DELETE -> where(root.where);
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

  private static List<String> singleKey(Fields root) {
    switch (root.k) {
      case ABSENT:
        if (root.instanceId != null && root.instanceId.kind != Kind.NULL) {
          return List.of(scalarId("instance.id", root.instanceId));
        }
        return List.of();
      case OBJECT:
        if (root.kId == null || root.kId.kind == Kind.NULL) {
          throw new InvalidRecordException("k.id is missing");
        }
        return List.of(scalarId("k.id", root.kId));
      default:
        return List.of(scalarId("k", root.kId));
    }
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

  private static String scalarId(String field, Value value) {
    if (value.kind == Kind.TEXT || value.kind == Kind.INTEGER) {
      return Ids.require(field, value.text);
    }
    throw new InvalidRecordException(field + " is not a string or an integer");
  }

  /** What a scalar position held, as far as an id cares: the tree's {@code isTextual} / {@code isIntegralNumber} / {@code isNull}. */
  private enum Kind { TEXT, INTEGER, NULL, OTHER }

  /** A value read where an id may be; {@code text} is the tree's {@code asText()} of a string or an integer. */
  private record Value(Kind kind, String text) {
    private static final Value NULL = new Value(Kind.NULL, null);
    private static final Value OTHER = new Value(Kind.OTHER, null);

    /** The value at the parser's current token, skipping a whole object or array. */
    static Value read(JsonParser p) throws IOException {
      JsonToken token = p.currentToken();
      switch (token) {
        case VALUE_STRING:
          return new Value(Kind.TEXT, p.getText());
        case VALUE_NUMBER_INT:
          // The number the tree would hold (int, long or BigInteger), so "-0" is "0" as there.
          return new Value(Kind.INTEGER, p.getNumberValue().toString());
        case VALUE_NULL:
          return NULL;
        default:
          Fields.skipValue(p);
          return OTHER;
      }
    }
  }

  /** How {@code k} came: absent or null, an object (then {@code kId} is its {@code id}), anything else (then {@code kId} is it). */
  private enum KeyForm { ABSENT, OBJECT, OTHER }

  /**
   * The top-level fields the parser uses, read in one pass over the document without building a
   * tree of it: a single create's row ({@code instance}) can be large and only its {@code id}
   * matters. The whole document is still read before any field is judged, so a broken document is
   * "not JSON" whatever its fields say, exactly as with the tree; a repeated field counts by its
   * last occurrence, as in the tree. The rare bulk forms ({@code keys}, {@code where}) are read as
   * trees: their ids dominate their cost anyway.
   */
  private static final class Fields {
    String o;
    String t;
    boolean tNotText;
    KeyForm k = KeyForm.ABSENT;
    Value kId;
    Value instanceId;
    JsonNode keys;
    JsonNode where;

    static Fields read(byte[] payload) {
      if (payload == null || payload.length == 0) {
        throw new InvalidRecordException("empty value");
      }
      try (JsonParser p = Json.MAPPER.createParser(payload)) {
        JsonToken first = p.nextToken();
        if (first != JsonToken.START_OBJECT) {
          // Empty, broken or not an object: the tree reader's own words for it.
          Json.tree(payload);
          throw new InvalidRecordException("message is not a JSON object");
        }
        Fields f = new Fields();
        String name;
        while ((name = p.nextFieldName()) != null) {
          p.nextToken();
          switch (name) {
            case "o" -> f.readO(p);
            case "t" -> f.readT(p);
            case "k" -> f.readK(p);
            case "instance" -> f.readInstance(p);
            case "keys" -> f.keys = Json.MAPPER.readTree(p);
            case "where" -> f.where = Json.MAPPER.readTree(p);
            default -> skipValue(p);
          }
        }
        return f;
      } catch (IOException e) {
        // The tree reader fails on the same token and words it as every other parser here does.
        Json.tree(payload);
        throw new InvalidRecordException("not JSON: " + e.getMessage());
      }
    }

    private void readO(JsonParser p) throws IOException {
      o = p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : null;
      if (o != null && o.isEmpty()) {
        o = null;
      }
      skipValue(p);
    }

    /** Only the row's {@code id} matters, and only when it is an object: the tree's {@code hasNonNull("id")}. */
    private void readInstance(JsonParser p) throws IOException {
      if (p.currentToken() == JsonToken.START_OBJECT) {
        instanceId = idOf(p);
      } else {
        instanceId = null;
        skipValue(p);
      }
    }

    private void readT(JsonParser p) throws IOException {
      JsonToken token = p.currentToken();
      t = token == JsonToken.VALUE_STRING ? p.getText() : null;
      tNotText = token != JsonToken.VALUE_STRING && token != JsonToken.VALUE_NULL;
      skipValue(p);
    }

    private void readK(JsonParser p) throws IOException {
      switch (p.currentToken()) {
        case VALUE_NULL -> {
          k = KeyForm.ABSENT;
          kId = null;
        }
        case START_OBJECT -> {
          k = KeyForm.OBJECT;
          kId = idOf(p);
        }
        default -> {
          k = KeyForm.OTHER;
          kId = Value.read(p);
        }
      }
    }

    /** The last {@code id} of the object at the current token (null when it has none); the rest is skipped. */
    private static Value idOf(JsonParser p) throws IOException {
      Value id = null;
      String name;
      while ((name = p.nextFieldName()) != null) {
        p.nextToken();
        if (name.equals("id")) {
          id = Value.read(p);
        } else {
          skipValue(p);
        }
      }
      return id;
    }

    /**
     * Passes over the value at the current token. Its strings are decoded, not merely skipped:
     * Jackson's skip lets a UTF-8-encoded surrogate through, which the tree refuses as not JSON,
     * and an ignored field must not make a document acceptable that the tree refused.
     */
    static void skipValue(JsonParser p) throws IOException {
      p.finishToken();
      if (!p.currentToken().isStructStart()) {
        return;
      }
      int depth = 1;
      while (depth > 0) {
        JsonToken token = p.nextToken();
        if (token.isStructStart()) {
          depth++;
        } else if (token.isStructEnd()) {
          depth--;
        } else {
          p.finishToken();
        }
      }
    }
  }
}
