package iota.orchestrator.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

class MqttSourceConnectorConfigTest {
  private static Map<String, String> minimal() {
    Map<String, String> props = new HashMap<>();
    props.put("name", "bridge");
    props.put("mqtt.server.uri", "tcp://127.0.0.1:1883");
    props.put("mqtt.topics", "cm/notify");
    props.put("kafka.topic", "iota.cm-notify");
    return props;
  }

  @Test
  void defaultsGiveAtLeastOnceWithAPersistentSessionNamedAfterTheConnector() {
    MqttSourceConnectorConfig config = new MqttSourceConnectorConfig(minimal());

    assertEquals(1, config.qos());
    assertFalse(config.cleanSession());
    assertEquals("connect-bridge", config.clientId("bridge"));
    assertFalse(config.connectOptions().isCleanSession());
    assertTrue(config.connectOptions().isAutomaticReconnect());
  }

  @Test
  void plainTcpConnectionsReadThroughABufferAndTlsOnesKeepTheirOwnFactory() {
    assertTrue(new MqttSourceConnectorConfig(minimal()).connectOptions().getSocketFactory() instanceof BufferedSocketFactory);

    Map<String, String> tls = minimal();
    tls.put("mqtt.server.uri", "ssl://127.0.0.1:8883");
    assertFalse(new MqttSourceConnectorConfig(tls).connectOptions().getSocketFactory() instanceof BufferedSocketFactory);

    Map<String, String> mixed = minimal();
    mixed.put("mqtt.server.uri", "tcp://127.0.0.1:1883,ssl://127.0.0.1:8883");
    assertFalse(new MqttSourceConnectorConfig(mixed).connectOptions().getSocketFactory() instanceof BufferedSocketFactory);
  }

  @Test
  void missingServerUriIsRejectedNamingTheKey() {
    Map<String, String> props = minimal();
    props.remove("mqtt.server.uri");

    ConfigException e = assertThrows(ConfigException.class, () -> new MqttSourceConnectorConfig(props));
    assertTrue(e.getMessage().contains("mqtt.server.uri"), e.getMessage());
  }

  @Test
  void validateReportsEveryBadValueWithItsKey() {
    Map<String, String> props = minimal();
    props.put("mqtt.server.uri", "http://example:80");
    props.put("kafka.topic", "cm/notify");
    props.put("mqtt.qos", "3");
    props.put("mqtt.topics", "a/#/b");

    Map<String, List<String>> errors = new MqttSourceConnector().validate(props).configValues().stream()
        .filter(v -> !v.errorMessages().isEmpty())
        .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
    assertEquals(List.of("kafka.topic", "mqtt.qos", "mqtt.server.uri", "mqtt.topics"),
        errors.keySet().stream().sorted().toList());
  }

  @Test
  void oneTaskKeepsTheConfiguredClientIdExactly() {
    Map<String, String> props = minimal();
    props.put("mqtt.client.id", "iota-orchestrator-bridge");
    MqttSourceConnector connector = new MqttSourceConnector();
    connector.start(props);

    List<Map<String, String>> tasks = connector.taskConfigs(4);
    assertEquals(1, tasks.size());
    assertEquals("iota-orchestrator-bridge", tasks.get(0).get(MqttSourceTask.TASK_CLIENT_ID));
  }

  @Test
  void severalTasksDivideTheTopicFiltersAndGetDistinctClientIds() {
    Map<String, String> props = minimal();
    props.put("mqtt.topics", "a,b,c");
    MqttSourceConnector connector = new MqttSourceConnector();
    connector.start(props);

    List<Map<String, String>> tasks = connector.taskConfigs(2);
    assertEquals(List.of("a,c", "b"), tasks.stream().map(t -> t.get("mqtt.topics")).toList());
    assertEquals(List.of("connect-bridge-0", "connect-bridge-1"),
        tasks.stream().map(t -> t.get(MqttSourceTask.TASK_CLIENT_ID)).toList());
  }

  @Test
  void passwordsAreHiddenInTheParsedConfig() {
    Map<String, String> props = minimal();
    props.put("mqtt.password", "s3cret");

    MqttSourceConnectorConfig config = new MqttSourceConnectorConfig(props);
    assertFalse(config.toString().contains("s3cret"));
    assertEquals("s3cret", new String(config.connectOptions().getPassword()));
  }
}
