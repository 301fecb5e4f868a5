package iota.orchestrator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.connect.BufferedSocketFactory;
import iota.orchestrator.embedded.EmbeddedConnect;
import iota.orchestrator.embedded.EmbeddedKafka;
import iota.orchestrator.embedded.EmbeddedMqttBroker;
import iota.orchestrator.embedded.MosquittoBroker;
import iota.orchestrator.model.Json;
import iota.orchestrator.topics.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.io.FileUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The MQTT source connector alone, one create event per message: MQTT QoS 1 publish → Kafka
 * Connect (the shipped config) → {@code iota.cm-notify}, against the embedded Moquette and, where it
 * is installed, Debian's mosquitto 2 with several {@code max_inflight_messages}. The bridge
 * acknowledges a message only once Kafka has it, so the broker's window of unacknowledged messages
 * per subscriber bounds the rate: Moquette's is a constant 10, mosquitto's is configurable.
 *
 * <p>Each figure: {@code messages} published as fast as the broker acknowledges them (200 in
 * flight from the publisher, at most 1,000 ahead of Kafka), divided by the time from the first publish until the last record is
 * read back from Kafka; after a warm-up of the same size that is not counted.
 */
public final class BridgeBenchmark {
  private static final String TOPIC = "cm/notify";
  private static final String CONNECTOR = "iota-mqtt-source";
  private static final int PUBLISHER_IN_FLIGHT = 200;
  private static final int AHEAD_OF_KAFKA = 1_000;
  private static final Duration ARRIVAL_TIMEOUT = Duration.ofMinutes(3);

  private BridgeBenchmark() {}

