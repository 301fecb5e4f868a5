package iota.orchestrator.model;

import java.util.List;

/**
 * Writes an {@link Assignment} as JSON straight from an instance's encoded id list, without the
 * copies and reflection of a databind round trip. An assignment is the whole state of an instance (up to
 * thousands of ids) and is written at every flush of a busy instance, so this is the topology's
 * hottest serialization. The bytes are exactly what databind writes for the same {@link
 * Assignment}.
 */
public final class AssignmentJson {
  private AssignmentJson() {}

  /** The id list comes already encoded ({@link EncodedIds}): its bytes are copied, not re-encoded. */
  public static byte[] write(String resource, String instanceId, long seq, int count, EncodedIds ids, long reload) {
    return write(resource, instanceId, seq, count, ids, reload, List.of());
  }

  /** As above, with the assignment's preconditions; an empty list is left out, as databind leaves it. */
  public static byte[] write(String resource, String instanceId, long seq, int count, EncodedIds ids, long reload,
      List<Precondition> after) {
    JsonOut out = new JsonOut(128 + resource.length() + instanceId.length() + ids.byteLength() + 48 * after.size());
    out.ascii("{\"resource\":").string(resource)
        .ascii(",\"instanceId\":").string(instanceId)
        .ascii(",\"seq\":").number(seq)
        .ascii(",\"data\":{\"used\":").number(ids.size())
        .ascii(",\"count\":").number(count)
        .ascii("},\"resources\":{\"ids\":[");
    ids.writeTo(out);
    out.ascii("]},\"_reload\":{\"times\":").number(reload).ascii("}");
    if (!after.isEmpty()) {
      out.ascii(",\"after\":[");
      for (int i = 0; i < after.size(); i++) {
        Precondition p = after.get(i);
        out.ascii(i == 0 ? "{\"key\":" : ",{\"key\":").string(p.key()).ascii(",\"seq\":").number(p.seq()).ascii("}");
      }
      out.ascii("]");
    }
    out.ascii("}");
    return out.bytes();
  }
}
