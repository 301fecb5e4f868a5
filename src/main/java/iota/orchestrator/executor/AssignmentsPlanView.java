package iota.orchestrator.executor;

import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The plan read from the compacted {@code iota.orchestrator.assignments} topic, which is the whole
 * plan: the latest value of each key is an instance, a tombstone removes it. A consumer of its own,
 * without a group (it assigns every partition and reads from the beginning, committing nothing),
 * {@code read_committed} like the executor's, so an aborted topology transaction never counts.
 *
 * <p>Each call reads on up to the end offsets taken at the call, so the answer includes every
 * assignment committed before it: in particular every one the executor itself has applied. Only
 * keys are kept. Used from one thread.
 */
public final class AssignmentsPlanView implements PlanView {
  private final Consumer<byte[], byte[]> consumer;
  private final Set<String> planned = new HashSet<>();
  private List<TopicPartition> partitions;

  public AssignmentsPlanView(Consumer<byte[], byte[]> consumer) {
    this.consumer = consumer;
  }

  /** A view with its own consumer built from the configuration ({@code kafka.*} overrides apply). */
  public static AssignmentsPlanView create(OrchestratorConfig config) {
    Map<String, Object> p = new HashMap<>(config.kafkaOverrides());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.require(ConfigKeys.BOOTSTRAP_SERVERS));
    p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "iota-executor-plan-view");
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return new AssignmentsPlanView(new KafkaConsumer<>(p));
  }

  @Override
  public Set<String> planned(Duration timeout) throws TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      if (partitions == null) {
        List<PartitionInfo> infos = consumer.partitionsFor(Topics.ASSIGNMENTS.name(), timeout);
        if (infos == null || infos.isEmpty()) {
          throw new TimeoutException("topic " + Topics.ASSIGNMENTS + " has no partitions (yet)");
        }
        partitions = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
      }
      // Under read_committed the end offsets are the last stable offsets: nothing past them counts yet.
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, remaining(deadline));
      while (!reached(end)) {
        if (System.nanoTime() - deadline > 0) {
          throw new TimeoutException("could not read " + Topics.ASSIGNMENTS + " to its end within " + timeout);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(Math.min(200, Math.max(1, remaining(deadline).toMillis()))))) {
          if (r.key() == null) {
            continue;
          }
          String key = new String(r.key(), StandardCharsets.UTF_8);
          if (r.value() == null) {
            planned.remove(key);
          } else {
            planned.add(key);
          }
        }
      }
      return Set.copyOf(planned);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new TimeoutException("Kafka did not answer within " + timeout + ": " + e.getMessage());
    }
  }

  private boolean reached(Map<TopicPartition, Long> end) {
    for (var e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
