package iota.orchestrator.embedded;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import iota.orchestrator.config.ResourceType;
import iota.orchestrator.executor.PodTemplates;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.StoreKey;
import iota.orchestrator.topics.Topics;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.ThreadUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SIMULATED worker fleet for embedded mode and tests: no real iota-dac or rules-engine runs.
 * It plays the part of the kubelet and of the workers — every pod the executor creates in the
 * simulated Kubernetes API is marked Running, and every Running pod of a heartbeat type sends a
 * {@code HeartBeat} record every interval, as the Go workers do (instanceId as a number).
 *
 * <p>{@link #silence} stops the heartbeats of one instance, to show a lost worker being recreated;
 * a recreated pod (new UID) heartbeats again.
 */
public final class SimulatedWorkers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedWorkers.class);

  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, ResourceType> byResource = new LinkedHashMap<>();
  private final KafkaProducer<String, byte[]> producer;
  private final ScheduledExecutorService timer;
  private final Duration interval;
  private final Set<String> silencedUids = ConcurrentHashMap.newKeySet();
  private final AtomicLong sent = new AtomicLong();
  private volatile SharedIndexInformer<Pod> informer;

  public SimulatedWorkers(KubernetesClient client, String namespace, List<ResourceType> types, String bootstrapServers, Duration interval) {
    this.client = client;
    this.namespace = namespace;
    this.interval = interval;
    types.forEach(t -> byResource.put(t.name(), t));
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.ACKS_CONFIG, "1");
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    this.timer = Executors.newSingleThreadScheduledExecutor(ThreadUtils.createThreadFactory("simulated-workers", true));
  }

  public SimulatedWorkers start() {
    informer = client.pods().inNamespace(namespace)
        .withLabel(PodTemplates.LABEL_MANAGED_BY, PodTemplates.MANAGED_BY)
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(Pod pod) {
            markRunning(pod);
          }

          @Override
          public void onUpdate(Pod oldPod, Pod newPod) {
            markRunning(newPod);
          }

          @Override
          public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {}
        }, 0);
    timer.scheduleAtFixedRate(this::beat, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** The kubelet's part: a pod that was just created starts and runs. */
  private void markRunning(Pod pod) {
    if (pod.getStatus() != null && pod.getStatus().getPhase() != null) {
      return;
    }
    try {
      // Started and Ready at once, as the kubelet reports a worker whose probe passes; the metrics
      // poller reads both (readiness and warm-up).
      pod.setStatus(new PodStatusBuilder().withPhase("Running").withStartTime(java.time.Instant.now().toString())
          .addNewCondition().withType("Ready").withStatus("True").endCondition().build());
      client.pods().inNamespace(namespace).resource(pod).updateStatus();
      // A pod that starts runs its worker: heartbeat right away instead of at the next tick.
      timer.execute(() -> beat(pod));
    } catch (RuntimeException e) {
      LOG.debug("could not mark pod {} Running: {}", pod.getMetadata().getName(), e.getMessage());
    }
  }

  private void beat() {
    try {
      for (Pod pod : informer.getStore().list()) {
        beat(pod);
      }
    } catch (RuntimeException e) {
      LOG.warn("simulated heartbeats failed this round", e);
    }
  }

  private void beat(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    String resource = labels == null ? null : labels.get(PodTemplates.LABEL_RESOURCE);
    String instanceId = labels == null ? null : labels.get(PodTemplates.LABEL_INSTANCE_ID);
    ResourceType type = resource == null ? null : byResource.get(resource);
    if (type == null || !type.heart() || instanceId == null || pod.getMetadata().getDeletionTimestamp() != null) {
      return;
    }
    if (silencedUids.contains(pod.getMetadata().getUid())) {
      return;
    }
    Map<String, Object> hb = new LinkedHashMap<>();
    hb.put("resource", resource);
    hb.put("instanceId", Integer.parseInt(instanceId));
    hb.put("pod", pod.getMetadata().getName());
    hb.put("ts", System.currentTimeMillis());
    producer.send(new ProducerRecord<>(Topics.HEARTBEAT.name(), StoreKey.of(resource, instanceId), Json.bytes(hb)));
    sent.incrementAndGet();
  }

  /**
   * Stops the heartbeats of the pod that serves this instance now, as if its worker hung. The
   * pod that replaces it heartbeats normally.
   *
   * @return the UID of the silenced pod
   */
  public String silence(String resource, String instanceId) {
    for (Pod pod : informer.getStore().list()) {
      Map<String, String> labels = pod.getMetadata().getLabels();
      if (resource.equals(labels.get(PodTemplates.LABEL_RESOURCE)) && instanceId.equals(labels.get(PodTemplates.LABEL_INSTANCE_ID))) {
        silencedUids.add(pod.getMetadata().getUid());
        return pod.getMetadata().getUid();
      }
    }
    throw new IllegalArgumentException("no pod serves " + resource + "/" + instanceId);
  }

  /** The simulated pods as the fleet's informer has them now (no API request); empty before {@link #start()}. */
  public List<Pod> pods() {
    SharedIndexInformer<Pod> i = informer;
    return i == null ? List.of() : i.getStore().list();
  }

  /** Heartbeat records sent so far. */
  public long sent() {
    return sent.get();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    if (informer != null) {
      informer.close();
    }
    producer.close(Duration.ofSeconds(2));
  }
}
