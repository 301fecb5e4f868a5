package iota.orchestrator.executor;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.ContainerMetrics;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import iota.orchestrator.autoscale.PodSample;
import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.config.ResourceType;
import iota.orchestrator.model.InstanceIds;
import iota.orchestrator.model.Json;
import iota.orchestrator.autoscale.PodMetrics;
import iota.orchestrator.topics.Topics;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the managed pods' CPU and memory usage from the metrics.k8s.io/v1beta1 PodMetrics API
 * (metrics-server) with fabric8's {@code client.top().pods()} every {@code iota.metrics.interval},
 * joins each sample with the pod's requests from its spec, and publishes one {@link PodMetrics} per
 * configured resource type and round on {@code iota.orchestrator.pod-metrics} (key = the type,
 * record timestamp = the round's time).
 *
 * <p>It reports what it saw and nothing else: a pod the metrics API left out, a pod without
 * requests, and an API that answers an error (a cluster without metrics-server answers 404, one
 * whose metrics-server is not serving 503) are said as such in the record. When the pods themselves
 * cannot be listed the round is skipped: without the pods there is nothing true to report.
 *
 * <p>It runs beside the executor, with its own Kafka producer, on a thread of its own; it never
 * touches ZooKeeper or the command topics.
 */
public final class PodMetricsPoller implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PodMetricsPoller.class);

  /** Where a round goes. */
  public interface Sink {
    void publish(PodMetrics round);
  }

  private final KubernetesClient client;
  private final String namespace;
  private final List<String> resources;
  private final Sink sink;
  private final Clock clock;
  private final Duration interval;
  private final List<AutoCloseable> owned = new ArrayList<>();
  private final PeriodicTask rounds;
  /** The last round's failure, so a lasting outage is logged when it starts and ends, not every round. */
  private String lastProblem;

  /**
   * @param resources the resource types to report; every one gets a record each round, even with
   *     no pods (an empty round is how a consumer learns that all pods of a type are gone)
   */
  public PodMetricsPoller(KubernetesClient client, String namespace, List<String> resources, Sink sink, Clock clock, Duration interval) {
    this.client = Objects.requireNonNull(client);
    this.namespace = Objects.requireNonNull(namespace);
    this.resources = List.copyOf(resources);
    this.sink = Objects.requireNonNull(sink);
    this.clock = Objects.requireNonNull(clock);
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("iota.metrics.interval must be positive, got " + interval);
    }
    this.interval = interval;
    this.rounds = new PeriodicTask("iota-pod-metrics", "the pod metrics round", interval, Duration.ofSeconds(10), this::pollOnce,
        e -> problem("pod metrics round skipped: the pods could not be listed: " + e));
  }

  /**
   * The poller of an executor process, over the caller's Kubernetes client (which stays the
   * caller's), publishing with a producer of its own from {@code iota.bootstrap.servers} and the
   * {@code kafka.*} overrides; the producer is closed with the poller.
   */
  public static PodMetricsPoller create(OrchestratorConfig config, KubernetesClient client) {
    Map<String, Object> p = Executor.producerProperties(config);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "iota-executor-metrics");
    Producer<byte[], byte[]> producer = new KafkaProducer<>(p);
    PodMetricsPoller poller = new PodMetricsPoller(client, config.require(ConfigKeys.KUBERNETES_NAMESPACE),
        config.resourceTypes().stream().map(ResourceType::name).toList(), kafkaSink(producer), Clock.systemUTC(),
        config.get(ConfigKeys.METRICS_INTERVAL));
    poller.owned.add(() -> producer.close(Duration.ofSeconds(5)));
    return poller;
  }

  /**
   * Builds its own Kubernetes client (kubeconfig or the in-cluster service account) and producer,
   * starts, and returns; closing it closes both. For the {@code executor} command.
   */
  public static PodMetricsPoller start(OrchestratorConfig config) {
    Config k8sConfig = Config.autoConfigure(null);
    // A 503 is an answer worth reporting this round, not something to retry for 20 s with backoff.
    k8sConfig.setRequestRetryBackoffLimit(1);
    KubernetesClient kubernetes = new KubernetesClientBuilder().withConfig(k8sConfig).build();
    PodMetricsPoller poller;
    try {
      poller = create(config, kubernetes);
    } catch (RuntimeException e) {
      kubernetes.close();
      throw e;
    }
    poller.owned.add(kubernetes);
    poller.start();
    return poller;
  }

  /** Publishes each round on {@code iota.orchestrator.pod-metrics}, key = the type, timestamp = the round's. */
  static Sink kafkaSink(Producer<byte[], byte[]> producer) {
    return round -> producer.send(
        new ProducerRecord<>(Topics.POD_METRICS.name(), null, round.at(), round.key().getBytes(StandardCharsets.UTF_8), Json.bytes(round)),
        (md, e) -> {
          if (e != null) {
            log.warn("could not publish the pod metrics of {}: {}", round.resource(), e.toString());
          }
        });
  }

  /** Samples now, then every interval. */
  public void start() {
    rounds.start();
    log.info("sampling pod usage (metrics.k8s.io) of {} in namespace {} every {}", resources, namespace, interval);
  }

  /** One round: samples, joins and publishes; returns the records published. */
  public synchronized List<PodMetrics> pollOnce() {
    long now = clock.millis();
    List<Pod> pods = client.pods().inNamespace(namespace).withLabel(PodTemplates.LABEL_MANAGED_BY, PodTemplates.MANAGED_BY).list().getItems();
    Map<String, io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics> usage = new HashMap<>();
    String error = null;
    try {
      for (var m : client.top().pods().inNamespace(namespace).withLabels(Map.of(PodTemplates.LABEL_MANAGED_BY, PodTemplates.MANAGED_BY))
          .metrics().getItems()) {
        if (m.getMetadata() != null && m.getMetadata().getName() != null) {
          usage.put(m.getMetadata().getName(), m);
        }
      }
    } catch (KubernetesClientException e) {
      if (Thread.currentThread().isInterrupted() || e.getCause() instanceof InterruptedException) {
        // Closing interrupted the request: that says nothing about the metrics API.
        return List.of();
      }
      error = e.getCode() > 0
          ? "metrics.k8s.io answered " + e.getCode() + (e.getCode() == 404 ? " (is metrics-server installed?)" : "")
          : "metrics.k8s.io could not be reached: " + e.getMessage();
    }
    if (error != null) {
      problem("pod usage unknown, reported as unavailable: " + error);
    } else if (lastProblem != null) {
      log.info("pod usage (metrics.k8s.io) available again");
      lastProblem = null;
    }
    Map<String, Map<String, PodMetrics.Instance>> byType = new LinkedHashMap<>();
    resources.forEach(r -> byType.put(r, new TreeMap<>()));
    Map<String, Pod> current = newestPodPerInstance(pods);
    for (Map.Entry<String, Pod> e : current.entrySet()) {
      Pod pod = e.getValue();
      String resource = pod.getMetadata().getLabels().get(PodTemplates.LABEL_RESOURCE);
      String instanceId = pod.getMetadata().getLabels().get(PodTemplates.LABEL_INSTANCE_ID);
      byType.get(resource).put(instanceId, instance(pod, usage.get(pod.getMetadata().getName()), now));
    }
    List<PodMetrics> rounds = new ArrayList<>();
    for (Map.Entry<String, Map<String, PodMetrics.Instance>> e : byType.entrySet()) {
      PodMetrics round = new PodMetrics(e.getKey(), now, error == null ? PodMetrics.Api.available : PodMetrics.Api.unavailable, error, e.getValue());
      sink.publish(round);
      rounds.add(round);
    }
    return rounds;
  }

  private void problem(String text) {
    if (!text.equals(lastProblem)) {
      log.warn(text);
      lastProblem = text;
    }
  }

  /**
   * The pod that serves each instance now, keyed {@code <Resource>/<instanceId>}: pods being deleted
   * are left out, and while a re-created pod overlaps its predecessor the newer one counts.
   */
  private Map<String, Pod> newestPodPerInstance(List<Pod> pods) {
    Map<String, Pod> current = new TreeMap<>();
    for (Pod pod : pods) {
      Map<String, String> labels = pod.getMetadata() == null ? null : pod.getMetadata().getLabels();
      if (labels == null || pod.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      String resource = labels.get(PodTemplates.LABEL_RESOURCE);
      String instanceId = labels.get(PodTemplates.LABEL_INSTANCE_ID);
      if (resource == null || !resources.contains(resource) || !InstanceIds.isValid(instanceId)) {
        continue;
      }
      current.merge(resource + "/" + instanceId, pod, (a, b) -> millis(created(b)) >= millis(created(a)) ? b : a);
    }
    return current;
  }

  private static String created(Pod pod) {
    return pod.getMetadata().getCreationTimestamp();
  }

  /** The pod's sample joined with its requests; {@code metrics} null when the API had none of it. */
  static PodMetrics.Instance instance(Pod pod, io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics metrics, long now) {
    double cpuRequest = 0;
    double memoryRequest = 0;
    if (pod.getSpec() != null && pod.getSpec().getContainers() != null) {
      for (Container c : pod.getSpec().getContainers()) {
        Map<String, Quantity> requests = c.getResources() == null ? null : c.getResources().getRequests();
        if (requests != null) {
          cpuRequest += millicores(requests.get("cpu"));
          memoryRequest += bytes(requests.get("memory"));
        }
      }
    }
    boolean ready = false;
    long startedAt = 0;
    if (pod.getStatus() != null) {
      for (PodCondition c : pod.getStatus().getConditions() == null ? List.<PodCondition>of() : pod.getStatus().getConditions()) {
        if ("Ready".equals(c.getType())) {
          ready = "True".equals(c.getStatus());
        }
      }
      startedAt = millis(pod.getStatus().getStartTime());
    }
    String name = pod.getMetadata().getName();
    if (metrics == null) {
      return new PodMetrics.Instance(name, PodSample.State.MISSING_METRICS, null, null, cpuRequest, memoryRequest, ready, startedAt, now, 0);
    }
    double cpu = 0;
    double memory = 0;
    for (ContainerMetrics c : metrics.getContainers() == null ? List.<ContainerMetrics>of() : metrics.getContainers()) {
      Map<String, Quantity> u = c.getUsage();
      if (u != null) {
        cpu += millicores(u.get("cpu"));
        memory += bytes(u.get("memory"));
      }
    }
    long sampledAt = metrics.getTimestamp() == null ? now : millis(metrics.getTimestamp());
    long window = metrics.getWindow() == null || metrics.getWindow().getDuration() == null ? 0 : metrics.getWindow().getDuration().toMillis();
    PodSample.State state = cpuRequest > 0 && memoryRequest > 0 ? PodSample.State.MEASURED : PodSample.State.NO_REQUESTS;
    return new PodMetrics.Instance(name, state, cpu, memory, cpuRequest, memoryRequest, ready, startedAt, sampledAt, window);
  }

  /** A CPU quantity in millicores ({@code "250m"}, {@code "1"}, {@code "508234567n"}); 0 when absent. */
  static double millicores(Quantity q) {
    return q == null ? 0 : q.getNumericalAmount().multiply(BigDecimal.valueOf(1000)).doubleValue();
  }

  /** A memory quantity in bytes ({@code "128Mi"}, {@code "1G"}); 0 when absent. */
  static double bytes(Quantity q) {
    return q == null ? 0 : q.getNumericalAmount().doubleValue();
  }

  private static long millis(String rfc3339) {
    if (rfc3339 == null || rfc3339.isEmpty()) {
      return 0;
    }
    try {
      return Instant.parse(rfc3339).toEpochMilli();
    } catch (DateTimeParseException e) {
      return 0;
    }
  }

  /** Stops sampling (waits for a round in progress), then closes what it owns. */
  @Override
  public void close() {
    rounds.close();
    RuntimeException failure = Closing.closeAll(owned, "closing the pod metrics poller failed", null);
    owned.clear();
    if (failure != null) {
      throw failure;
    }
  }
}
