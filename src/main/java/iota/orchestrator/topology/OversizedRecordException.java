package iota.orchestrator.topology;

import iota.orchestrator.deadletter.DeadLetter;
import java.util.Arrays;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * A record the topology was about to write is over its topic's limit ({@link RecordLimits}). It
 * is thrown by the serializer, before the producer sees the record, so the transaction stays
 * usable and the production exception handler can write a small dead letter in its place. Keeps
 * only the first bytes of the value, never the whole oversized payload.
 */
public final class OversizedRecordException extends RecordTooLargeException {
  private final String topic;
  private final int size;
  private final int limit;
  private final byte[] prefix;

  public OversizedRecordException(String topic, byte[] value, int limit) {
    super("a record of " + value.length + " bytes for " + topic + " is over the limit of " + limit
        + " bytes (iota.record.max.bytes, the producer's max.request.size and the topic's max.message.bytes, less "
        + RecordLimits.OVERHEAD + " for key and headers)");
    this.topic = topic;
    this.size = value.length;
    this.limit = limit;
    this.prefix = Arrays.copyOf(value, Math.min(DeadLetter.PREFIX_BYTES, value.length));
  }

  public String topic() {
    return topic;
  }

  public int size() {
    return size;
  }

  public int limit() {
    return limit;
  }

  /** The first {@link DeadLetter#PREFIX_BYTES} bytes of the refused value: what its dead letter shows. */
  public byte[] prefix() {
    return prefix.clone();
  }
}
