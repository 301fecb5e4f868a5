package iota.orchestrator.connect;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttTopic;

/**
 * Configuration of {@link MqttSourceConnector}. Keys that mean the same thing as in Confluent's
 * {@code io.confluent.connect.mqtt.MqttSourceConnector} have the same names, so a site can switch
 * between the two by changing {@code connector.class}.
 */
public final class MqttSourceConnectorConfig extends AbstractConfig {
  public static final String SERVER_URIS = "mqtt.server.uri";
  public static final String TOPICS = "mqtt.topics";
  public static final String KAFKA_TOPIC = "kafka.topic";
  public static final String QOS = "mqtt.qos";
  public static final String CLEAN_SESSION = "mqtt.clean.session.enabled";
  public static final String CLIENT_ID = "mqtt.client.id";
  public static final String USERNAME = "mqtt.username";
  public static final String PASSWORD = "mqtt.password";
  public static final String CONNECT_TIMEOUT_SECONDS = "mqtt.connect.timeout.seconds";
  public static final String KEEPALIVE_SECONDS = "mqtt.keepalive.interval.seconds";
  public static final String TRUST_STORE_PATH = "mqtt.ssl.trust.store.path";
  public static final String TRUST_STORE_PASSWORD = "mqtt.ssl.trust.store.password";
  public static final String KEY_STORE_PATH = "mqtt.ssl.key.store.path";
  public static final String KEY_STORE_PASSWORD = "mqtt.ssl.key.store.password";
  /** Ours (Confluent has no equivalent): the bound between the MQTT client and {@code poll()}. */
  public static final String QUEUE_CAPACITY = "mqtt.queue.capacity";
  /** Ours: the same bound in bytes of payload. */
  public static final String QUEUE_MAX_BYTES = "mqtt.queue.max.bytes";
  /** Ours: the largest payload written as a record; larger ones are dead-lettered. */
  public static final String MAX_PAYLOAD_BYTES = "mqtt.max.payload.bytes";
  /** Ours: where payloads over {@link #MAX_PAYLOAD_BYTES} go, with the reason. */
  public static final String DLQ_TOPIC = "mqtt.dlq.topic";

  /** How much of an oversized payload its dead letter keeps. */
  static final int DLQ_KEPT_BYTES = 1024;
  private static final Set<String> URI_SCHEMES = Set.of("tcp", "ssl", "ws", "wss");
  private static final Pattern KAFKA_TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
  private static final String GROUP_MQTT = "MQTT";
  private static final String GROUP_KAFKA = "Kafka";
  private static final String GROUP_TLS = "TLS";

