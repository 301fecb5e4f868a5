package iota.orchestrator.deadletter;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Builds one dead-letter record: the original key and value, and in {@link DeadLetterHeaders} why
 * it could not be used and where it came from. What the builder adds is bounded (the reason, the
 * stack trace, the copied headers), so a dead letter is never much larger than its original.
 *
 * <p>Whether the original bytes are kept whole is the writer's choice, because it depends on what a
 * refused dead letter would cost. {@link #payloadWithin} keeps them only while they fit in half of
 * a record limit and otherwise keeps the first {@link #PREFIX_BYTES} (header {@link
 * DeadLetterHeaders#ORIGINAL_BYTES} gives the full size, topic, partition and offset point at the
 * original): the topology's choice, since under exactly-once a refused dead letter aborts the
 * transaction it was meant to rescue. {@link #payload} keeps them whole: the executor's choice,
 * since its dead letter is the only copy of a command once the offset is committed, and a refused
 * send is simply tried again.
 */
public final class DeadLetter {
  /** Bound of the reason in {@link DeadLetterHeaders#MESSAGE}. */
  public static final int MAX_REASON_BYTES = 2 * 1024;
  /** Bound of the trace in {@link DeadLetterHeaders#STACKTRACE}. */
  public static final int MAX_TRACE_BYTES = 16 * 1024;
  /** Bound of the source record's headers copied into the dead letter (names and values). */
  public static final int MAX_COPIED_HEADER_BYTES = 16 * 1024;
  /** How much of a key or value too large to keep whole a dead letter shows. */
  public static final int PREFIX_BYTES = 1024;

  private final Headers headers = new RecordHeaders();
  private byte[] key;
  private byte[] value;

  /** The source record's headers, as many as fit in {@link #MAX_COPIED_HEADER_BYTES}. */
  public DeadLetter copyHeaders(Headers source) {
    int room = MAX_COPIED_HEADER_BYTES;
    for (Header h : source) {
      int size = h.key().length() + (h.value() == null ? 0 : h.value().length);
      if (size > room) {
        header(DeadLetterHeaders.HEADERS_DROPPED, "true");
        return this;
      }
      room -= size;
      headers.add(h);
    }
    return this;
  }

  /** Where the original record was read. */
  public DeadLetter origin(String topic, int partition, long offset) {
    header(DeadLetterHeaders.TOPIC, String.valueOf(topic));
    header(DeadLetterHeaders.PARTITION, String.valueOf(partition));
    header(DeadLetterHeaders.OFFSET, String.valueOf(offset));
    return this;
  }

  /** The exception's class name and the reason in words, cut to {@link #MAX_REASON_BYTES}. */
  public DeadLetter reason(Throwable exception, String reason) {
    header(DeadLetterHeaders.EXCEPTION, exception.getClass().getName());
    headers.add(DeadLetterHeaders.MESSAGE, cut(utf8(reason), MAX_REASON_BYTES));
    return this;
  }

  /** The exception's stack trace, cut to {@link #MAX_TRACE_BYTES}: for failures that may be bugs. */
  public DeadLetter stackTrace(Throwable exception) {
    StringWriter trace = new StringWriter();
    exception.printStackTrace(new PrintWriter(trace));
    headers.add(DeadLetterHeaders.STACKTRACE, cut(utf8(trace.toString()), MAX_TRACE_BYTES));
    return this;
  }

  /** One more header of the writer's own. */
  public DeadLetter header(String name, String value) {
    headers.add(name, utf8(value));
    return this;
  }

  /** The original key and value, whole. */
  public DeadLetter payload(byte[] key, byte[] value) {
    this.key = key;
    this.value = value;
    return this;
  }

  /**
   * The original key and value, cut to a prefix when together they take more than half of {@code
   * maxRecordBytes}, the largest record the dead-letter topic takes.
   */
  public DeadLetter payloadWithin(byte[] key, byte[] value, int maxRecordBytes) {
    int size = (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
    if (size <= maxRecordBytes / 2) {
      return payload(key, value);
    }
    return prefix(key, value, value == null ? 0 : value.length);
  }

  /** A prefix of the value, maybe already cut by someone else, with the size of the whole (negative: unknown). */
  public DeadLetter prefix(byte[] key, byte[] prefix, int originalBytes) {
    this.key = key == null ? null : cut(key, PREFIX_BYTES);
    this.value = prefix == null ? null : cut(prefix, PREFIX_BYTES);
    if (originalBytes >= 0) {
      header(DeadLetterHeaders.ORIGINAL_BYTES, String.valueOf(originalBytes));
    }
    return this;
  }

  /** The dead-letter record for {@code topic}, the dead-letter topic of the caller. */
  public ProducerRecord<byte[], byte[]> record(String topic) {
    return new ProducerRecord<>(topic, null, key, value, headers);
  }

  /** The exception's message, or its class name when it has none. */
  public static String message(Throwable exception) {
    return exception.getMessage() == null ? exception.getClass().getName() : exception.getMessage();
  }

  private static byte[] cut(byte[] bytes, int max) {
    return bytes.length <= max ? bytes : Arrays.copyOf(bytes, max);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
