package iota.orchestrator.embedded;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.IntegrationTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.commons.io.FileUtils;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

@IntegrationTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedMqttBrokerTest {
  @TempDir static Path dir;
  static EmbeddedMqttBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedMqttBroker.start(dir, 0);
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Test
  @Order(1)
  void anonymousSubscriberReceivesQos1Publish() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    MqttClient subscriber = connect("sub-1", true);
    subscriber.subscribe("cm/notify", 1, (topic, msg) -> received.add(new String(msg.getPayload(), StandardCharsets.UTF_8)));
    MqttClient publisher = connect("pub-1", true);
    publisher.publish("cm/notify", "{\"o\":\"c\"}".getBytes(StandardCharsets.UTF_8), 1, false);

    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
    assertEquals("{\"o\":\"c\"}", received.get(0));
    disconnect(subscriber, publisher);
  }

  @Test
  @Order(2)
  void aBulkEventOfThousandsOfIdsGetsThrough() throws Exception {
    // Moquette's own limit (8,092 bytes) dropped the publisher's connection at a few hundred ids.
    StringBuilder ids = new StringBuilder();
    for (int i = 0; i < 10_000; i++) {
      ids.append(i == 0 ? "" : ",").append("\"thing-").append(i).append('"');
    }
    byte[] event = ("{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[" + ids + "]}").getBytes(StandardCharsets.UTF_8);
    assertTrue(event.length > 100_000 && event.length < EmbeddedMqttBroker.MAX_MESSAGE_BYTES, "event of " + event.length + " bytes");
    List<byte[]> received = new CopyOnWriteArrayList<>();
    MqttClient subscriber = connect("sub-bulk", true);
    subscriber.subscribe("cm/notify", 1, (topic, msg) -> received.add(msg.getPayload()));
    MqttClient publisher = connect("pub-bulk", true);
    publisher.publish("cm/notify", event, 1, false);

    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
    assertArrayEquals(event, received.get(0));
    assertTrue(publisher.isConnected());
    disconnect(subscriber, publisher);
  }

  @Test
  @Order(3)
  void queuedMessagesOfAPersistentSessionSurviveRestart() throws Exception {
    MqttClient subscriber = connect("durable-sub", false);
    subscriber.subscribe("cm/notify", 1);
    disconnect(subscriber);

    MqttClient publisher = connect("pub-2", true);
    publisher.publish("cm/notify", "queued".getBytes(StandardCharsets.UTF_8), 1, false);
    disconnect(publisher);

    int port = broker.port();
    broker.close();
    long began = System.nanoTime();
    broker = EmbeddedMqttBroker.start(dir, port);
    System.out.printf("EmbeddedMqttBroker restart took %d ms%n", (System.nanoTime() - began) / 1_000_000);

    List<String> received = new CopyOnWriteArrayList<>();
    MqttClient resumed = new MqttClient(broker.uri(), "durable-sub", new MemoryPersistence());
    resumed.setCallback(new MqttCallback() {
      @Override public void connectionLost(Throwable cause) {}
      @Override public void messageArrived(String topic, MqttMessage message) {
        received.add(new String(message.getPayload(), StandardCharsets.UTF_8));
      }
      @Override public void deliveryComplete(IMqttDeliveryToken token) {}
    });
    resumed.connect(options(false));
    await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("queued"));
    disconnect(resumed);
  }

  @Test
  @Order(4)
  void aStoreLeftByACrashIsDiscardedAndTheBrokerServesAfresh() throws Exception {
    // What kill -9 leaves: the store as it is while the broker runs, without the clean-stop marker.
    Path crashed = dir.resolveSibling(dir.getFileName() + "-crashed");
    FileUtils.copyDirectory(dir.toFile(), crashed.toFile());
    Files.deleteIfExists(crashed.resolve(EmbeddedMqttBroker.CLEAN_STOP_MARKER));
    Path leftover = Files.writeString(crashed.resolve("leftover-of-the-crash"), "x");

    EmbeddedMqttBroker afterCrash = EmbeddedMqttBroker.start(crashed, 0);
    try {
      assertFalse(Files.exists(leftover), "the crashed store was used");
      List<String> received = new CopyOnWriteArrayList<>();
      MqttClient bridge = new MqttClient(afterCrash.uri(), "bridge-after-crash", new MemoryPersistence());
      bridge.connect(options(false));
      bridge.subscribe("cm/notify", 1, (topic, msg) -> received.add(new String(msg.getPayload(), StandardCharsets.UTF_8)));
      MqttClient publisher = new MqttClient(afterCrash.uri(), "pub-after-crash", new MemoryPersistence());
      publisher.connect(options(true));
      publisher.publish("cm/notify", "after the crash".getBytes(StandardCharsets.UTF_8), 1, false);
      await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("after the crash"));
      disconnect(bridge, publisher);
    } finally {
      afterCrash.close();
    }
    assertTrue(Files.exists(crashed.resolve(EmbeddedMqttBroker.CLEAN_STOP_MARKER)), "a clean stop marks the store");
  }

  private static MqttClient connect(String clientId, boolean cleanSession) throws Exception {
    MqttClient client = new MqttClient(broker.uri(), clientId, new MemoryPersistence());
    client.connect(options(cleanSession));
    return client;
  }

  private static MqttConnectOptions options(boolean cleanSession) {
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(cleanSession);
    return options;
  }

  private static void disconnect(MqttClient... clients) throws Exception {
    for (MqttClient c : clients) {
      c.disconnect();
      c.close();
    }
  }
}
