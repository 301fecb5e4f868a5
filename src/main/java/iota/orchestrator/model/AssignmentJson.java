package iota.orchestrator.model;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;

/**
 * Writes an {@link Assignment} as JSON straight from the planner's id set, without the copies and
 * reflection of a databind round trip. An assignment is the whole state of an instance (up to
 * thousands of ids) and is written at every flush of a busy instance, so this is the topology's
 * hottest serialization. The bytes read back as the same {@link Assignment}.
 */
public final class AssignmentJson {
  private AssignmentJson() {}

  public static byte[] write(String resource, String instanceId, long seq, int count, Collection<String> ids, long reload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(96 + ids.size() * 24);
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("resource", resource);
      g.writeStringField("instanceId", instanceId);
      g.writeNumberField("seq", seq);
      g.writeObjectFieldStart("data");
      g.writeNumberField("used", ids.size());
      g.writeNumberField("count", count);
      g.writeEndObject();
      g.writeObjectFieldStart("resources");
      g.writeArrayFieldStart("ids");
      for (String id : ids) {
        g.writeString(id);
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeObjectFieldStart("_reload");
      g.writeNumberField("times", reload);
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
