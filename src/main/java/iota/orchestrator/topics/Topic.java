package iota.orchestrator.topics;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * One Kafka topic: its name and the format of its keys and values. Declared once in {@link
 * Topics}, so a writer and a reader of the same topic cannot disagree on either.
 *
 * @param name the topic's name, as {@code topics/topics.json} declares it
 * @param keySerde how keys are written and read
 * @param valueSerde how values are written and read; null values (tombstones) stay null
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {

  /** A record for a byte-array producer, key and value written in this topic's formats. */
  public ProducerRecord<byte[], byte[]> record(K key, V value) {
    return new ProducerRecord<>(name, keySerde.serializer().serialize(name, key), valueSerde.serializer().serialize(name, value));
  }

  /** The value of one record of this topic, read in this topic's value format. */
  public V value(byte[] bytes) {
    return valueSerde.deserializer().deserialize(name, bytes);
  }

  /** The name, so that a log line naming a topic reads as before. */
  @Override
  public String toString() {
    return name;
  }
}
