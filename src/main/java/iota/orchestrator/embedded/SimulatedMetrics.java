package iota.orchestrator.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Duration;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.ContainerMetricsBuilder;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetricsBuilder;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetricsListBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import iota.orchestrator.executor.PodTemplates;
import iota.orchestrator.model.Json;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * The SIMULATED metrics-server: answers the metrics.k8s.io/v1beta1 PodMetrics API of {@link
 * SimulatedKubernetes} for the simulated fleet's Running pods, with the usage {@link SimulatedLoad}
 * computes from the resources each pod's instance serves as the workers see it (ZooKeeper). A pod
 * that is not Running has no sample, as with a real metrics-server.
 */
public final class SimulatedMetrics implements SimulatedKubernetes.MetricsApi {
  /** The sample window it reports; metrics-server's default resolution. */
  static final java.time.Duration WINDOW = java.time.Duration.ofSeconds(15);
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /** The resources an instance serves. */
  public interface InstanceResources {
    List<String> of(String resource, String instanceId) throws Exception;

    /** As a worker reads them: {@code <root>/<Resource>/<instanceId>/resources}, {@code {"ids": [...]}}. */
    static InstanceResources zooKeeper(CuratorFramework curator, String root) {
      return (resource, instanceId) -> {
        byte[] data;
        try {
          data = curator.getData().forPath(root + "/" + resource + "/" + instanceId + "/resources");
        } catch (KeeperException.NoNodeException e) {
          return List.of();
        }
        JsonNode ids = data == null || data.length == 0 ? null : Json.MAPPER.readTree(data).get("ids");
        List<String> list = new ArrayList<>();
        if (ids != null) {
          ids.forEach(id -> list.add(id.asText()));
        }
        return list;
      };
    }
  }

  private final Supplier<List<Pod>> pods;
  private final InstanceResources resources;
  private final SimulatedLoad load;
  private final Clock clock;

  /**
   * @param pods the simulated pods as they are now (the fleet's informer cache: no API request is
   *     made while an API request is being answered)
   */
  public SimulatedMetrics(Supplier<List<Pod>> pods, InstanceResources resources, SimulatedLoad load, Clock clock) {
    this.pods = Objects.requireNonNull(pods);
    this.resources = Objects.requireNonNull(resources);
    this.load = Objects.requireNonNull(load);
    this.clock = Objects.requireNonNull(clock);
  }

  @Override
  public Answer pods(String namespace, String name, Map<String, String> labels) {
    List<PodMetrics> items = new ArrayList<>();
    for (Pod pod : pods.get()) {
      if (!namespace.equals(pod.getMetadata().getNamespace()) || (name != null && !name.equals(pod.getMetadata().getName()))
          || !matches(pod, labels) || !running(pod)) {
        continue;
      }
      PodMetrics m = sample(pod);
      if (m != null) {
        items.add(m);
      }
    }
    if (name != null) {
      return items.isEmpty()
          ? new Answer(404, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"podmetrics.metrics.k8s.io \\\""
              + name + "\\\" not found\",\"reason\":\"NotFound\",\"code\":404}")
          : new Answer(200, SERIALIZATION.asJson(items.get(0)));
    }
    return new Answer(200, SERIALIZATION.asJson(new PodMetricsListBuilder().withItems(items).build()));
  }

  private static boolean matches(Pod pod, Map<String, String> labels) {
    Map<String, String> have = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    return labels.entrySet().stream().allMatch(e -> e.getValue().equals(have.get(e.getKey())));
  }

  private static boolean running(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase());
  }

  private PodMetrics sample(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    String resource = labels == null ? null : labels.get(PodTemplates.LABEL_RESOURCE);
    String instanceId = labels == null ? null : labels.get(PodTemplates.LABEL_INSTANCE_ID);
    if (resource == null || instanceId == null) {
      return null;
    }
    List<String> ids;
    try {
      ids = resources.of(resource, instanceId);
    } catch (Exception e) {
      // A worker that cannot read its plan serves nothing: it idles.
      ids = List.of();
    }
    SimulatedLoad.Usage usage = load.usage(resource, ids);
    String container = pod.getSpec() != null && pod.getSpec().getContainers() != null && !pod.getSpec().getContainers().isEmpty()
        ? pod.getSpec().getContainers().get(0).getName() : "worker";
    BigDecimal nanocores = BigDecimal.valueOf(usage.cpuMillis()).multiply(BigDecimal.valueOf(1_000_000)).setScale(0, RoundingMode.HALF_UP);
    BigDecimal bytes = BigDecimal.valueOf(usage.memoryBytes()).setScale(0, RoundingMode.HALF_UP);
    return new PodMetricsBuilder()
        .withMetadata(new ObjectMetaBuilder().withName(pod.getMetadata().getName()).withNamespace(pod.getMetadata().getNamespace())
            .withLabels(labels).build())
        .withTimestamp(Instant.ofEpochMilli(clock.millis()).toString())
        .withWindow(new Duration(WINDOW))
        .withContainers(new ContainerMetricsBuilder().withName(container)
            .addToUsage("cpu", new Quantity(nanocores.toPlainString() + "n"))
            .addToUsage("memory", new Quantity(bytes.toPlainString()))
            .build())
        .build();
  }
}
