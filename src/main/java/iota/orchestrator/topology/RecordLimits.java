package iota.orchestrator.topology;

import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import java.util.Map;

/**
 * The largest record the topology writes to each topic. A record over it would be refused (by the
 * producer, over {@code max.request.size}, or by the broker, over the topic's {@code
 * max.message.bytes}); under exactly-once such a refusal aborts the whole transaction and the
 * stream thread with it, and the same input fails again after every restart. So the sinks check
 * sizes before the producer sees a record ({@link SizeCheckedSerializer}) and a record over its
 * limit goes to the DLQ instead, small, while the transaction stays healthy.
 *
 * <p>The limit is {@code iota.record.max.bytes}, lowered by the producer's {@code
 * max.request.size} when that is set smaller, and per topic by the topic's {@code
 * max.message.bytes} when the stream app could read it at start; less {@link #OVERHEAD} for the
 * key, headers and the batch framing.
 */
public final class RecordLimits {
  /** Room kept in every record for key, headers and framing; keys are at most a few hundred bytes. */
  public static final int OVERHEAD = 4 * 1024;

  /** The Streams property that hands {@code iota.record.max.bytes} to the exception handlers. */
  public static final String PROPERTY = ConfigKeys.RECORD_MAX_BYTES.name();

  private final int maxBytes;
  private final Map<String, Integer> topicMax;

  private RecordLimits(int maxBytes, Map<String, Integer> topicMax) {
    this.maxBytes = maxBytes;
    this.topicMax = Map.copyOf(topicMax);
  }

  /** The limit of the configuration, the same for every topic. */
  public static RecordLimits of(OrchestratorConfig config) {
    int max = config.get(ConfigKeys.RECORD_MAX_BYTES);
    Map<String, String> kafka = config.kafkaOverrides();
    for (String key : new String[] {"max.request.size", "producer.max.request.size"}) {
      String v = kafka.get(key);
      if (v != null) {
        try {
          max = Math.min(max, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
          // The producer refuses it at start with a better message than ours.
        }
      }
    }
    return new RecordLimits(max, Map.of());
  }

  /** A fixed limit, for tools and tests. */
  public static RecordLimits of(int maxBytes) {
    return new RecordLimits(maxBytes, Map.of());
  }

  /** These limits, lowered for each given topic to its {@code max.message.bytes}. */
  public RecordLimits withTopicLimits(Map<String, Integer> maxMessageBytes) {
    return new RecordLimits(maxBytes, maxMessageBytes);
  }

  /** The largest whole record (key, value, headers) for any topic. */
  public int maxBytes() {
    return maxBytes;
  }

  /** The largest value the topology writes to {@code topic}. */
  public int valueLimit(String topic) {
    int limit = Math.min(maxBytes, topicMax.getOrDefault(topic, Integer.MAX_VALUE));
    return Math.max(1024, limit - OVERHEAD);
  }

  @Override
  public String toString() {
    return "RecordLimits{max=" + maxBytes + ", topics=" + topicMax + "}";
  }
}
