package iota.orchestrator.connect;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.IntegrationTest;
import iota.orchestrator.embedded.EmbeddedKafka;
import iota.orchestrator.embedded.MosquittoBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.core.ConditionTimeoutException;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped bridge config against Debian's mosquitto 2, a production broker that resends
 * unacknowledged QoS 1 messages on a resumed session as MQTT 3.1.1 asks (Moquette 0.17 does not
 * always). The Connect worker runs in a child JVM, so it can be stopped and killed like a real one.
 * Skipped where mosquitto is not installed, except in CI, where .ci/run installs it.
 */
@IntegrationTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MosquittoBridgeIntegrationTest {
  private static final String KAFKA_TOPIC = "iota.cm-notify";

  @TempDir static Path dir;
  static EmbeddedKafka kafka;
  static MosquittoBroker mosquitto;
  static BridgeWorker worker;
  static MqttClient publisher;
  static KafkaConsumer<String, byte[]> consumer;
  static final Set<String> arrived = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void startPlatform() throws Exception {
    if ("true".equals(System.getenv("CI"))) {
      // .ci/run installs it: in CI a missing broker is a broken setup, not a reason to skip.
      assertTrue(MosquittoBroker.available(), "mosquitto must be installed in CI (apt-get install mosquitto)");
    }
    Assumptions.assumeTrue(MosquittoBroker.available(), "mosquitto is not installed (apt-get install mosquitto): skipping the bridge tests against it");
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
    mosquitto = MosquittoBroker.start(dir.resolve("mosquitto"), 0, 20);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(KAFKA_TOPIC, 1, (short) 1))).all().get();
    }
    publisher = new MqttClient(mosquitto.uri(), "config-service", new MemoryPersistence());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setMaxInflight(1000);
    publisher.connect(options);
    consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "mosquitto-test-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
        new StringDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(KAFKA_TOPIC));
    startWorker();
  }

  @AfterAll
  static void stopPlatform() throws Exception {
    if (worker != null) {
      worker.close();
    }
    if (consumer != null) {
      consumer.close();
    }
    if (publisher != null && publisher.isConnected()) {
      publisher.disconnect();
      publisher.close();
    }
    for (AutoCloseable server : new AutoCloseable[] {mosquitto, kafka}) {
      if (server != null) {
        server.close();
      }
    }
  }

  /** Starts the worker and waits until a probe comes through, so the bridge is subscribed. */
  private static void startWorker() throws Exception {
    worker = BridgeWorker.start(dir.resolve("connect"), kafka.bootstrapServers(), mosquitto.uri());
    String probe = "probe-" + UUID.randomUUID();
    await().atMost(Duration.ofSeconds(90)).until(() -> {
      assertTrue(worker.alive(), "the bridge worker exited; see " + dir.resolve("connect.log"));
      publish(probe);
      drain(Duration.ofMillis(500));
      return arrived.contains(probe);
    });
  }

  @Test
  @Order(1)
  void messagesPublishedWhileTheBridgeIsStoppedAllArriveAfterItRestarts() throws Exception {
    worker.close();
    Set<String> expected = publishAll("while-stopped-", 500);

    startWorker();

    awaitArrived(expected);
  }

  @Test
  @Order(2)
  void messagesPublishedAroundAKillOfTheBridgeAllArriveAfterItRestarts() throws Exception {
    int count = 4_000;
    CompletableFuture<Set<String>> published = CompletableFuture.supplyAsync(() -> {
      try {
        return publishAll("around-kill-", count);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    // Kill in the middle of the stream: some messages are then in the bridge's queue or its
    // producer, received and not yet acknowledged, and the rest are published while it is dead.
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      drain(Duration.ofMillis(20));
      return arrived.stream().filter(v -> v.startsWith("around-kill-")).count() >= count / 10;
    });
    worker.kill();
    Set<String> expected = published.get(120, TimeUnit.SECONDS);

    startWorker();

    awaitArrived(expected);
  }

  private static Set<String> publishAll(String prefix, int count) throws Exception {
    Set<String> values = new TreeSet<>();
    for (int i = 0; i < count; i++) {
      values.add(prefix + i);
      publish(prefix + i);
    }
    return values;
  }

  private static void publish(String payload) throws Exception {
    publisher.publish("cm/notify", payload.getBytes(StandardCharsets.UTF_8), 1, false);
  }

  private static void drain(Duration timeout) {
    consumer.poll(timeout).forEach(r -> arrived.add(new String(r.value(), StandardCharsets.UTF_8)));
  }

  /** At least once: every expected value arrives (duplicates are allowed). */
  private static void awaitArrived(Set<String> expected) {
    try {
      await().atMost(Duration.ofSeconds(90)).until(() -> {
        drain(Duration.ofMillis(200));
        return arrived.containsAll(expected);
      });
    } catch (ConditionTimeoutException e) {
      Set<String> missing = new TreeSet<>(expected);
      missing.removeAll(arrived);
      throw new AssertionError(missing.size() + " of " + expected.size() + " never arrived, e.g. "
          + missing.stream().limit(10).toList() + "; bridge log " + dir.resolve("connect.log"), e);
    }
    assertEquals(Set.of(), Set.copyOf(expected.stream().filter(v -> !arrived.contains(v)).toList()));
  }
}
