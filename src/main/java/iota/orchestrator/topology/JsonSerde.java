package iota.orchestrator.topology;

import iota.orchestrator.model.Json;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** A serde for a JSON-mapped record type; null maps to null both ways (tombstones). */
public final class JsonSerde<T> implements Serde<T> {
  private final Class<T> type;
  private final RecordLimits limits;

  public JsonSerde(Class<T> type) {
    this(type, null);
  }

  private JsonSerde(Class<T> type, RecordLimits limits) {
    this.type = type;
    this.limits = limits;
  }

  /** This serde, refusing to write a value over its topic's limit ({@link OversizedRecordException}). */
  JsonSerde<T> limitedTo(RecordLimits limits) {
    return new JsonSerde<>(type, limits);
  }

  public static <T> JsonSerde<T> of(Class<T> type) {
    return new JsonSerde<>(type);
  }

  @Override
  public Serializer<T> serializer() {
    Serializer<T> plain = (topic, value) -> value == null ? null : Json.bytes(value);
    return limits == null ? plain : new SizeCheckedSerializer<>(plain, limits);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      try {
        return Json.MAPPER.readValue(bytes, type);
      } catch (IOException e) {
        throw new SerializationException("cannot read " + type.getSimpleName() + " from " + topic, e);
      }
    };
  }
}
