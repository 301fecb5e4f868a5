package iota.orchestrator.topology;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One record the orchestrating processor emits: the topic it goes to and its serialized value
 * (null for a tombstone). The topology routes each to its topic's own sink as it is emitted, so the
 * outputs of one input still reach the producer in the order they were decided in.
 */
public record Output(String topic, byte[] value) {

  /** Writes just the value bytes; the topic was chosen by the route to the sink. */
  public static Serde<Output> serde() {
    return serde(null);
  }

  /** As {@link #serde()}, refusing a value over its topic's limit (null: no limit). */
  static Serde<Output> serde(RecordLimits limits) {
    Serializer<Output> plain = (topic, out) -> out == null ? null : out.value();
    Serializer<Output> ser = limits == null ? plain : new SizeCheckedSerializer<>(plain, limits);
    Deserializer<Output> de = (topic, bytes) -> new Output(topic, bytes);
    return Serdes.serdeFrom(ser, de);
  }
}
