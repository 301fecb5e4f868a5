package iota.orchestrator.bench;

import iota.orchestrator.connect.BufferedSocketFactory;
import iota.orchestrator.model.Json;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Publishes on {@code cm/notify} with QoS 1 without waiting for each acknowledgement, keeping at
 * most {@value #MAX_IN_FLIGHT} unacknowledged messages (waiting on the oldest beyond that), as a
 * busy config service would.
 */
final class MqttPublisher implements AutoCloseable {
  private static final String TOPIC = "cm/notify";
  /**
   * Unacknowledged messages the publisher allows itself. Moquette drops PUBLISH packets once a
   * session's command queue is full (it logs "Session command queue ... is full" and never sends the
   * PUBACK), so the window stays well below that queue's size.
   */
  private static final int MAX_IN_FLIGHT = 200;

  private final MqttAsyncClient client;
  private final Deque<IMqttDeliveryToken> inFlight = new ArrayDeque<>();

  MqttPublisher(String uri, String clientPrefix) {
    try {
      client = new MqttAsyncClient(uri, clientPrefix + System.nanoTime(), new MemoryPersistence());
      MqttConnectOptions options = new MqttConnectOptions();
      options.setCleanSession(true);
      options.setSocketFactory(new BufferedSocketFactory());
      // Paho counts a message in flight a little longer than its token shows it pending, so its
      // own limit sits above the window kept here; otherwise it refuses a publish now and then.
      options.setMaxInflight(MAX_IN_FLIGHT * 4);
      client.connect(options).waitForCompletion(10_000);
    } catch (MqttException e) {
      throw new IllegalStateException("cannot connect to " + uri, e);
    }
  }

  void create(String type, String id) {
    send(Map.of("o", "c", "t", type, "k", Map.of("id", id)));
  }

  void bulkCreate(String type, List<String> ids) {
    send(Map.of("o", "bc", "t", type, "keys", ids));
  }

  void bulkDelete(String type, List<String> ids) {
    send(Map.of("o", "bd", "t", type, "where", Map.of("id", Map.of("$in", ids))));
  }

  private void send(Object event) {
    MqttMessage message = new MqttMessage(Json.bytes(event));
    message.setQos(1);
    try {
      while (!inFlight.isEmpty() && inFlight.peekFirst().isComplete()) {
        inFlight.removeFirst();
      }
      if (inFlight.size() >= MAX_IN_FLIGHT - 1) {
        inFlight.removeFirst().waitForCompletion(30_000);
      }
      inFlight.addLast(client.publish(TOPIC, message));
    } catch (MqttException e) {
      throw new IllegalStateException("publish failed", e);
    }
  }

  /** Waits until the broker has acknowledged every message published so far. */
  void awaitAcknowledged() {
    try {
      while (!inFlight.isEmpty()) {
        inFlight.removeFirst().waitForCompletion(30_000);
      }
    } catch (MqttException e) {
      throw new IllegalStateException("publish failed", e);
    }
  }

  @Override
  public void close() {
    awaitAcknowledged();
    try {
      client.disconnect().waitForCompletion(10_000);
      client.close();
    } catch (MqttException e) {
      throw new IllegalStateException("closing the MQTT publisher failed", e);
    }
  }
}
