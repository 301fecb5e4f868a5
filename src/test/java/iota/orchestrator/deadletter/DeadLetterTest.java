package iota.orchestrator.deadletter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class DeadLetterTest {
  private static final byte[] KEY = "Thing/0".getBytes(StandardCharsets.UTF_8);

  private static String header(ProducerRecord<byte[], byte[]> r, String name) {
    return r.headers().lastHeader(name) == null ? null : new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  @Test
  void carriesTheReasonAndOriginInTheSharedHeadersToTheGivenTopic() {
    ProducerRecord<byte[], byte[]> r = new DeadLetter()
        .reason(new IllegalStateException("boom"), "it went boom")
        .origin("in", 3, 42)
        .payload(KEY, new byte[] {1, 2})
        .record("dlq");

    assertEquals("dlq", r.topic());
    assertEquals(IllegalStateException.class.getName(), header(r, DeadLetterHeaders.EXCEPTION));
    assertEquals("it went boom", header(r, DeadLetterHeaders.MESSAGE));
    assertEquals("in", header(r, DeadLetterHeaders.TOPIC));
    assertEquals("3", header(r, DeadLetterHeaders.PARTITION));
    assertEquals("42", header(r, DeadLetterHeaders.OFFSET));
    assertNull(header(r, DeadLetterHeaders.STACKTRACE), "a trace only when asked for");
    assertArrayEquals(KEY, r.key());
    assertArrayEquals(new byte[] {1, 2}, r.value());
  }

  @Test
  void reasonAndTraceAreCutToTheirBounds() {
    RuntimeException e = new RuntimeException("x".repeat(10_000));
    ProducerRecord<byte[], byte[]> r = new DeadLetter().reason(e, e.getMessage()).stackTrace(e).record("dlq");

    assertEquals(DeadLetter.MAX_REASON_BYTES, r.headers().lastHeader(DeadLetterHeaders.MESSAGE).value().length);
    assertTrue(header(r, DeadLetterHeaders.STACKTRACE).startsWith("java.lang.RuntimeException: xxx"));
    assertTrue(r.headers().lastHeader(DeadLetterHeaders.STACKTRACE).value().length <= DeadLetter.MAX_TRACE_BYTES);
  }

  @Test
  void aPayloadKeptWholeIsNeverCut() {
    byte[] big = new byte[100_000];

    ProducerRecord<byte[], byte[]> r = new DeadLetter().payload(KEY, big).record("dlq");

    assertEquals(big.length, r.value().length);
    assertNull(header(r, DeadLetterHeaders.ORIGINAL_BYTES));
  }

  @Test
  void aPayloadWithinALimitIsCutToAPrefixWhenOverHalfOfIt() {
    byte[] fits = new byte[400];
    byte[] over = new byte[600];

    ProducerRecord<byte[], byte[]> kept = new DeadLetter().payloadWithin(KEY, fits, 1000).record("dlq");
    ProducerRecord<byte[], byte[]> cut = new DeadLetter().payloadWithin(KEY, new byte[5000], 1000).record("dlq");
    ProducerRecord<byte[], byte[]> overHalf = new DeadLetter().payloadWithin(KEY, over, 1000).record("dlq");

    assertEquals(400, kept.value().length);
    assertNull(header(kept, DeadLetterHeaders.ORIGINAL_BYTES));
    assertEquals(DeadLetter.PREFIX_BYTES, cut.value().length);
    assertEquals("5000", header(cut, DeadLetterHeaders.ORIGINAL_BYTES));
    assertEquals("600", header(overHalf, DeadLetterHeaders.ORIGINAL_BYTES));
  }

  @Test
  void copiedHeadersStopAtTheirBoundAndSaySo() {
    RecordHeaders source = new RecordHeaders();
    source.add("small", new byte[10]);
    source.add("huge", new byte[DeadLetter.MAX_COPIED_HEADER_BYTES]);
    source.add("after", new byte[10]);

    ProducerRecord<byte[], byte[]> r = new DeadLetter().copyHeaders(source).record("dlq");

    assertEquals(10, r.headers().lastHeader("small").value().length);
    assertNull(r.headers().lastHeader("huge"));
    assertEquals("true", header(r, DeadLetterHeaders.HEADERS_DROPPED));
  }

  @Test
  void anExceptionWithoutAMessageIsNamedByItsClass() {
    assertEquals(NullPointerException.class.getName(), DeadLetter.message(new NullPointerException()));
    assertEquals("why", DeadLetter.message(new IllegalArgumentException("why")));
  }
}
