package iota.orchestrator.admin;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a whole topic once, from its first record to its end as of the start of the read, seeing
 * only committed records ({@code read_committed}), as the executor does. Offsets are not committed:
 * assigned partitions, no group membership.
 */
public final class TopicReader {
  private static final Duration POLL = Duration.ofMillis(200);

  private TopicReader() {}

  /**
   * Hands every committed record of {@code topic} to {@code each}, partition by partition in offset
   * order. {@code client} holds the connection settings (bootstrap servers, security); the reading
   * settings are set here.
   */
  public static void readCommitted(Properties client, String topic, Consumer<ConsumerRecord<String, byte[]>> each) {
    Properties p = new Properties();
    p.putAll(client);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
          .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
          each.accept(r);
        }
      }
    }
  }

  /** As {@link #readCommitted(Properties, String, Consumer)} with nothing but the bootstrap servers. */
  public static void readCommitted(String bootstrapServers, String topic, Consumer<ConsumerRecord<String, byte[]>> each) {
    Properties client = new Properties();
    client.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    readCommitted(client, topic, each);
  }
}
