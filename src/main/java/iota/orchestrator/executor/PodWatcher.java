package iota.orchestrator.executor;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import iota.orchestrator.model.InstanceIds;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.PodInventory;
import iota.orchestrator.model.PodStatus;
import iota.orchestrator.model.StoreKey;
import iota.orchestrator.topics.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.utils.ThreadUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the orchestrator's pods (label {@code app.kubernetes.io/managed-by=iota-orchestrator}) with
 * a fabric8 informer and publishes each one's {@link PodStatus} to {@code iota.orchestrator.pod-status}
 * under key {@code <Resource>/<instanceId>}, taken from the pod's labels.
 *
 * <p>A status is published when a pod appears, when its phase or UID changes, when it is deleted
 * ({@code gone}), and again at every informer resync, so the topology re-learns the fleet after a
 * restore even if no pod changed. Other updates (conditions, IPs) are not news for the topology and
 * are skipped. A failed send is logged; the next resync repeats the state.
 *
 * <p>Every minute, and once right after the first list, it also publishes a {@link PodInventory}
 * per resource type: the instances that have a pod. A pod deleted while nobody watched produces no
 * event; the inventory is how the topology still finds it missing.
 */
public final class PodWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PodWatcher.class);

  public static final Duration DEFAULT_RESYNC = Duration.ofMinutes(5);
  /** How often the full inventory is published; the original orchestrator polled pods every 60 s. */
  public static final Duration DEFAULT_INVENTORY_INTERVAL = Duration.ofMinutes(1);

  private final KubernetesClient client;
  private final String namespace;
  private final Producer<byte[], byte[]> producer;
  private final Clock clock;
  private final Duration resync;
  private final List<String> resources;
  private final Duration inventoryInterval;
  private SharedIndexInformer<Pod> informer;
  private ScheduledExecutorService inventoryTimer;

  public PodWatcher(KubernetesClient client, String namespace, Producer<byte[], byte[]> producer, Clock clock, Duration resync) {
    this(client, namespace, producer, clock, resync, List.of(), DEFAULT_INVENTORY_INTERVAL);
  }

  /**
   * @param resources the resource types whose inventory is published (every one, even with no pods:
   *     an empty inventory is how the topology learns that all pods of a type are gone)
   * @param inventoryInterval how often; the first one goes out as soon as the informer has synced
   */
  public PodWatcher(KubernetesClient client, String namespace, Producer<byte[], byte[]> producer, Clock clock, Duration resync,
      List<String> resources, Duration inventoryInterval) {
    this.client = client;
    this.namespace = namespace;
    this.producer = producer;
    this.clock = clock;
    this.resync = resync;
    this.resources = List.copyOf(resources);
    this.inventoryInterval = inventoryInterval;
  }

  /** Starts watching; returns without waiting for the first list, which the informer retries. */
  public synchronized void start() {
    if (informer != null) {
      return;
    }
    informer =
        client.pods().inNamespace(namespace).withLabel(PodTemplates.LABEL_MANAGED_BY, PodTemplates.MANAGED_BY).runnableInformer(resync.toMillis());
    informer.addEventHandler(new Handler());
    // Keep the informer retrying when the API is unreachable at start, instead of giving up.
    informer.exceptionHandler((started, t) -> {
      log.warn("pod watch in {} failed, retrying: {}", namespace, t.toString());
      return true;
    });
    informer.start();
    if (!resources.isEmpty()) {
      inventoryTimer = Executors.newSingleThreadScheduledExecutor(ThreadUtils.createThreadFactory("pod-inventory", true));
      // Frequent checks until the first list has arrived, then one inventory per interval.
      long period = Math.min(1000, inventoryInterval.toMillis());
      inventoryTimer.scheduleWithFixedDelay(this::maybePublishInventory, period, period, TimeUnit.MILLISECONDS);
    }
    log.info("watching pods labelled {}={} in namespace {}", PodTemplates.LABEL_MANAGED_BY, PodTemplates.MANAGED_BY, namespace);
  }

  /** True once the informer has listed the pods; for readiness checks. */
  public synchronized boolean isSynced() {
    return informer != null && informer.hasSynced();
  }

  private long lastInventory = Long.MIN_VALUE;

  private void maybePublishInventory() {
    try {
      SharedIndexInformer<Pod> current;
      synchronized (this) {
        current = informer;
      }
      long now = clock.millis();
      if (current == null || !current.hasSynced() || (lastInventory != Long.MIN_VALUE && now - lastInventory < inventoryInterval.toMillis())) {
        return;
      }
      Map<String, List<String>> byResource = new TreeMap<>();
      resources.forEach(r -> byResource.put(r, new ArrayList<>()));
      for (Pod pod : current.getStore().list()) {
        PodStatus s = status(pod, false, now);
        if (s != null && byResource.containsKey(s.resource()) && pod.getMetadata().getDeletionTimestamp() == null) {
          byResource.get(s.resource()).add(s.instanceId());
        }
      }
      byResource.forEach((resource, ids) -> {
        PodInventory inventory = new PodInventory(resource, ids, now);
        producer.send(Topics.POD_STATUS.record(inventory.key(), Json.bytes(inventory)),
            (metadata, e) -> {
              if (e != null) {
                log.warn("could not publish the pod inventory of {}: {}", resource, e.toString());
              }
            });
      });
      lastInventory = now;
    } catch (RuntimeException e) {
      log.warn("pod inventory failed this round", e);
    }
  }

  @Override
  public synchronized void close() {
    if (inventoryTimer != null) {
      inventoryTimer.shutdownNow();
      inventoryTimer = null;
    }
    if (informer != null) {
      informer.close();
      informer = null;
    }
  }

  /** The status of a pod, or null when its labels do not name an instance. */
  static PodStatus status(Pod pod, boolean gone, long observedAt) {
    Map<String, String> labels = pod.getMetadata() == null ? null : pod.getMetadata().getLabels();
    if (labels == null) {
      return null;
    }
    String resource = labels.get(PodTemplates.LABEL_RESOURCE);
    String instanceId = labels.get(PodTemplates.LABEL_INSTANCE_ID);
    if (resource == null || resource.isEmpty() || !InstanceIds.isValid(instanceId)) {
      return null;
    }
    String phase = gone || pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if (!gone && (phase == null || phase.isEmpty())) {
      // A pod the API has accepted but not yet given a status to is waiting to be scheduled.
      phase = "Pending";
    }
    return new PodStatus(resource, instanceId, pod.getMetadata().getName(), phase, gone ? null : pod.getMetadata().getUid(), gone, observedAt);
  }

  private void publish(Pod pod, boolean gone) {
    PodStatus status = status(pod, gone, clock.millis());
    if (status == null) {
      log.warn("pod {} has no {} / {} labels; not reported", pod.getMetadata().getName(), PodTemplates.LABEL_RESOURCE, PodTemplates.LABEL_INSTANCE_ID);
      return;
    }
    producer.send(
        Topics.POD_STATUS.record(StoreKey.of(status.resource(), status.instanceId()), Json.bytes(status)),
        (metadata, e) -> {
          if (e != null) {
            log.warn("could not publish the status of pod {}: {}", status.podName(), e.toString());
          }
        });
    log.debug("pod {} {}", status.podName(), gone ? "gone" : status.phase());
  }

  private final class Handler implements ResourceEventHandler<Pod> {
    @Override
    public void onAdd(Pod pod) {
      publish(pod, false);
    }

    @Override
    public void onUpdate(Pod oldPod, Pod newPod) {
      boolean resync = Objects.equals(oldPod.getMetadata().getResourceVersion(), newPod.getMetadata().getResourceVersion());
      boolean changed =
          !Objects.equals(phase(oldPod), phase(newPod)) || !Objects.equals(oldPod.getMetadata().getUid(), newPod.getMetadata().getUid());
      if (resync || changed) {
        publish(newPod, false);
      }
    }

    @Override
    public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
      publish(pod, true);
    }

    private String phase(Pod pod) {
      return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }
  }
}
