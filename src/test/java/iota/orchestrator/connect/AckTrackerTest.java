package iota.orchestrator.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class AckTrackerTest {
  private final List<Integer> acked = new ArrayList<>();
  private final AckTracker tracker = new AckTracker((id, qos) -> acked.add(id));

  @Test
  void messageIsAcknowledgedOnlyAfterItsRecordIsWritten() {
    SourceRecord r1 = record("a");
    tracker.track(r1, 1, 1, tracker.connection());

    assertEquals(List.of(), acked);
    tracker.written(r1);
    assertEquals(List.of(1), acked);
  }

  @Test
  void laterRecordWrittenFirstWaitsSoAcknowledgementsFollowArrivalOrder() {
    SourceRecord r1 = record("a");
    SourceRecord r2 = record("b");
    tracker.track(r1, 1, 1, tracker.connection());
    tracker.track(r2, 2, 1, tracker.connection());

    tracker.written(r2);
    assertEquals(List.of(), acked);
    tracker.written(r1);
    assertEquals(List.of(1, 2), acked);
  }

  @Test
  void equalRecordsAreTrackedSeparately() {
    SourceRecord r1 = record("same");
    SourceRecord r2 = record("same");
    tracker.track(r1, 1, 1, tracker.connection());
    tracker.track(r2, 2, 1, tracker.connection());

    tracker.written(r1);
    assertEquals(List.of(1), acked);
    assertEquals(1, tracker.pending());
  }

  @Test
  void messagesOfALostConnectionAreNeverAcknowledgedOnTheNextOne() {
    SourceRecord old = record("old");
    long first = tracker.connection();
    tracker.track(old, 7, 1, first);
    tracker.connectionLost();

    tracker.written(old);
    assertFalse(tracker.track(record("late"), 8, 1, first));
    assertEquals(List.of(), acked);
    assertEquals(0, tracker.pending());
  }

  @Test
  void qos0MessagesTakeTheirTurnButSendNoAcknowledgement() {
    SourceRecord r0 = record("q0");
    SourceRecord r1 = record("q1");
    tracker.track(r0, 0, 0, tracker.connection());
    tracker.track(r1, 5, 1, tracker.connection());

    tracker.written(r1);
    tracker.written(r0);
    assertEquals(List.of(5), acked);
  }

  private static SourceRecord record(String value) {
    return new SourceRecord(null, null, "t", null, Schema.STRING_SCHEMA, "k", Schema.BYTES_SCHEMA, value.getBytes());
  }
}
