package iota.orchestrator.api;

import iota.orchestrator.model.Json;
import iota.orchestrator.model.RequestResult;
import iota.orchestrator.topics.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Matches answers on {@link Topics#RESULTS} to waiting requests by request id.
 *
 * <p>Any app instance may take a POST while another instance's task handles it, so every instance
 * reads the whole results topic: all partitions assigned, no consumer group, starting at the end
 * (older answers belong to requests no one waits for any more). The consumer reads committed data
 * only, so an answer of an aborted transaction is never shown. {@link #ready()} completes once the
 * start position is fixed; a request must not be sent before, or its answer could be skipped.
 */
public final class ResultWaiter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ResultWaiter.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final long RETRY_TOPIC_MS = 500;

  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final Map<String, CompletableFuture<RequestResult>> pending = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final CountDownLatch closing = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean started;

  /**
   * @param consumer a consumer without group id, {@code isolation.level=read_committed}; owned and
   *     closed by this waiter
   */
  public ResultWaiter(Consumer<String, byte[]> consumer) {
    this(consumer, Topics.RESULTS.name());
  }

  ResultWaiter(Consumer<String, byte[]> consumer, String topic) {
    this.consumer = consumer;
    this.topic = topic;
    this.thread = new Thread(this::run, "iota-result-waiter");
    this.thread.setDaemon(true);
  }

  /** Starts reading in a background thread. */
  public synchronized ResultWaiter start() {
    if (closing.getCount() == 0) {
      throw new IllegalStateException("result waiter is closed");
    }
    started = true;
    thread.start();
    return this;
  }

  /** Completes when answers to requests sent from now on will be seen. */
  public CompletableFuture<Void> ready() {
    return ready;
  }

  /**
   * Registers interest in an answer; call before sending the request. The caller applies a timeout.
   * Already failed with {@link OrchestrateGateway.DuplicateRequestException} when another request
   * with this id is waiting.
   */
  public CompletableFuture<RequestResult> expect(String requestId) {
    CompletableFuture<RequestResult> f = new CompletableFuture<>();
    if (pending.putIfAbsent(requestId, f) != null) {
      return CompletableFuture.failedFuture(new OrchestrateGateway.DuplicateRequestException(requestId));
    }
    f.whenComplete((r, e) -> pending.remove(requestId, f));
    return f;
  }

  int pendingCount() {
    return pending.size();
  }

  private void run() {
    try {
      List<TopicPartition> partitions = awaitPartitions();
      if (partitions == null) {
        return;
      }
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      // seekToEnd is lazy; asking for the positions fixes them before anyone is told we are ready.
      partitions.forEach(consumer::position);
      ready.complete(null);
      LOG.info("waiting for answers on {} ({} partitions)", topic, partitions.size());
      while (closing.getCount() > 0) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
          deliver(record);
        }
      }
    } catch (WakeupException e) {
      if (closing.getCount() > 0) {
        throw e;
      }
    } catch (RuntimeException e) {
      LOG.error("result waiter stopped; orchestrate requests will time out", e);
      ready.completeExceptionally(e);
    } finally {
      pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException("result waiter closed")));
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private List<TopicPartition> awaitPartitions() {
    while (closing.getCount() > 0) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic);
      if (infos != null && !infos.isEmpty()) {
        return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      }
      LOG.info("topic {} has no partitions yet; retrying", topic);
      try {
        if (closing.await(RETRY_TOPIC_MS, TimeUnit.MILLISECONDS)) {
          return null;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return null;
  }

  private void deliver(ConsumerRecord<String, byte[]> record) {
    RequestResult result;
    try {
      result = Json.read(record.value(), RequestResult.class);
    } catch (RuntimeException e) {
      LOG.warn("unreadable answer at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.toString());
      return;
    }
    String id = result.requestId() != null ? result.requestId() : record.key();
    CompletableFuture<RequestResult> f = id == null ? null : pending.get(id);
    if (f != null) {
      f.complete(result);
    }
  }

  @Override
  public synchronized void close() {
    if (closing.getCount() == 0) {
      return;
    }
    closing.countDown();
    if (!started) {
      consumer.close(Duration.ZERO);
      return;
    }
    consumer.wakeup();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