  /** The definition, with docs and validators, shared by the connector, its tasks and {@code validate}. */
  public static final ConfigDef CONFIG_DEF = new ConfigDef()
      .define(SERVER_URIS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, MqttSourceConnectorConfig::validateUris,
          Importance.HIGH,
          "MQTT broker URIs, tcp://host:port or ssl://host:port. With several, the client connects to the "
              + "first that answers (they must share session state to keep at-least-once across them).",
          GROUP_MQTT, 1, ConfigDef.Width.LONG, "MQTT servers")
      .define(TOPICS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, MqttSourceConnectorConfig::validateTopicFilters,
          Importance.HIGH,
          "MQTT topic filters to subscribe to (+ and # wildcards allowed). With tasks.max > 1 they are "
              + "divided among the tasks.",
          GROUP_MQTT, 2, ConfigDef.Width.LONG, "MQTT topics")
      .define(QOS, Type.INT, 1, Range.between(0, 2), Importance.MEDIUM,
          "QoS of the subscriptions. 1 (default) with a persistent session gives at-least-once: a message "
              + "is acknowledged to the broker only after it is written to Kafka. 0 may lose messages.",
          GROUP_MQTT, 3, ConfigDef.Width.SHORT, "QoS")
      .define(CLEAN_SESSION, Type.BOOLEAN, false, Importance.MEDIUM,
          "Start a clean MQTT session on every connect. Keep false (default): a persistent session makes "
              + "the broker queue messages while the connector is down and redeliver unacknowledged ones.",
          GROUP_MQTT, 4, ConfigDef.Width.SHORT, "Clean session")
      .define(CLIENT_ID, Type.STRING, null, Importance.MEDIUM,
          "MQTT client id, which names the persistent session on the broker, so it must be stable and "
              + "unique. Default: connect-<connector name>. With several tasks each gets '-<task number>'.",
          GROUP_MQTT, 5, ConfigDef.Width.MEDIUM, "Client id")
      .define(USERNAME, Type.STRING, null, Importance.MEDIUM,
          "MQTT user name; none by default.", GROUP_MQTT, 6, ConfigDef.Width.MEDIUM, "User name")
      .define(PASSWORD, Type.PASSWORD, null, Importance.MEDIUM,
          "MQTT password; none by default.", GROUP_MQTT, 7, ConfigDef.Width.MEDIUM, "Password")
      .define(CONNECT_TIMEOUT_SECONDS, Type.INT, 30, Range.atLeast(1), Importance.LOW,
          "Seconds to wait for the broker to accept a connection.",
          GROUP_MQTT, 8, ConfigDef.Width.SHORT, "Connect timeout (s)")
      .define(KEEPALIVE_SECONDS, Type.INT, 60, Range.atLeast(0), Importance.LOW,
          "MQTT keep-alive interval in seconds; 0 disables keep-alive.",
          GROUP_MQTT, 9, ConfigDef.Width.SHORT, "Keep-alive (s)")
      .define(QUEUE_CAPACITY, Type.INT, 1024, Range.between(1, 1_000_000), Importance.LOW,
          "Messages held between the MQTT client and Kafka Connect. When full, the client stops reading "
              + "from the broker until Connect catches up (backpressure); nothing is dropped.",
          GROUP_MQTT, 10, ConfigDef.Width.SHORT, "Queue capacity")
      .define(QUEUE_MAX_BYTES, Type.LONG, 16L * 1024 * 1024, Range.atLeast(1), Importance.LOW,
          "Payload bytes held between the MQTT client and Kafka Connect, besides the message count: one "
              + "1 MB message weighs as much as thousands of small ones. A message always fits an empty queue.",
          GROUP_MQTT, 11, ConfigDef.Width.SHORT, "Queue bytes")
      .define(MAX_PAYLOAD_BYTES, Type.INT, 1_000_000, Range.atLeast(1), Importance.MEDIUM,
          "Largest payload written to the Kafka topic. Keep it below the worker producer's max.request.size "
              + "(default 1,048,576) and the topic's max.message.bytes, less room for the key and headers: a "
              + "record the producer refuses would fail the task and, unacknowledged, fail it again after every "
              + "restart. A larger payload is acknowledged and written to " + DLQ_TOPIC + " instead, with its "
              + "first bytes and the reason.",
          GROUP_KAFKA, 2, ConfigDef.Width.SHORT, "Max payload bytes")
      .define(DLQ_TOPIC, Type.STRING, "iota.orchestrator.dlq", MqttSourceConnectorConfig::validateKafkaTopic,
          Importance.MEDIUM,
          "Kafka topic for payloads over " + MAX_PAYLOAD_BYTES + ": key the MQTT topic, value the payload's first "
              + DLQ_KEPT_BYTES + " bytes, the reason in header __streams.errors.message (as the orchestrator's "
              + "other dead letters), the payload size in mqtt.payload.bytes.",
          GROUP_KAFKA, 3, ConfigDef.Width.MEDIUM, "Dead-letter topic")
      .define(KAFKA_TOPIC, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, MqttSourceConnectorConfig::validateKafkaTopic,
          Importance.HIGH,
          "Kafka topic every MQTT message is written to. Key: the MQTT topic; value: the payload bytes; "
              + "headers mqtt.qos, mqtt.retained, mqtt.duplicate, mqtt.message.id.",
          GROUP_KAFKA, 1, ConfigDef.Width.MEDIUM, "Kafka topic")
      .define(TRUST_STORE_PATH, Type.STRING, null, Importance.LOW,
          "Trust store (JKS or PKCS12) with the CA of ssl:// brokers; default: the JVM's trust store.",
          GROUP_TLS, 1, ConfigDef.Width.LONG, "Trust store")
      .define(TRUST_STORE_PASSWORD, Type.PASSWORD, null, Importance.LOW,
          "Password of the trust store.", GROUP_TLS, 2, ConfigDef.Width.MEDIUM, "Trust store password")
      .define(KEY_STORE_PATH, Type.STRING, null, Importance.LOW,
          "Key store (JKS or PKCS12) with the client certificate, for brokers that require one.",
          GROUP_TLS, 3, ConfigDef.Width.LONG, "Key store")
      .define(KEY_STORE_PASSWORD, Type.PASSWORD, null, Importance.LOW,
          "Password of the key store and of its key.", GROUP_TLS, 4, ConfigDef.Width.MEDIUM, "Key store password");

  /** Parses and validates {@code props}; a bad or missing value fails with a message naming the key. */
  public MqttSourceConnectorConfig(Map<String, String> props) {
    super(CONFIG_DEF, props);
  }

  public List<String> serverUris() {
    return getList(SERVER_URIS);
  }

  public List<String> topics() {
    return getList(TOPICS);
  }

  public String kafkaTopic() {
    return getString(KAFKA_TOPIC);
  }

  public int qos() {
    return getInt(QOS);
  }

  public boolean cleanSession() {
    return getBoolean(CLEAN_SESSION);
  }

