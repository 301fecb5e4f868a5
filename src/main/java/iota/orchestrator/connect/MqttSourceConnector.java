package iota.orchestrator.connect;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * Kafka Connect source that bridges MQTT topics into one Kafka topic, at least once: MQTT QoS 1, a
 * persistent session, and a broker acknowledgement only after Kafka has stored the record (see
 * {@link MqttSourceTask}). Record key: the MQTT topic (string); value: the payload (bytes); MQTT
 * properties as headers. Use {@code StringConverter} for keys and {@code ByteArrayConverter} for
 * values to keep the payload byte for byte.
 *
 * <p>Runs on any Connect cluster (the jar registers it in {@code META-INF/services}); config keys
 * are those of Confluent's MqttSourceConnector where they mean the same (see {@link
 * MqttSourceConnectorConfig}). With {@code tasks.max > 1} the topic filters are divided among the
 * tasks, each with its own client id; changing that split leaves the old sessions behind on the
 * broker, so choose it once.
 */
public class MqttSourceConnector extends SourceConnector {
  private static final String DEFAULT_NAME = "iota-mqtt-source";

  private Map<String, String> props;
  private MqttSourceConnectorConfig config;

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    this.config = new MqttSourceConnectorConfig(props);
    this.props = Map.copyOf(props);
  }

  @Override
  public Class<? extends Task> taskClass() {
    return MqttSourceTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<String> topics = config.topics();
    int tasks = Math.max(1, Math.min(maxTasks, topics.size()));
    String clientId = config.clientId(props.getOrDefault("name", DEFAULT_NAME));
    List<List<String>> split = new ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      split.add(new ArrayList<>());
    }
    for (int i = 0; i < topics.size(); i++) {
      split.get(i % tasks).add(topics.get(i));
    }
    List<Map<String, String>> configs = new ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      Map<String, String> task = new HashMap<>(props);
      task.put(MqttSourceConnectorConfig.TOPICS, String.join(",", split.get(i)));
      // One task keeps the configured id exactly, so the session on the broker is the one the
      // operator named; several need distinct ids or the broker would keep kicking one out.
      task.put(MqttSourceTask.TASK_CLIENT_ID, tasks == 1 ? clientId : clientId + "-" + i);
      configs.add(task);
    }
    return configs;
  }

  @Override
  public void stop() {
    // Tasks own the MQTT connections; the connector holds nothing to release.
  }

  @Override
  public ConfigDef config() {
    return MqttSourceConnectorConfig.CONFIG_DEF;
  }

  /** MQTT cannot replay from an offset, so exactly-once delivery is impossible: say so up front. */
  @Override
  public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
    return ExactlyOnceSupport.UNSUPPORTED;
  }
}
