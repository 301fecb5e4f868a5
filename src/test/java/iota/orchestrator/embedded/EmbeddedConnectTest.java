package iota.orchestrator.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.IntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

@IntegrationTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedConnectTest {
  @TempDir static Path dir;
  static EmbeddedKafka kafka;
  static EmbeddedMqttBroker mqtt;
  static EmbeddedConnect connect;

  @BeforeAll
  static void startServers() {
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
    mqtt = EmbeddedMqttBroker.start(dir.resolve("mqtt"), 0);
    long began = System.nanoTime();
    connect = EmbeddedConnect.start(dir.resolve("connect"), kafka.bootstrapServers(), 0);
    System.out.printf("EmbeddedConnect first start took %d ms%n", (System.nanoTime() - began) / 1_000_000);
  }

  @AfterAll
  static void stopServers() throws Exception {
    for (AutoCloseable server : new AutoCloseable[] {connect, mqtt, kafka}) {
      if (server != null) {
        server.close();
      }
    }
  }

  @Test
  @Order(1)
  void putConnectorRunsItAndTheRestApiReportsIt() throws Exception {
    connect.putConnector("bridge", bridgeConfig());

    connect.awaitRunning("bridge", Duration.ofSeconds(20));
    HttpResponse<String> status = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(connect.restUrl().resolve("/connectors/bridge/status")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, status.statusCode());
    assertTrue(status.body().contains("RUNNING"), status.body());
  }

  @Test
  @Order(2)
  void invalidConnectorConfigIsRejectedNamingTheKey() {
    Map<String, String> bad = new HashMap<>(bridgeConfig());
    bad.put("kafka.topic", "cm/notify");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> connect.putConnector("bad", bad));
    assertTrue(e.getMessage().contains("kafka.topic"), e.getMessage());
  }

  @Test
  @Order(3)
  void restartOnSameDirectoryRunsTheSavedConnectorsAgain() throws Exception {
    connect.close();
    long began = System.nanoTime();
    connect = EmbeddedConnect.start(dir.resolve("connect"), kafka.bootstrapServers(), 0);
    System.out.printf("EmbeddedConnect restart took %d ms%n", (System.nanoTime() - began) / 1_000_000);

    connect.awaitRunning("bridge", Duration.ofSeconds(20));
    assertEquals(bridgeConfig(), connect.connectorConfig("bridge"));
    assertNull(connect.connectorConfig("bad"), "a rejected config is not saved");
    URI rest = connect.restUrl();
    assertEquals("127.0.0.1", rest.getHost());
  }

  private static Map<String, String> bridgeConfig() {
    return Map.of(
        "connector.class", "iota.orchestrator.connect.MqttSourceConnector",
        "tasks.max", "1",
        "mqtt.server.uri", mqtt.uri(),
        "mqtt.topics", "cm/notify",
        "kafka.topic", "iota.cm-notify");
  }
}
