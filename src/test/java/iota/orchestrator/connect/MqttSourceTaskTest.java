package iota.orchestrator.connect;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.IntegrationTest;
import iota.orchestrator.deadletter.DeadLetterHeaders;
import iota.orchestrator.embedded.EmbeddedMqttBroker;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** The task against a real MQTT broker, with this test playing Kafka Connect's part. */
@IntegrationTest
class MqttSourceTaskTest {
  @TempDir static Path dir;
  static EmbeddedMqttBroker broker;
  static MqttClient publisher;

  private final List<MqttSourceTask> started = new ArrayList<>();
  private String topic;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = EmbeddedMqttBroker.start(dir, 0);
    publisher = new MqttClient(broker.uri(), "task-test-publisher", new MemoryPersistence());
    publisher.connect();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    publisher.disconnect();
    publisher.close();
    broker.close();
  }

  @AfterEach
  void stopTasks() {
    started.forEach(MqttSourceTask::stop);
  }

  @Test
  void recordHasMqttTopicAsKeyPayloadAsValueAndMqttPropertiesAsHeaders(TestInfo info) throws Exception {
    MqttSourceTask task = start(info, Map.of());
    publish("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"t1\"}}");

    SourceRecord record = pollOne(task);
    assertEquals("iota.cm-notify", record.topic());
    assertEquals(Schema.STRING_SCHEMA, record.keySchema());
    assertEquals(topic, record.key());
    assertEquals(Schema.BYTES_SCHEMA, record.valueSchema());
    assertArrayEquals("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"t1\"}}".getBytes(StandardCharsets.UTF_8),
        (byte[]) record.value());
    assertEquals(1, record.headers().lastWithName(MqttSourceTask.HEADER_QOS).value());
    assertEquals(false, record.headers().lastWithName(MqttSourceTask.HEADER_RETAINED).value());
    assertEquals(false, record.headers().lastWithName(MqttSourceTask.HEADER_DUPLICATE).value());
    assertTrue((Integer) record.headers().lastWithName(MqttSourceTask.HEADER_MESSAGE_ID).value() > 0);
  }

  @Test
  void messageWhoseRecordWasNotWrittenIsNotAcknowledgedAndIsRedeliveredToTheNextTask(TestInfo info) throws Exception {
    MqttSourceTask first = start(info, Map.of());
    publish("written");
    publish("not-written");
    List<SourceRecord> records = pollUntil(first, 2);
    first.commitRecord(records.get(0), null);
    assertEquals(1, first.unacknowledged());
    first.stop();

    MqttSourceTask second = start(info, Map.of());
    SourceRecord redelivered = pollOne(second);
    assertEquals("not-written", new String((byte[]) redelivered.value(), StandardCharsets.UTF_8));
    assertEquals(true, redelivered.headers().lastWithName(MqttSourceTask.HEADER_DUPLICATE).value());
    second.commitRecord(redelivered, null);
    assertEquals(0, second.unacknowledged());
  }

  @Test
  void acknowledgedMessageIsNotRedelivered(TestInfo info) throws Exception {
    MqttSourceTask first = start(info, Map.of());
    publish("one");
    first.commitRecord(pollOne(first), null);
    first.stop();

    MqttSourceTask second = start(info, Map.of());
    publish("two");
    SourceRecord next = pollOne(second);
    assertEquals("two", new String((byte[]) next.value(), StandardCharsets.UTF_8));
  }

  @Test
  void fullQueueHoldsMessagesBackWithoutLosingAny(TestInfo info) throws Exception {
    MqttSourceTask task = start(info, Map.of("mqtt.queue.capacity", "2"));
    for (int i = 0; i < 20; i++) {
      publish("m" + i);
    }

    List<String> values = new ArrayList<>();
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      List<SourceRecord> batch = task.poll();
      if (batch != null) {
        assertTrue(batch.size() <= 2, "a poll returned more than the queue holds");
        for (SourceRecord r : batch) {
          values.add(new String((byte[]) r.value(), StandardCharsets.UTF_8));
          task.commitRecord(r, null);
        }
      }
      return values.size() == 20;
    });
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      expected.add("m" + i);
    }
    assertEquals(expected, values);
  }

  @Test
  void theQueueIsBoundedInBytesNotOnlyInMessages(TestInfo info) throws Exception {
    MqttSourceTask task = start(info, Map.of("mqtt.queue.max.bytes", "1000"));
    String payload = "x".repeat(400);
    for (int i = 0; i < 8; i++) {
      publish(payload);
    }
    // Two fit (800 bytes), a third waits in the client's callback for room; none are polled yet.
    await().atMost(Duration.ofSeconds(15)).until(() -> task.unacknowledged() >= 3);

    List<SourceRecord> values = new ArrayList<>();
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      List<SourceRecord> batch = task.poll();
      if (batch != null) {
        long bytes = batch.stream().mapToLong(r -> ((byte[]) r.value()).length).sum();
        assertTrue(bytes <= 1000, "a poll returned " + bytes + " bytes, over the 1000-byte bound");
        for (SourceRecord r : batch) {
          values.add(r);
          task.commitRecord(r, null);
        }
      }
      return values.size() == 8;
    });
  }

  @Test
  void aPayloadOverTheLimitBecomesADeadLetterWithItsReasonAndIsAcknowledged(TestInfo info) throws Exception {
    MqttSourceTask task = start(info, Map.of("mqtt.max.payload.bytes", "100"));
    String big = "{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[" + "\"id\",".repeat(100) + "\"z\"]}";
    publish(big);
    publish("next");

    List<SourceRecord> records = pollUntil(task, 2);

    SourceRecord dead = records.get(0);
    assertEquals("iota.orchestrator.dlq", dead.topic());
    assertEquals(topic, dead.key());
    assertEquals(100, ((byte[]) dead.value()).length, "the first bytes are kept, for people to look at");
    String reason = (String) dead.headers().lastWithName(DeadLetterHeaders.MESSAGE).value();
    assertTrue(reason.contains(big.length() + " bytes") && reason.contains("mqtt.max.payload.bytes"), reason);
    assertEquals("iota.cm-notify", dead.headers().lastWithName(DeadLetterHeaders.TOPIC).value());
    assertEquals("next", new String((byte[]) records.get(1).value(), StandardCharsets.UTF_8));
    assertEquals("iota.cm-notify", records.get(1).topic());

    records.forEach(r -> task.commitRecord(r, null));
    assertEquals(0, task.unacknowledged());
  }

  @Test
  void startReturnsSubscribedEvenWhenTheBrokerDropsTheFirstSubscribe(TestInfo info) throws Exception {
    try (SubscribeDroppingProxy proxy = SubscribeDroppingProxy.start(broker.port())) {
      MqttSourceTask task = start(info, Map.of("mqtt.server.uri", proxy.uri()));
      assertEquals(1, proxy.droppedSubscriptions());

      // No subscription, no delivery: published before the reconnect subscribed, this would be lost.
      publish("right-after-start");
      assertEquals("right-after-start", new String((byte[]) pollOne(task).value(), StandardCharsets.UTF_8));
      task.stop();
    }
  }

  @Test
  void taskStartedBeforeTheBrokerIsReachableConnectsLater(TestInfo info) throws Exception {
    Path laterDir = dir.resolve("later");
    int port = unusedListenPort();
    Map<String, String> props = props(info, Map.of());
    props.put("mqtt.server.uri", "tcp://127.0.0.1:" + port);
    props.put("mqtt.connect.timeout.seconds", "1");
    MqttSourceTask task = new MqttSourceTask();
    started.add(task);
    task.start(props);
    assertNull(task.poll());

    try (EmbeddedMqttBroker later = EmbeddedMqttBroker.start(laterDir, port)) {
      MqttClient p = new MqttClient(later.uri(), "later-publisher", new MemoryPersistence());
      p.connect();
      List<SourceRecord> got = new ArrayList<>();
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        p.publish(topic, "hello".getBytes(StandardCharsets.UTF_8), 1, false);
        List<SourceRecord> batch = task.poll();
        if (batch != null) {
          got.addAll(batch);
        }
        return !got.isEmpty();
      });
      p.disconnect();
      p.close();
      task.stop();
      assertEquals("hello", new String((byte[]) got.get(0).value(), StandardCharsets.UTF_8));
    }
  }

  /**
   * A port nothing listens on, for a broker started later. Below Linux's ephemeral range (32768 and
   * up), so no outgoing connection is handed it meanwhile; {@code broker.port() + 1} once was, and the
   * late broker could not bind.
   */
  private static int unusedListenPort() throws IOException {
    Random rnd = new Random();
    for (int tries = 0; tries < 100; tries++) {
      int candidate = 20_000 + rnd.nextInt(12_000);
      try (ServerSocket probe = new ServerSocket()) {
        probe.bind(new InetSocketAddress("127.0.0.1", candidate));
        return candidate;
      } catch (BindException taken) {
        // try another
      }
    }
    throw new IOException("no unused port found between 20000 and 32000");
  }

  private MqttSourceTask start(TestInfo info, Map<String, String> extra) {
    MqttSourceTask task = new MqttSourceTask();
    started.add(task);
    task.start(props(info, extra));
    return task;
  }

  private Map<String, String> props(TestInfo info, Map<String, String> extra) {
    String name = info.getTestMethod().orElseThrow().getName();
    topic = "test/" + name;
    Map<String, String> props = new HashMap<>();
    props.put("mqtt.server.uri", broker.uri());
    props.put("mqtt.topics", topic);
    props.put("kafka.topic", "iota.cm-notify");
    props.put(MqttSourceTask.TASK_CLIENT_ID, "task-" + name);
    props.putAll(extra);
    return props;
  }

  private void publish(String payload) throws Exception {
    publisher.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false);
  }

  private static SourceRecord pollOne(MqttSourceTask task) {
    return pollUntil(task, 1).get(0);
  }

  private static List<SourceRecord> pollUntil(MqttSourceTask task, int count) {
    List<SourceRecord> records = new ArrayList<>();
    await().atMost(Duration.ofSeconds(15)).until(() -> {
      List<SourceRecord> batch = task.poll();
      if (batch != null) {
        records.addAll(batch);
      }
      return records.size() >= count;
    });
    return records;
  }
}
