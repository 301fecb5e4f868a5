package iota.orchestrator.e2e;

import iota.orchestrator.model.Json;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Plays the config service: publishes change events on {@code cm/notify} with QoS 1, in the
 * message forms of DESIGN §2. Each publish returns once the broker has acknowledged it.
 */
final class ChangeFeed implements AutoCloseable {
  static final String TOPIC = "cm/notify";

  private final MqttClient client;

  ChangeFeed(String serverUri) {
    try {
      client = new MqttClient(serverUri, "e2e-feed-" + UUID.randomUUID().toString().substring(0, 8), new MemoryPersistence());
      MqttConnectOptions options = new MqttConnectOptions();
      options.setCleanSession(true);
      options.setMaxInflight(1000);
      client.connect(options);
    } catch (MqttException e) {
      throw new IllegalStateException("cannot connect to " + serverUri, e);
    }
  }

  void create(String table, String id) {
    publish(Map.of("o", "c", "t", table, "k", Map.of("id", id), "instance", Map.of("id", id)));
  }

  void update(String table, String id) {
    publish(Map.of("o", "u", "t", table, "k", Map.of("id", id), "instance", Map.of("id", id)));
  }

  void delete(String table, String id) {
    publish(Map.of("o", "d", "t", table, "k", Map.of("id", id)));
  }

  void bulkCreate(String table, List<String> ids) {
    publish(Map.of("o", "bc", "t", table, "keys", ids.stream().map(id -> Map.of("id", id)).toList()));
  }

  void bulkDelete(String table, List<String> ids) {
    publish(Map.of("o", "bd", "t", table, "where", Map.of("id", ids)));
  }

  void publish(Object event) {
    MqttMessage message = new MqttMessage(Json.bytes(event));
    message.setQos(1);
    try {
      client.publish(TOPIC, message);
    } catch (MqttException e) {
      throw new IllegalStateException("publish to " + TOPIC + " failed", e);
    }
  }

  @Override
  public void close() throws MqttException {
    if (client.isConnected()) {
      client.disconnect();
    }
    client.close();
  }
}
