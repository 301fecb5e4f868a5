package iota.orchestrator.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.model.DrainRequest;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.OrchestrateRequest;
import iota.orchestrator.model.OrchestrationParams;
import iota.orchestrator.model.OrchestrationReport;
import iota.orchestrator.model.RequestResult;
import iota.orchestrator.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Request/answer matching over the requests and results topics, with mock Kafka clients. */
class KafkaOrchestrateGatewayTest {
  private static final TopicPartition P0 = new TopicPartition(Topics.RESULTS.name(), 0);
  private static final TopicPartition P1 = new TopicPartition(Topics.RESULTS.name(), 1);

  private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
  private final MockProducer<String, byte[]> producer = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
  private ResultWaiter waiter;
  private KafkaOrchestrateGateway gateway;

  @BeforeEach
  void start() {
    consumer.updatePartitions(Topics.RESULTS.name(), List.of(new PartitionInfo(Topics.RESULTS.name(), 0, null, null, null), new PartitionInfo(Topics.RESULTS.name(), 1, null, null, null)));
    consumer.updateEndOffsets(Map.of(P0, 7L, P1, 0L));
    waiter = new ResultWaiter(consumer).start();
    gateway = new KafkaOrchestrateGateway(producer, waiter, Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  private void answer(TopicPartition tp, long offset, String key, byte[] value) {
    consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>(tp.topic(), tp.partition(), offset, key, value)));
  }

  private ProducerRecord<String, byte[]> awaitSent() {
    await().atMost(Duration.ofSeconds(5)).until(() -> !producer.history().isEmpty());
    return producer.history().get(producer.history().size() - 1);
  }

  @Test
  void waiterStartsAtTheEndSoOldAnswersAreNotReplayed() throws Exception {
    waiter.ready().get(5, TimeUnit.SECONDS);
    assertEquals(7, consumer.position(P0));
    assertEquals(0, consumer.position(P1));
  }

  @Test
  void requestIsKeyedByTypeAndItsAnswerIsMatchedById() throws Exception {
    CompletableFuture<RequestResult> result = gateway.orchestrate("req-1", "Thing", new OrchestrationParams(20, null, 3));
    ProducerRecord<String, byte[]> sent = awaitSent();
    producer.completeNext();
    assertEquals(Topics.REQUESTS.name(), sent.topic());
    assertEquals("Thing", sent.key());
    OrchestrateRequest request = OrchestrateRequest.parse(sent.value());
    assertEquals("req-1", request.requestId(), "the caller's id, so that log lines in every process carry the same one");
    assertEquals(new OrchestrationParams(20, null, 3), request.params());

    answer(P1, 0, "someone-else", Json.bytes(RequestResult.error("someone-else", "Thing", 409, "not ours")));
    answer(P1, 1, "garbage", "not json".getBytes(StandardCharsets.UTF_8));
    OrchestrationReport report = new OrchestrationReport("Thing", 3, 2, 0, 5, List.of(), List.of(), 2, 1);
    answer(P0, 7, request.requestId(), Json.bytes(RequestResult.ok(request.requestId(), report)));
    RequestResult got = result.get(5, TimeUnit.SECONDS);
    assertEquals(200, got.status());
    assertEquals(report, got.report());
    assertEquals(0, waiter.pendingCount(), "answered requests are forgotten");
  }

  @Test
  void aSecondRequestWithTheIdOfOneStillWaitingIsRefusedUnsent() throws Exception {
    CompletableFuture<RequestResult> first = gateway.orchestrate("req-4", "Thing", OrchestrationParams.EMPTY);
    awaitSent();
    CompletableFuture<RequestResult> second = gateway.orchestrate("req-4", "Thing", OrchestrationParams.EMPTY);
    ExecutionException e = assertThrows(ExecutionException.class, () -> second.get(5, TimeUnit.SECONDS));
    assertInstanceOf(OrchestrateGateway.DuplicateRequestException.class, e.getCause());
    assertEquals(1, producer.history().size(), "only the first was sent");
    assertFalse(first.isDone(), "the first still waits for its answer");
  }

  @Test
  void drainAndUndrainGoOnTheRequestsTopicKeyedByTypeAndAreAnsweredById() throws Exception {
    CompletableFuture<RequestResult> drained = gateway.drain("req-d1", "Thing", 3, true);
    ProducerRecord<String, byte[]> sent = awaitSent();
    producer.completeNext();
    assertEquals(Topics.REQUESTS.name(), sent.topic());
    assertEquals("Thing", sent.key());
    assertEquals(new DrainRequest("req-d1", "Thing", 3, true), DrainRequest.parse(Json.tree(sent.value())));
    OrchestrationReport report = new OrchestrationReport("Thing", 4, 2, 2, 6, List.of(), List.of(), 2, 2);
    answer(P0, 7, "req-d1", Json.bytes(RequestResult.ok("req-d1", report)));
    assertEquals(report, drained.get(5, TimeUnit.SECONDS).report());

    CompletableFuture<RequestResult> undrained = gateway.drain("req-d2", "Rule", 0, false);
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 2);
    producer.completeNext();
    ProducerRecord<String, byte[]> second = producer.history().get(1);
    assertEquals("Rule", second.key());
    assertEquals(new DrainRequest("req-d2", "Rule", 0, false), DrainRequest.parse(Json.tree(second.value())));
    answer(P1, 0, "req-d2", Json.bytes(RequestResult.error("req-d2", "Rule", 404, "no instance 0 of Rule")));
    RequestResult refused = undrained.get(5, TimeUnit.SECONDS);
    assertEquals(404, refused.status());
    assertEquals("no instance 0 of Rule", refused.error());
    assertEquals(0, waiter.pendingCount());
  }

  @Test
  void noAnswerTimesOutAndIsForgotten() {
    gateway = new KafkaOrchestrateGateway(producer, waiter, Duration.ofMillis(200));
    CompletableFuture<RequestResult> result = gateway.orchestrate("req-2", "Thing", OrchestrationParams.EMPTY);
    ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(5, TimeUnit.SECONDS));
    assertInstanceOf(TimeoutException.class, e.getCause());
    assertEquals(0, waiter.pendingCount());
  }

  @Test
  void sendFailureIsReportedAsUnavailable() {
    CompletableFuture<RequestResult> result = gateway.orchestrate("req-3", "Thing", OrchestrationParams.EMPTY);
    awaitSent();
    producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("no broker"));
    ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(5, TimeUnit.SECONDS));
    assertInstanceOf(OrchestrateGateway.GatewayUnavailableException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("no broker"));
  }

  @Test
  void closingFailsWhatIsStillPending() {
    CompletableFuture<RequestResult> pending = waiter.expect("never-answered");
    gateway.close();
    assertThrows(ExecutionException.class, () -> pending.get(5, TimeUnit.SECONDS));
    assertTrue(consumer.closed());
  }
}
