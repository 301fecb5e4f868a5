package iota.orchestrator.topology;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Wraps a value serializer of a sink: a value over the topic's limit throws {@link
 * OversizedRecordException} instead of reaching the producer (see {@link RecordLimits} for why it
 * must not reach it).
 */
final class SizeCheckedSerializer<T> implements Serializer<T> {
  private final Serializer<T> inner;
  private final RecordLimits limits;

  SizeCheckedSerializer(Serializer<T> inner, RecordLimits limits) {
    this.inner = inner;
    this.limits = limits;
  }

  /** {@code serde}, refusing to write a value over its topic's limit. */
  static <T> Serde<T> limited(Serde<T> serde, RecordLimits limits) {
    return Serdes.serdeFrom(new SizeCheckedSerializer<>(serde.serializer(), limits), serde.deserializer());
  }

  @Override
  public byte[] serialize(String topic, T value) {
    byte[] bytes = inner.serialize(topic, value);
    if (bytes != null) {
      int limit = limits.valueLimit(topic);
      if (bytes.length > limit) {
        throw new OversizedRecordException(topic, bytes, limit);
      }
    }
    return bytes;
  }

  @Override
  public void close() {
    inner.close();
  }
}
