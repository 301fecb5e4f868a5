package iota.orchestrator.topology;

import iota.orchestrator.model.InvalidRecordException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a record that could not be read or processed to {@link Topics#DLQ} — its original key and
 * value bytes, with the reason, source topic, partition and offset in headers — and lets the
 * stream go on. The record is written through the task's producer, so under exactly-once it is
 * part of the same transaction as the input offset it replaces.
 *
 * <p>An {@link InvalidRecordException} is bad input: logged at INFO without a stack trace. Anything
 * else is a bug worth a WARN with the trace, and the trace goes into a header too.
 */
public final class DeadLetterHandler implements ProcessingExceptionHandler, DeserializationExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);
  private static final AtomicLong SENT = new AtomicLong();

  /** Dead-letter records produced by this JVM since start (for metrics). */
  public static long sent() {
    return SENT.get();
  }

  /** Counts a dead-letter record the topology produced itself (resources no instance could take). */
  static void countSent() {
    SENT.incrementAndGet();
  }

  @Override
  public void configure(Map<String, ?> configs) {}

  @Override
  public ProcessingExceptionHandler.Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    return ProcessingExceptionHandler.Response.resume(List.of(deadLetter(context, exception)));
  }

  @Override
  public DeserializationExceptionHandler.Response handleError(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    return DeserializationExceptionHandler.Response.resume(List.of(deadLetter(context, exception)));
  }

  private static ProducerRecord<byte[], byte[]> deadLetter(ErrorHandlerContext context, Exception exception) {
    String reason = exception.getMessage() == null ? exception.getClass().getName() : exception.getMessage();
    if (exception instanceof InvalidRecordException) {
      LOG.info("dead-lettering {}-{}@{}: {}", context.topic(), context.partition(), context.offset(), reason);
    } else {
      LOG.warn("dead-lettering {}-{}@{} after an unexpected error in {}", context.topic(), context.partition(), context.offset(), context.processorNodeId(), exception);
    }
    Headers headers = new RecordHeaders();
    context.headers().forEach(headers::add);
    headers.add(Topics.DLQ_HEADER_EXCEPTION, utf8(exception.getClass().getName()));
    headers.add(Topics.DLQ_HEADER_MESSAGE, utf8(reason));
    if (!(exception instanceof InvalidRecordException)) {
      StringWriter trace = new StringWriter();
      exception.printStackTrace(new PrintWriter(trace));
      headers.add(Topics.DLQ_HEADER_STACKTRACE, utf8(trace.toString()));
    }
    headers.add(Topics.DLQ_HEADER_TOPIC, utf8(String.valueOf(context.topic())));
    headers.add(Topics.DLQ_HEADER_PARTITION, utf8(String.valueOf(context.partition())));
    headers.add(Topics.DLQ_HEADER_OFFSET, utf8(String.valueOf(context.offset())));
    SENT.incrementAndGet();
    return new ProducerRecord<>(Topics.DLQ, null, context.sourceRawKey(), context.sourceRawValue(), headers);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
