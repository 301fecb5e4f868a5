package iota.orchestrator.connect;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Decides when an MQTT message may be acknowledged: only once Connect has written its record to
 * Kafka, and in arrival order, as MQTT 3.1.1 (4.6) asks of PUBACKs. A record written before an
 * earlier one waits for it.
 *
 * <p>MQTT message ids belong to one network connection. When the connection is lost, every pending
 * message is forgotten: the broker redelivers those it did not get a PUBACK for on the next
 * connection (persistent session), and acknowledging an old id on the new connection could
 * acknowledge a different message. Thread-safe: messages arrive on the MQTT callback thread and
 * records are committed on the producer's thread.
 */
final class AckTracker {
  /** Sends the PUBACK for a message id and QoS of the current connection. */
  interface Acker {
    void ack(int messageId, int qos);
  }

  private static final class Pending {
    final int messageId;
    final int qos;
    boolean written;

    Pending(int messageId, int qos) {
      this.messageId = messageId;
      this.qos = qos;
    }
  }

  private final Acker acker;
  private final Deque<Pending> inArrivalOrder = new ArrayDeque<>();
  /** By identity: Connect hands back the very record {@code poll()} returned, and two can be equal. */
  private final Map<SourceRecord, Pending> byRecord = new IdentityHashMap<>();
  private long connection;

  AckTracker(Acker acker) {
    this.acker = acker;
  }

  /** The current connection; a message is tagged with it when it arrives. */
  synchronized long connection() {
    return connection;
  }

  /**
   * Registers the record of a message received on {@code connectionOfMessage}; returns false if
   * that connection is already gone (the broker will redeliver the message, so the record may still
   * be written but is never acknowledged).
   */
  synchronized boolean track(SourceRecord record, int messageId, int qos, long connectionOfMessage) {
    if (connectionOfMessage != connection) {
      return false;
    }
    Pending pending = new Pending(messageId, qos);
    inArrivalOrder.addLast(pending);
    byRecord.put(record, pending);
    return true;
  }

  /** Connect wrote {@code record} to Kafka (or deliberately dropped it): acknowledge what is now due. */
  synchronized void written(SourceRecord record) {
    Pending pending = byRecord.remove(record);
    if (pending == null) {
      return;
    }
    pending.written = true;
    while (!inArrivalOrder.isEmpty() && inArrivalOrder.peekFirst().written) {
      Pending head = inArrivalOrder.removeFirst();
      if (head.qos > 0) {
        acker.ack(head.messageId, head.qos);
      }
    }
  }

  /** The connection is gone: nothing pending can be acknowledged any more. */
  synchronized void connectionLost() {
    connection++;
    inArrivalOrder.clear();
    byRecord.clear();
  }

  /** Messages received and not yet acknowledged on the current connection. */
  synchronized int pending() {
    return inArrivalOrder.size();
  }
}