  /** The configured client id, or {@code connect-<connectorName>} when none is set. */
  public String clientId(String connectorName) {
    String configured = getString(CLIENT_ID);
    return configured != null && !configured.isBlank() ? configured : "connect-" + connectorName;
  }

  public int queueCapacity() {
    return getInt(QUEUE_CAPACITY);
  }

  public long queueMaxBytes() {
    return getLong(QUEUE_MAX_BYTES);
  }

  public int maxPayloadBytes() {
    return getInt(MAX_PAYLOAD_BYTES);
  }

  public String dlqTopic() {
    return getString(DLQ_TOPIC);
  }

  /** Paho options for these settings: automatic reconnect on, manual acks set on the client itself. */
  public MqttConnectOptions connectOptions() {
    MqttConnectOptions options = new MqttConnectOptions();
    options.setServerURIs(serverUris().toArray(String[]::new));
    options.setCleanSession(cleanSession());
    options.setAutomaticReconnect(true);
    options.setMaxReconnectDelay(30_000);
    options.setConnectionTimeout(getInt(CONNECT_TIMEOUT_SECONDS));
    options.setKeepAliveInterval(getInt(KEEPALIVE_SECONDS));
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    String user = getString(USERNAME);
    if (user != null) {
      options.setUserName(user);
    }
    Password password = getPassword(PASSWORD);
    if (password != null) {
      options.setPassword(password.value().toCharArray());
    }
    if (getString(TRUST_STORE_PATH) != null || getString(KEY_STORE_PATH) != null) {
      options.setSocketFactory(sslSocketFactory());
    } else if (serverUris().stream().allMatch(uri -> uri.startsWith("tcp://"))) {
      options.setSocketFactory(new BufferedSocketFactory());
    }
    return options;
  }

  private SSLSocketFactory sslSocketFactory() {
    try {
      TrustManagerFactory tmf = null;
      String trustPath = getString(TRUST_STORE_PATH);
      if (trustPath != null) {
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(loadStore(TRUST_STORE_PATH, trustPath, getPassword(TRUST_STORE_PASSWORD)));
      }
      KeyManagerFactory kmf = null;
      String keyPath = getString(KEY_STORE_PATH);
      if (keyPath != null) {
        Password keyPassword = getPassword(KEY_STORE_PASSWORD);
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(loadStore(KEY_STORE_PATH, keyPath, keyPassword), chars(keyPassword));
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (GeneralSecurityException e) {
      throw new ConfigException("cannot set up TLS for MQTT: " + e.getMessage());
    }
  }

  private static KeyStore loadStore(String key, String path, Password password) throws GeneralSecurityException {
    // KeyStore.getInstance(File, ...) would detect the type too, but reading the stream ourselves
    // lets the error name the config key.
    for (String type : List.of("PKCS12", "JKS")) {
      try (InputStream in = Files.newInputStream(Path.of(path))) {
        KeyStore store = KeyStore.getInstance(type);
        store.load(in, chars(password));
        return store;
      } catch (IOException e) {
        if (!Files.isReadable(Path.of(path))) {
          throw new ConfigException(key, path, "cannot read the store: " + e.getMessage());
        }
      }
    }
    throw new ConfigException(key, path, "not a PKCS12 or JKS store, or wrong password");
  }

  private static char[] chars(Password password) {
    return password == null ? null : password.value().toCharArray();
  }

  private static void validateUris(String name, Object value) {
    List<?> uris = (List<?>) value;
    if (uris == null || uris.isEmpty()) {
      throw new ConfigException(name, value, "at least one MQTT server URI is required");
    }
    for (Object uri : uris) {
      URI parsed;
      try {
        parsed = new URI(String.valueOf(uri));
      } catch (URISyntaxException e) {
        throw new ConfigException(name, uri, "not a URI: " + e.getMessage());
      }
      if (!URI_SCHEMES.contains(String.valueOf(parsed.getScheme())) || parsed.getHost() == null) {
        throw new ConfigException(name, uri, "not an MQTT URI: expected tcp://host:port or ssl://host:port");
      }
    }
  }

  private static void validateTopicFilters(String name, Object value) {
    List<?> topics = (List<?>) value;
    if (topics == null || topics.isEmpty()) {
      throw new ConfigException(name, value, "at least one MQTT topic filter is required");
    }
    for (Object topic : topics) {
      try {
        MqttTopic.validate(String.valueOf(topic), true);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(name, topic, "not an MQTT topic filter: " + e.getMessage());
      }
    }
  }

  private static void validateKafkaTopic(String name, Object value) {
    String topic = String.valueOf(value);
    // MQTT topics contain '/', which Kafka forbids: cm/notify must become e.g. iota.cm-notify.
    if (!KAFKA_TOPIC_NAME.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
      throw new ConfigException(name, value,
          "not a Kafka topic name: 1 to 249 characters of a-z, A-Z, 0-9, '.', '_', '-'");
    }
  }
}