  /** Prints one line per broker; {@code inflights} are mosquitto's {@code max_inflight_messages} to try. */
  public static void run(PrintStream out, int messages, List<Integer> inflights) throws Exception {
    Path dir = Files.createTempDirectory("iota-bridge-bench-");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(Topics.CM_NOTIFY.name(), 1, (short) 1))).all().get();
      }
      // As in embedded mode: with a window of a few messages, linger.ms would gate every round trip.
      try (EmbeddedConnect connect = EmbeddedConnect.start(dir.resolve("connect"), kafka.bootstrapServers(), 0, Map.of("producer.linger.ms", "0"));
          KafkaConsumer<String, byte[]> consumer = consumer(kafka.bootstrapServers())) {
        try (EmbeddedMqttBroker moquette = EmbeddedMqttBroker.start(dir.resolve("moquette"), 0)) {
          double rate = measure(connect, consumer, moquette.uri(), messages, "moquette");
          out.printf("bridge, single messages, Moquette 0.17 (10 in flight, fixed): %,.0f msg/s%n", rate);
        }
        if (!MosquittoBroker.available()) {
          out.println("bridge, single messages, mosquitto: not installed (apt-get install mosquitto), skipped");
        }
        for (int inflight : MosquittoBroker.available() ? inflights : List.<Integer>of()) {
          try (MosquittoBroker mosquitto = MosquittoBroker.start(dir.resolve("mosquitto-" + inflight), 0, inflight)) {
            double rate = measure(connect, consumer, mosquitto.uri(), messages, "mosquitto-" + inflight);
            out.printf("bridge, single messages, mosquitto 2 (max_inflight_messages %d): %,.0f msg/s%n", inflight, rate);
          }
        }
        connect.deleteConnector(CONNECTOR);
      }
    } finally {
      FileUtils.deleteQuietly(dir.toFile());
    }
  }

  private static KafkaConsumer<String, byte[]> consumer(String bootstrap) {
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"),
        new StringDeserializer(), new ByteArrayDeserializer());
    // Assigned, not subscribed, and positioned now: a group join would take seconds, and with
    // "latest" the records written meanwhile would never be read.
    TopicPartition tp = new TopicPartition(Topics.CM_NOTIFY.name(), 0);
    consumer.assign(List.of(tp));
    consumer.seekToEnd(List.of(tp));
    consumer.position(tp);
    return consumer;
  }

  /** Points the bridge at {@code uri}, warms up, then measures one run of {@code messages}. */
  private static double measure(EmbeddedConnect connect, KafkaConsumer<String, byte[]> consumer, String uri, int messages, String run)
      throws Exception {
    Map<String, String> config = shippedConfig();
    config.put("mqtt.server.uri", uri);
    config.put("mqtt.client.id", "bridge-bench-" + run);
    connect.putConnector(CONNECTOR, config);
    connect.awaitRunning(CONNECTOR, Duration.ofSeconds(60));
    MqttAsyncClient publisher = publisher(uri);
    try {
      oneRun(publisher, consumer, messages, run + "-warm-");
      return oneRun(publisher, consumer, messages, run + "-");
    } finally {
      publisher.disconnect().waitForCompletion(10_000);
      publisher.close();
    }
  }

  private static double oneRun(MqttAsyncClient publisher, KafkaConsumer<String, byte[]> consumer, int messages, String prefix)
      throws Exception {
    Set<String> missing = new HashSet<>();
    for (int i = 0; i < messages; i++) {
      missing.add(prefix + i);
    }
    Deque<IMqttDeliveryToken> inFlight = new ArrayDeque<>();
    long start = System.nanoTime();
    for (int i = 0; i < messages; i++) {
      // Moquette acknowledges a publish once it is queued for the subscriber and drops publishes
      // when that queue is full, so the publisher stays at most this far ahead of Kafka.
      while (i - (messages - missing.size()) >= AHEAD_OF_KAFKA) {
        drain(consumer, missing, Duration.ofMillis(5));
      }
      while (!inFlight.isEmpty() && inFlight.peekFirst().isComplete()) {
        inFlight.removeFirst();
      }
      if (inFlight.size() >= PUBLISHER_IN_FLIGHT) {
        inFlight.removeFirst().waitForCompletion(30_000);
      }
      MqttMessage message = new MqttMessage(Json.bytes(Map.of("o", "c", "t", "Thing", "k", Map.of("id", prefix + i))));
      message.setQos(1);
      inFlight.addLast(publisher.publish(TOPIC, message));
    }
    long deadline = System.nanoTime() + ARRIVAL_TIMEOUT.toNanos();
    while (!missing.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(missing.size() + " messages of " + prefix + " did not reach Kafka within " + ARRIVAL_TIMEOUT);
      }
      drain(consumer, missing, Duration.ofMillis(100));
    }
    return messages / ((System.nanoTime() - start) / 1e9);
  }

  private static void drain(KafkaConsumer<String, byte[]> consumer, Set<String> missing, Duration timeout) throws IOException {
    for (var r : consumer.poll(timeout)) {
      JsonNode id = Json.MAPPER.readTree(new String(r.value(), StandardCharsets.UTF_8)).path("k").path("id");
      missing.remove(id.asText());
    }
  }

  private static MqttAsyncClient publisher(String uri) throws MqttException {
    MqttAsyncClient client = new MqttAsyncClient(uri, "bridge-bench-publisher-" + System.nanoTime(), new MemoryPersistence());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(true);
    options.setSocketFactory(new BufferedSocketFactory());
    // Paho counts a message in flight a little longer than its token shows it pending.
    options.setMaxInflight(PUBLISHER_IN_FLIGHT * 4);
    client.connect(options).waitForCompletion(10_000);
    return client;
  }

  private static Map<String, String> shippedConfig() throws IOException {
    Map<String, String> config = new LinkedHashMap<>();
    try (InputStream in = BridgeBenchmark.class.getResourceAsStream("/connectors/iota-mqtt-source.json")) {
      if (in == null) {
        throw new UncheckedIOException(new IOException("connectors/iota-mqtt-source.json is not on the classpath"));
      }
      Json.MAPPER.readTree(in).get("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
    }
    return config;
  }
}
