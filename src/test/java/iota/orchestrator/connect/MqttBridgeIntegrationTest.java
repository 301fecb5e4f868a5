package iota.orchestrator.connect;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import iota.orchestrator.IntegrationTest;
import iota.orchestrator.deadletter.DeadLetterHeaders;
import iota.orchestrator.embedded.EmbeddedConnect;
import iota.orchestrator.embedded.EmbeddedKafka;
import iota.orchestrator.embedded.EmbeddedMqttBroker;
import iota.orchestrator.topics.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.core.ConditionTimeoutException;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** The shipped connector config on a real Connect worker, MQTT broker and Kafka broker. */
@IntegrationTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MqttBridgeIntegrationTest {
  private static final String KAFKA_TOPIC = "iota.cm-notify";
  /** Below the embedded MQTT broker's message limit, so that a payload over it can be published at all. */
  private static final int PRODUCER_MAX_BYTES = 200_000;
  static String connectorName;
  static String bridgeClientId;

  @TempDir static Path dir;
  static EmbeddedKafka kafka;
  static EmbeddedMqttBroker mqtt;
  static EmbeddedConnect connect;
  static MqttClient publisher;
  static KafkaConsumer<String, byte[]> consumer;

  @BeforeAll
  static void startPlatform() throws Exception {
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
    mqtt = EmbeddedMqttBroker.start(dir.resolve("mqtt"), 0);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(KAFKA_TOPIC, 1, (short) 1), new NewTopic(Topics.DLQ.name(), 1, (short) 1))).all().get();
    }
    connect = startConnect();
    Map<String, Object> shipped = new ObjectMapper().readValue(
        Path.of("connectors/iota-mqtt-source.json").toFile(), new TypeReference<>() {});
    @SuppressWarnings("unchecked")
    Map<String, String> config = new HashMap<>((Map<String, String>) shipped.get("config"));
    config.put("mqtt.server.uri", mqtt.uri());
    // The worker's producer takes PRODUCER_MAX_BYTES here (see startConnect), so the bridge's
    // limit follows it down, as a site lowering max.request.size would set it.
    config.put("mqtt.max.payload.bytes", String.valueOf(PRODUCER_MAX_BYTES - 50_000));
    connectorName = (String) shipped.get("name");
    bridgeClientId = config.get("mqtt.client.id");
    connect.putConnector(connectorName, config);

    publisher = new MqttClient(mqtt.uri(), "config-service", new MemoryPersistence());
    publisher.connect();
    consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "bridge-test-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
        new StringDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(KAFKA_TOPIC));
    // The connector's task subscribes asynchronously after the worker accepted it; a probe message
    // that comes through proves the bridge is live before the tests publish.
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      publish("probe");
      return !poll(Duration.ofMillis(500)).isEmpty();
    });
  }

  @AfterAll
  static void stopPlatform() throws Exception {
    if (consumer != null) {
      consumer.close();
    }
    if (publisher != null) {
      publisher.disconnect();
      publisher.close();
    }
    for (AutoCloseable server : new AutoCloseable[] {connect, mqtt, kafka}) {
      if (server != null) {
        server.close();
      }
    }
  }

  @Test
  @Order(1)
  void publishedChangeArrivesInKafkaKeyedByMqttTopicWithPayloadAndMqttHeaders() throws Exception {
    poll(Duration.ofMillis(200));
    byte[] change = "{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"t-1\"}}".getBytes(StandardCharsets.UTF_8);
    publisher.publish("cm/notify", change, 1, false);

    ConsumerRecord<String, byte[]> record = awaitValues(1).get(0);
    assertEquals("cm/notify", record.key());
    assertArrayEquals(change, record.value());
    assertEquals(1, intHeader(record, MqttSourceTask.HEADER_QOS));
    assertEquals("false", new String(record.headers().lastHeader(MqttSourceTask.HEADER_RETAINED).value(), StandardCharsets.UTF_8));
  }

  @Test
  @Order(2)
  void messagesPublishedWhileTheBridgeIsDownArriveAfterItRestarts() throws Exception {
    connect.close();
    // Down means down for the broker too: a publish racing the bridge's DISCONNECT would be sent to
    // the closing connection, and this broker may then lose it (see EmbeddedMqttBroker).
    await().atMost(Duration.ofSeconds(10)).until(() -> !mqtt.connectedClientIds().contains(bridgeClientId));
    for (int i = 0; i < 5; i++) {
      publish("while-down-" + i);
    }
    connect = startConnect();

    // At least once: a redelivery may repeat a value, but none may be missing or out of order.
    List<String> values = awaitValues(5).stream()
        .map(r -> new String(r.value(), StandardCharsets.UTF_8)).distinct().toList();
    assertEquals(List.of("while-down-0", "while-down-1", "while-down-2", "while-down-3", "while-down-4"), values);
  }

  @Test
  @Order(3)
  void aPayloadOverTheProducersLimitIsDeadLetteredWithItsReasonAndTheNextMessageArrives() throws Exception {
    poll(Duration.ofMillis(200));
    byte[] big = new byte[PRODUCER_MAX_BYTES + 100_000];
    Arrays.fill(big, (byte) 'x');
    try (KafkaConsumer<String, byte[]> dlq = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "bridge-dlq-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
        new StringDeserializer(), new ByteArrayDeserializer())) {
      dlq.subscribe(List.of(Topics.DLQ.name()));

      publisher.publish("cm/notify", big, 1, false);
      publish("after-the-big-one");

      assertEquals(List.of("after-the-big-one"),
          awaitValues(1).stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).distinct().toList());
      List<ConsumerRecord<String, byte[]>> dead = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        dlq.poll(Duration.ofMillis(200)).forEach(dead::add);
        return !dead.isEmpty();
      });
      String reason = new String(dead.get(0).headers().lastHeader(DeadLetterHeaders.MESSAGE).value(), StandardCharsets.UTF_8);
      assertTrue(reason.contains(big.length + " bytes"), reason);
      assertEquals("cm/notify", dead.get(0).key());
      assertTrue(dead.get(0).value().length < PRODUCER_MAX_BYTES);
      assertTrue(connect.taskStates(connectorName).stream().allMatch(t -> t.endsWith("RUNNING")), connect.taskStates(connectorName)::toString);
    }
  }

  private static EmbeddedConnect startConnect() {
    return EmbeddedConnect.start(dir.resolve("connect"), kafka.bootstrapServers(), 0,
        Map.of("producer.max.request.size", String.valueOf(PRODUCER_MAX_BYTES)));
  }

  private static void publish(String payload) throws Exception {
    publisher.publish("cm/notify", payload.getBytes(StandardCharsets.UTF_8), 1, false);
  }

  private static List<ConsumerRecord<String, byte[]>> poll(Duration timeout) {
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    consumer.poll(timeout).forEach(records::add);
    return records;
  }

  /** Records other than probes until {@code count} distinct values have come. */
  private static List<ConsumerRecord<String, byte[]>> awaitValues(int count) {
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    Set<String> values = new LinkedHashSet<>();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (ConsumerRecord<String, byte[]> r : poll(Duration.ofMillis(200))) {
          String value = new String(r.value(), StandardCharsets.UTF_8);
          if (!value.equals("probe")) {
            records.add(r);
            values.add(value);
          }
        }
        return values.size() >= count;
      });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("expected " + count + " values, got " + values + "; tasks " + connect.taskStates(connectorName)
          + "; MQTT clients connected " + mqtt.connectedClientIds(), e);
    }
    return records;
  }

  /** Connect's SimpleHeaderConverter writes an int header as its decimal text. */
  private static int intHeader(ConsumerRecord<?, ?> record, String name) {
    Header header = record.headers().lastHeader(name);
    String text = new String(header.value(), StandardCharsets.UTF_8);
    return text.chars().allMatch(Character::isDigit) ? Integer.parseInt(text) : ByteBuffer.wrap(header.value()).getInt();
  }
}
