package iota.orchestrator.executor;

import iota.orchestrator.deadletter.DeadLetter;
import iota.orchestrator.topics.Topics;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a command record the executor gives up on to {@link Topics#DLQ} and waits for the broker's
 * ack. The dead letter holds the original key and value whole ({@link DeadLetter#payload}): once
 * the offset is committed it is the only copy of the command. A send that fails is not the
 * command's fault: the record stays unfinished and the round counts it as an outage.
 */
final class DeadLetterSender {
  private static final Logger log = LoggerFactory.getLogger(DeadLetterSender.class);

  private final Producer<byte[], byte[]> producer;
  private final Duration ackTimeout;

  DeadLetterSender(Producer<byte[], byte[]> producer, Duration ackTimeout) {
    this.producer = producer;
    this.ackTimeout = ackTimeout;
  }

  /** Sends the dead letter of {@code record}; false when Kafka did not take it in time. */
  boolean send(ConsumerRecord<byte[], byte[]> record, Exception reason, String message) {
    ProducerRecord<byte[], byte[]> letter = new DeadLetter()
        .copyHeaders(record.headers())
        .reason(reason, message)
        .stackTrace(reason)
        .origin(record.topic(), record.partition(), record.offset())
        .payload(record.key(), record.value())
        .record(Topics.DLQ.name());
    try {
      producer.send(letter).get(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      log.warn("could not write to {}, the record stays unfinished: {}", Topics.DLQ, e.toString());
    }
    return false;
  }
}
