package iota.orchestrator.topology;

import iota.orchestrator.deadletter.DeadLetter;
import iota.orchestrator.deadletter.DeadLetterHeaders;
import iota.orchestrator.model.InvalidRecordException;
import iota.orchestrator.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a record that could not be read, processed or written to {@link Topics#DLQ} — with the
 * reason, source topic, partition and offset in the {@link DeadLetterHeaders} — and lets the stream
 * go on. The dead letter is written through the task's producer, so under exactly-once it is part
 * of the same transaction as the input offset it replaces; it is always small: its payload is kept
 * within half of the DLQ's record limit ({@link DeadLetter#payloadWithin}).
 *
 * <p>Reading and processing: the dead letter holds the original key and value bytes. An {@link
 * InvalidRecordException} is bad input: logged at INFO without a stack trace. Anything else is a
 * bug worth a WARN with the trace, and the trace goes into a header too.
 *
 * <p>Writing: an output over its topic's limit is caught by the sink's serializer ({@link
 * OversizedRecordException}) before the producer sees it; its dead letter holds the key, the
 * first bytes of the value and its size, and the output is dropped. A record the broker refuses
 * after the send (anything but a retriable error, which is retried) is logged, counted and
 * dropped (see {@link #handleError(ErrorHandlerContext, ProducerRecord, Exception)} for why it is
 * not dead-lettered); under exactly-once such a refusal has already doomed the transaction (it is
 * in an abortable error: the commit fails and Streams replaces the thread, measured on a real
 * broker in EdgeFailuresIntegrationTest), which is why the serializer checks sizes first and the
 * stream app reads the topics' limits at start.
 */
public final class DeadLetterHandler
    implements ProcessingExceptionHandler, DeserializationExceptionHandler, ProductionExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);
  private static final AtomicLong SENT = new AtomicLong();
  private static final AtomicLong DROPPED_OUTPUTS = new AtomicLong();

  private int maxBytes = 1_000_000;

  /** Dead-letter records produced by this JVM since start (for metrics). */
  public static long sent() {
    return SENT.get();
  }

  /** Counts a dead-letter record the topology produced itself (resources no instance could take). */
  static void countSent() {
    SENT.incrementAndGet();
  }

  /** Outputs dropped because they could not be written, since start (for metrics). */
  public static long droppedOutputs() {
    return DROPPED_OUTPUTS.get();
  }

  @Override
  public void configure(Map<String, ?> configs) {
    Object max = configs.get(RecordLimits.PROPERTY);
    if (max != null) {
      maxBytes = Integer.parseInt(max.toString().trim());
    }
  }

  @Override
  public ProcessingExceptionHandler.Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    return ProcessingExceptionHandler.Response.resume(List.of(inputDeadLetter(context, exception)));
  }

  @Override
  public DeserializationExceptionHandler.Response handleError(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    return DeserializationExceptionHandler.Response.resume(List.of(inputDeadLetter(context, exception)));
  }

  @Override
  public ProductionExceptionHandler.Response handleSerializationError(
      ErrorHandlerContext context, ProducerRecord record, Exception exception, SerializationExceptionOrigin origin) {
    DeadLetter letter = outputDeadLetter(context, record.topic(), exception);
    if (exception instanceof OversizedRecordException big) {
      letter.prefix(keyBytes(record.key()), big.prefix(), big.size());
      LOG.error("not writing a record to {} (key {}), dead-lettered instead: {}", record.topic(), abbreviate(record.key()), exception.getMessage());
    } else {
      letter.prefix(keyBytes(record.key()), new byte[0], -1);
      LOG.error("cannot serialize the {} of a record for {} (key {}); dead-lettered", origin, record.topic(), abbreviate(record.key()), exception);
    }
    return ProductionExceptionHandler.Response.resume(List.of(sent(letter)));
  }

  @Override
  public ProductionExceptionHandler.Response handleError(
      ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
    if (exception instanceof RetriableException) {
      // Slow or briefly unavailable broker: the task is reprocessed from its last commit.
      return ProductionExceptionHandler.Response.retry();
    }
    // This runs on the producer's I/O thread. A dead letter sent from here blocks that thread for
    // up to max.block.ms whenever the producer has no metadata of the DLQ topic yet, since only
    // that thread can fetch it (measured: 60 s, then a retriable timeout, a corrupted task and
    // the same refusal again). So a refusal the size check did not predict is logged and counted
    // (iota_orchestrator_dlq_dropped_outputs_total), and the stream goes on without the record.
    DROPPED_OUTPUTS.incrementAndGet();
    LOG.error("the broker refused a record of {} bytes for {} (key {}); dropped: {}", record.value() == null ? 0 : record.value().length,
        record.topic(), abbreviate(record.key()), DeadLetter.message(exception));
    return ProductionExceptionHandler.Response.resume();
  }

  private DeadLetter outputDeadLetter(ErrorHandlerContext context, String topic, Exception exception) {
    DROPPED_OUTPUTS.incrementAndGet();
    return new DeadLetter()
        .reason(exception, DeadLetter.message(exception))
        .header(DeadLetterHeaders.OUTPUT_TOPIC, topic)
        .origin(context.topic(), context.partition(), context.offset());
  }

  private ProducerRecord<byte[], byte[]> inputDeadLetter(ErrorHandlerContext context, Exception exception) {
    String reason = DeadLetter.message(exception);
    DeadLetter letter = new DeadLetter()
        .copyHeaders(context.headers())
        .reason(exception, reason);
    if (exception instanceof InvalidRecordException) {
      LOG.info("dead-lettering {}-{}@{}: {}", context.topic(), context.partition(), context.offset(), reason);
    } else {
      LOG.warn("dead-lettering {}-{}@{} after an unexpected error in {}", context.topic(), context.partition(), context.offset(), context.processorNodeId(), exception);
      letter.stackTrace(exception);
    }
    letter.origin(context.topic(), context.partition(), context.offset())
        .payloadWithin(context.sourceRawKey(), context.sourceRawValue(), maxBytes);
    return sent(letter);
  }

  private static ProducerRecord<byte[], byte[]> sent(DeadLetter letter) {
    SENT.incrementAndGet();
    return letter.record(Topics.DLQ.name());
  }

  private static byte[] keyBytes(Object key) {
    if (key == null) {
      return null;
    }
    return key instanceof byte[] b ? b : key.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String abbreviate(Object key) {
    String s = key instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(key);
    return s.length() <= 80 ? s : s.substring(0, 80) + "…";
  }
}
