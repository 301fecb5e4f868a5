package iota.orchestrator.api;

import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.model.DrainRequest;
import iota.orchestrator.model.OrchestrateRequest;
import iota.orchestrator.model.OrchestrationParams;
import iota.orchestrator.model.RequestResult;
import iota.orchestrator.topics.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends orchestrate, drain and undrain requests to {@link Topics#REQUESTS} keyed by resource type,
 * so Kafka routes each to the task that owns the type whichever app instance took the HTTP call, and
 * waits for the answer through a {@link ResultWaiter}.
 */
public final class KafkaOrchestrateGateway implements OrchestrateGateway, AutoCloseable {
  private final Producer<String, byte[]> producer;
  private final ResultWaiter waiter;
  private final Duration timeout;

  /**
   * @param producer owned and closed by this gateway
   * @param waiter started; owned and closed by this gateway
   * @param timeout how long to wait for the answer, including waiting for the waiter to be ready
   */
  public KafkaOrchestrateGateway(Producer<String, byte[]> producer, ResultWaiter waiter, Duration timeout) {
    this.producer = producer;
    this.waiter = waiter;
    this.timeout = timeout;
  }

  /** A gateway with its own producer and results consumer, from the configuration's Kafka settings. */
  public static KafkaOrchestrateGateway create(OrchestratorConfig config) {
    Duration timeout = config.get(ConfigKeys.API_REQUEST_TIMEOUT);
    Map<String, Object> common = new HashMap<>(config.kafkaOverrides());
    common.put("bootstrap.servers", config.require(ConfigKeys.BOOTSTRAP_SERVERS));

    Map<String, Object> p = new HashMap<>(common);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, config.get(ConfigKeys.APPLICATION_ID) + "-api-requests");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    // An HTTP caller is waiting: give up on an unreachable broker within the request timeout.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
    // Must cover linger plus the default 30 s request timeout, or the producer refuses to start.
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeout.toMillis(), 31_000L));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);

    Map<String, Object> c = new HashMap<>(common);
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, config.get(ConfigKeys.APPLICATION_ID) + "-api-results-" + UUID.randomUUID());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);

    KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p);
    ResultWaiter waiter = new ResultWaiter(new KafkaConsumer<>(c)).start();
    return new KafkaOrchestrateGateway(producer, waiter, timeout);
  }

  @Override
  public CompletableFuture<RequestResult> orchestrate(String requestId, String resource, OrchestrationParams params) {
    OrchestrateRequest request = new OrchestrateRequest(requestId, resource, params);
    return send(request.requestId(), resource, request.toJson());
  }

  @Override
  public CompletableFuture<RequestResult> drain(String requestId, String resource, int instanceId, boolean drain) {
    DrainRequest request = new DrainRequest(requestId, resource, instanceId, drain);
    return send(request.requestId(), resource, request.toJson());
  }

  /** Sends one request, keyed by its resource type, and completes with the answer to {@code requestId}. */
  private CompletableFuture<RequestResult> send(String requestId, String resource, byte[] json) {
    // Registered before sending, so even an instant answer finds its waiter; the timeout also
    // unregisters it, so abandoned requests do not pile up.
    CompletableFuture<RequestResult> answer = waiter.expect(requestId);
    if (answer.isDone()) {
      return answer;
    }
    answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    waiter
        .ready()
        .whenCompleteAsync(
            (ready, notReady) -> {
              if (notReady != null) {
                answer.completeExceptionally(new GatewayUnavailableException("the results topic cannot be read", notReady));
              } else if (!answer.isDone()) {
                produce(new ProducerRecord<>(Topics.REQUESTS.name(), resource, json), answer);
              }
            });
    return answer;
  }

  private void produce(ProducerRecord<String, byte[]> record, CompletableFuture<RequestResult> answer) {
    try {
      producer.send(
          record,
          (metadata, error) -> {
            if (error != null) {
              answer.completeExceptionally(new GatewayUnavailableException("cannot send the request to Kafka: " + error.getMessage(), error));
            }
          });
    } catch (RuntimeException e) {
      answer.completeExceptionally(new GatewayUnavailableException("cannot send the request to Kafka: " + e.getMessage(), e));
    }
  }

  /** The answer timeout, for messages that tell the caller how long was waited. */
  public Duration timeout() {
    return timeout;
  }

  @Override
  public void close() {
    waiter.close();
    producer.close(Duration.ofSeconds(5));
  }
}
