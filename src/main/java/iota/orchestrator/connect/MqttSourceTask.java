package iota.orchestrator.connect;

import iota.orchestrator.deadletter.DeadLetterHeaders;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT subscription client of {@link MqttSourceConnector}, delivering at least once.
 *
 * <p>The Paho client runs with manual acknowledgements: a QoS 1/2 message is acknowledged to the
 * broker only from {@link #commitRecord(SourceRecord, RecordMetadata)}, that is after Kafka has
 * stored its record (see {@link AckTracker}). Until then the broker keeps it and, with a persistent
 * session, redelivers it after any reconnect or restart, so a crash between MQTT and Kafka costs a
 * duplicate, never a loss.
 *
 * <p>A payload over {@code mqtt.max.payload.bytes}, which the producer would refuse (failing the
 * task, and again after every restart, since the message stays unacknowledged), becomes a record on
 * {@code mqtt.dlq.topic} with the reason and its first bytes, and is acknowledged once that is
 * written.
 *
 * <p>Between the client's callback thread and {@link #poll()} sits a queue bounded in messages and in
 * payload bytes; when it is full
 * the callback blocks, the client stops reading its socket, and the broker holds further messages.
 * A connection or subscription that fails at start is retried from {@code poll()} with backoff;
 * once connected, Paho reconnects by itself and every reconnect subscribes again.
 */
public class MqttSourceTask extends SourceTask {
  private static final Logger LOG = LoggerFactory.getLogger(MqttSourceTask.class);
  public static final String HEADER_QOS = "mqtt.qos";
  public static final String HEADER_RETAINED = "mqtt.retained";
  public static final String HEADER_DUPLICATE = "mqtt.duplicate";
  public static final String HEADER_MESSAGE_ID = "mqtt.message.id";
  /** On a dead letter: the size of the payload it stands for. */
  public static final String HEADER_PAYLOAD_BYTES = "mqtt.payload.bytes";
  /** Set by the connector on each task: the client id this task uses. */
  static final String TASK_CLIENT_ID = "mqtt.task.client.id";

  private static final long POLL_WAIT_MS = 200;
  private static final long OFFER_WAIT_MS = 100;
  private static final long INITIAL_BACKOFF_MS = 500;
  private static final long MAX_CONNECT_BACKOFF_MS = 30_000;
  private static final long DISCONNECT_QUIESCE_MS = 1_000;

  private MqttSourceConnectorConfig config;
  private MqttAsyncClient client;
  private MqttConnectOptions options;
  private RecordQueue<SourceRecord> queue;
  private AckTracker acks;
  private String[] topicFilters;
  private int[] qosLevels;
  private volatile boolean stopping;
  private boolean everConnected;
  /** Written by Paho's threads after a reconnect's subscription, read by {@code poll()}. */
  private volatile boolean subscribed;
  /** Notified when {@link #subscribed} or {@link #stopping} changes, for {@link #awaitSubscribed}. */
  private final Object subscription = new Object();
  private long nextConnectAttemptMs;
  private long connectBackoffMs = INITIAL_BACKOFF_MS;

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    config = new MqttSourceConnectorConfig(props);
    String clientId = props.getOrDefault(TASK_CLIENT_ID, config.clientId("iota-mqtt-source"));
    queue = new RecordQueue<>(config.queueCapacity(), config.queueMaxBytes());
    topicFilters = config.topics().toArray(String[]::new);
    qosLevels = new int[topicFilters.length];
    Arrays.fill(qosLevels, config.qos());
    options = config.connectOptions();
    stopping = false;
    try {
      client = new MqttAsyncClient(config.serverUris().get(0), clientId, new MemoryPersistence());
    } catch (MqttException e) {
      throw new ConnectException("cannot create MQTT client " + clientId, e);
    }
    client.setManualAcks(true);
    acks = new AckTracker(this::sendAck);
    client.setCallback(new Callback());
    LOG.info("MQTT source task {} subscribing to {} on {} (qos {}, clean session {}) into {}",
        clientId, config.topics(), config.serverUris(), config.qos(), config.cleanSession(), config.kafkaTopic());
    tryFirstConnect();
  }

  @Override
  public List<SourceRecord> poll() throws InterruptedException {
    if (System.currentTimeMillis() >= nextConnectAttemptMs) {
      if (!everConnected) {
        tryFirstConnect();
      } else if (!subscribed && client.isConnected()) {
        trySubscribe();
      }
    }
    List<SourceRecord> batch = new ArrayList<>();
    return queue.drainTo(batch, config.queueCapacity(), POLL_WAIT_MS, TimeUnit.MILLISECONDS) == 0 ? null : batch;
  }

  /**
   * Kafka stored {@code record} (metadata present), or Connect dropped it on purpose (a filter, or
   * an error tolerated by {@code errors.tolerance}; metadata null): either way its MQTT message is
   * done with and can be acknowledged.
   */
  @Override
  public void commitRecord(SourceRecord record, RecordMetadata metadata) {
    acks.written(record);
  }

  @Override
  public void stop() {
    if (stopping) {
      return;
    }
    synchronized (subscription) {
      stopping = true;
      subscription.notifyAll();
    }
    MqttAsyncClient c = client;
    if (c == null) {
      return;
    }
    try {
      if (c.isConnected()) {
        c.disconnect(DISCONNECT_QUIESCE_MS).waitForCompletion(DISCONNECT_QUIESCE_MS * 2);
      }
    } catch (MqttException e) {
      LOG.debug("MQTT disconnect of {} failed; closing anyway", c.getClientId(), e);
    } finally {
      try {
        c.close(true);
      } catch (MqttException e) {
        LOG.warn("closing MQTT client {} failed", c.getClientId(), e);
      }
    }
    int unacked = acks == null ? 0 : acks.pending();
    LOG.info("MQTT source task {} stopped; {} message(s) left unacknowledged for the broker to redeliver",
        c.getClientId(), unacked + queue.size());
  }

  /** Messages received and not yet acknowledged to the broker, for tests and metrics. */
  int unacknowledged() {
    return acks.pending();
  }

  /**
   * Connects and subscribes, waiting for both, so that once {@code start()} returns every message
   * published is either delivered or queued for this session. Retried from {@code poll()} until it
   * succeeds once; after that Paho reconnects by itself.
   *
   * <p>A broker may drop the connection on the first SUBSCRIBE (Moquette 0.17 does, now and then,
   * when the SUBSCRIBE overtakes its own bookkeeping of the CONNACK: "SUBSCRIBE received on already
   * closed connection"). Paho then reconnects and the callback subscribes again; this waits for
   * that too, up to the connection timeout, so that the promise above still holds.
   */
  private void tryFirstConnect() {
    try {
      client.connect(options).waitForCompletion(timeoutMs());
      everConnected = true;
      connectBackoffMs = INITIAL_BACKOFF_MS;
    } catch (MqttException e) {
      nextConnectAttemptMs = System.currentTimeMillis() + connectBackoffMs;
      LOG.warn("MQTT connect of {} to {} failed ({}); retrying in {} ms",
          client.getClientId(), config.serverUris(), e.getMessage(), connectBackoffMs);
      connectBackoffMs = Math.min(connectBackoffMs * 2, MAX_CONNECT_BACKOFF_MS);
      return;
    }
    trySubscribe();
    if (!subscribed && !client.isConnected()) {
      awaitSubscribed(timeoutMs());
    }
  }

  /** Waits until a reconnect's subscription is in place, the task stops, or {@code timeoutMs} passes. */
  private void awaitSubscribed(long timeoutMs) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    synchronized (subscription) {
      long left;
      while (!subscribed && !stopping && (left = deadline - System.nanoTime()) > 0) {
        try {
          TimeUnit.NANOSECONDS.timedWait(subscription, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    if (subscribed) {
      LOG.info("MQTT client {} subscribed after its connection dropped at the first subscription", client.getClientId());
    } else if (!stopping) {
      LOG.warn("MQTT client {} not subscribed within {} ms after its connection dropped at the first subscription;"
          + " poll() goes on trying", client.getClientId(), timeoutMs);
    }
  }

  private void setSubscribed(boolean value) {
    synchronized (subscription) {
      subscribed = value;
      subscription.notifyAll();
    }
  }

  /** Subscribes and waits; on failure {@code poll()} tries again while the connection is up. */
  private void trySubscribe() {
    try {
      IMqttToken token = client.subscribe(topicFilters, qosLevels);
      token.waitForCompletion(timeoutMs());
      setSubscribed(checkGranted(token));
    } catch (MqttException e) {
      setSubscribed(false);
      LOG.warn("MQTT subscribe of {} to {} failed: {}", client.getClientId(), config.topics(), e.toString());
    }
    if (!subscribed) {
      nextConnectAttemptMs = System.currentTimeMillis() + connectBackoffMs;
      connectBackoffMs = Math.min(connectBackoffMs * 2, MAX_CONNECT_BACKOFF_MS);
    }
  }

  private long timeoutMs() {
    return options.getConnectionTimeout() * 1000L + 1000;
  }

  /** False if the broker refused a filter (granted QoS 0x80), for instance for lack of permission. */
  private boolean checkGranted(IMqttToken token) {
    int[] granted = token.getGrantedQos();
    for (int qos : granted == null ? new int[0] : granted) {
      if (qos == 0x80) {
        LOG.error("MQTT broker refused the subscription of {} to {}", client.getClientId(), config.topics());
        return false;
      }
    }
    return true;
  }

  private void sendAck(int messageId, int qos) {
    try {
      client.messageArrivedComplete(messageId, qos);
    } catch (MqttException e) {
      // The connection went away after the record was written: the broker redelivers, Kafka gets
      // a duplicate. That is the at-least-once trade, not an error of this task.
      LOG.debug("ack of MQTT message {} not sent: {}", messageId, e.getMessage());
    }
  }

  private SourceRecord toRecord(String topic, MqttMessage message) {
    ConnectHeaders headers = new ConnectHeaders();
    headers.addInt(HEADER_QOS, message.getQos());
    headers.addBoolean(HEADER_RETAINED, message.isRetained());
    headers.addBoolean(HEADER_DUPLICATE, message.isDuplicate());
    headers.addInt(HEADER_MESSAGE_ID, message.getId());
    byte[] payload = message.getPayload();
    if (payload.length > config.maxPayloadBytes()) {
      return deadLetter(topic, payload, headers);
    }
    // No source partition or offset: an MQTT broker has no position to resume from; the persistent
    // session and the acknowledgements are the resume mechanism.
    return new SourceRecord(null, null, config.kafkaTopic(), null,
        Schema.STRING_SCHEMA, topic, Schema.BYTES_SCHEMA, payload, null, headers);
  }

  /**
   * The record standing for a payload the producer could not take: written to the dead-letter
   * topic with the payload's first bytes and the reason, and acknowledged like any other once
   * written, so one oversized message cannot stop the change feed.
   */
  private SourceRecord deadLetter(String topic, byte[] payload, ConnectHeaders headers) {
    String reason = "MQTT payload of " + payload.length + " bytes on " + topic + " is over "
        + MqttSourceConnectorConfig.MAX_PAYLOAD_BYTES + " (" + config.maxPayloadBytes() + "); not written to "
        + config.kafkaTopic() + ", first bytes kept";
    LOG.error("{}: dead-lettered to {}", reason, config.dlqTopic());
    headers.addString(DeadLetterHeaders.EXCEPTION, "iota.orchestrator.connect.PayloadTooLarge");
    headers.addString(DeadLetterHeaders.MESSAGE, reason);
    headers.addString(DeadLetterHeaders.TOPIC, config.kafkaTopic());
    headers.addInt(HEADER_PAYLOAD_BYTES, payload.length);
    byte[] kept = Arrays.copyOf(payload, Math.min(payload.length, Math.min(config.maxPayloadBytes(), MqttSourceConnectorConfig.DLQ_KEPT_BYTES)));
    return new SourceRecord(null, null, config.dlqTopic(), null,
        Schema.STRING_SCHEMA, topic, Schema.BYTES_SCHEMA, kept, null, headers);
  }

  private final class Callback implements MqttCallbackExtended {
    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
      LOG.info("MQTT client {} {} to {}", client.getClientId(), reconnect ? "reconnected" : "connected", serverUri);
      if (!reconnect) {
        return;
      }
      // Subscribing again is harmless with a persistent session and required after a clean one.
      // Asynchronous: blocking on a token inside a Paho callback deadlocks the client.
      try {
        client.subscribe(topicFilters, qosLevels, null, new IMqttActionListener() {
          @Override
          public void onSuccess(IMqttToken token) {
            setSubscribed(checkGranted(token));
          }

          @Override
          public void onFailure(IMqttToken token, Throwable error) {
            setSubscribed(false);
            LOG.warn("MQTT subscribe of {} to {} failed: {}", client.getClientId(), config.topics(), error.toString());
          }
        });
      } catch (MqttException e) {
        LOG.warn("MQTT subscribe of {} to {} failed: {}", client.getClientId(), config.topics(), e.toString());
      }
    }

    @Override
    public void connectionLost(Throwable cause) {
      acks.connectionLost();
      LOG.warn("MQTT connection of {} lost ({}); reconnecting", client.getClientId(), String.valueOf(cause));
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) throws InterruptedException {
      long connection = acks.connection();
      SourceRecord record = toRecord(topic, message);
      acks.track(record, message.getId(), message.getQos(), connection);
      // Blocking here is the backpressure; waking up now and then lets stop() end the wait.
      while (!queue.offer(record, ((byte[]) record.value()).length, OFFER_WAIT_MS, TimeUnit.MILLISECONDS)) {
        if (stopping) {
          return;
        }
      }
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
      // This client never publishes.
    }
  }
}
