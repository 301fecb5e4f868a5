package iota.orchestrator.topology;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * Builds one dead-letter record, always small enough to be written. A dead letter that the broker
 * refused would, under exactly-once, abort the transaction it was meant to rescue, so the original
 * bytes are kept only while they fit in half of {@link RecordLimits#maxBytes}; a larger value or
 * key is cut to its first {@link OversizedRecordException#PREFIX_BYTES} bytes (header {@link
 * Topics#DLQ_HEADER_ORIGINAL_BYTES} gives the full size, and topic, partition and offset point at
 * the original), and reason, stack trace and copied headers are bounded too.
 */
final class DeadLetter {
  static final int MAX_REASON_BYTES = 2 * 1024;
  static final int MAX_TRACE_BYTES = 16 * 1024;
  static final int MAX_COPIED_HEADER_BYTES = 16 * 1024;

  private final int maxBytes;
  private final Headers headers = new RecordHeaders();
  private byte[] key;
  private byte[] value;

  DeadLetter(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** The source record's headers, as many as fit in {@link #MAX_COPIED_HEADER_BYTES}. */
  DeadLetter copyHeaders(Headers source) {
    int room = MAX_COPIED_HEADER_BYTES;
    for (Header h : source) {
      int size = h.key().length() + (h.value() == null ? 0 : h.value().length);
      if (size > room) {
        headers.add(Topics.DLQ_HEADER_HEADERS_DROPPED, utf8("true"));
        return this;
      }
      room -= size;
      headers.add(h);
    }
    return this;
  }

  DeadLetter origin(ErrorHandlerContext context) {
    header(Topics.DLQ_HEADER_TOPIC, String.valueOf(context.topic()));
    header(Topics.DLQ_HEADER_PARTITION, String.valueOf(context.partition()));
    header(Topics.DLQ_HEADER_OFFSET, String.valueOf(context.offset()));
    return this;
  }

  DeadLetter reason(Exception exception, String reason, String trace) {
    header(Topics.DLQ_HEADER_EXCEPTION, exception.getClass().getName());
    headers.add(Topics.DLQ_HEADER_MESSAGE, cut(utf8(reason), MAX_REASON_BYTES));
    if (trace != null) {
      headers.add(Topics.DLQ_HEADER_STACKTRACE, cut(utf8(trace), MAX_TRACE_BYTES));
    }
    return this;
  }

  DeadLetter header(String name, String value) {
    headers.add(name, utf8(value));
    return this;
  }

  /** The original key and value, cut to a prefix when either would make the record too large. */
  DeadLetter payload(byte[] key, byte[] value) {
    int keep = maxBytes / 2;
    int size = (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
    if (size <= keep) {
      this.key = key;
      this.value = value;
      return this;
    }
    this.key = key == null ? null : cut(key, OversizedRecordException.PREFIX_BYTES);
    this.value = value == null ? null : cut(value, OversizedRecordException.PREFIX_BYTES);
    header(Topics.DLQ_HEADER_ORIGINAL_BYTES, String.valueOf(value == null ? 0 : value.length));
    return this;
  }

  /** A prefix already cut by someone else, with the size of the whole (negative: unknown). */
  DeadLetter prefix(byte[] key, byte[] prefix, int originalBytes) {
    this.key = key == null ? null : cut(key, OversizedRecordException.PREFIX_BYTES);
    this.value = cut(prefix, OversizedRecordException.PREFIX_BYTES);
    if (originalBytes >= 0) {
      header(Topics.DLQ_HEADER_ORIGINAL_BYTES, String.valueOf(originalBytes));
    }
    return this;
  }

  ProducerRecord<byte[], byte[]> record() {
    return new ProducerRecord<>(Topics.DLQ, null, key, value, headers);
  }

  private static byte[] cut(byte[] bytes, int max) {
    return bytes.length <= max ? bytes : Arrays.copyOf(bytes, max);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
