package iota.orchestrator.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.IntegrationTest;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import iota.orchestrator.api.SimulationControl.Load;
import iota.orchestrator.autoscale.PodSample;
import iota.orchestrator.executor.PodMetricsPoller;
import iota.orchestrator.executor.PodTemplates;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulated metrics-server through fabric8's real {@code top()} client path. */
@IntegrationTest
class SimulatedMetricsTest {
  private static final String NS = "iota";
  private static final double MIB = 1024 * 1024;
  private static final Instant NOW = Instant.parse("2025-12-02T04:00:00Z");

  private SimulatedKubernetes kubernetes;
  private KubernetesClient client;
  private final List<Pod> pods = new ArrayList<>();
  private final Map<String, List<String>> resources = Map.of(
      "0", IntStream.range(0, 100).mapToObj(i -> "t" + i).toList(),
      "1", List.of("hot", "cold"));
  private final SimulatedLoad load = new SimulatedLoad(1, 0);

  @BeforeEach
  void start() {
    kubernetes = SimulatedKubernetes.start(0);
    client = kubernetes.newClient(NS);
    kubernetes.serveMetrics(new SimulatedMetrics(() -> List.copyOf(pods), (type, id) -> resources.getOrDefault(id, List.of()), load,
        Clock.fixed(NOW, ZoneOffset.UTC)));
  }

  @AfterEach
  void stop() {
    client.close();
    kubernetes.close();
  }

  private void pod(String id, String phase) {
    pods.add(new PodBuilder().withNewMetadata().withName("iota-dac-" + id).withNamespace(NS)
        .addToLabels(PodTemplates.LABEL_MANAGED_BY, PodTemplates.MANAGED_BY)
        .addToLabels(PodTemplates.LABEL_RESOURCE, "Thing")
        .addToLabels(PodTemplates.LABEL_INSTANCE_ID, id).endMetadata()
        .withNewSpec().addNewContainer().withName("iota-dac").endContainer().endSpec()
        .withStatus(new PodStatusBuilder().withPhase(phase).build()).build());
  }

  private PodMetrics byName(List<PodMetrics> list, String name) {
    return list.stream().filter(m -> m.getMetadata().getName().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void runningPodUsesIdlePlusItsResourcesLoads() {
    pod("0", "Running");
    pod("1", "Running");
    load.setResource("Thing", "hot", new Load(300, 20));

    List<PodMetrics> list = client.top().pods().inNamespace(NS).withLabels(Map.of(PodTemplates.LABEL_MANAGED_BY, PodTemplates.MANAGED_BY))
        .metrics().getItems();

    PodMetrics zero = byName(list, "iota-dac-0");
    assertEquals(50 + 100 * 0.2, zero.getContainers().get(0).getUsage().get("cpu").getNumericalAmount().doubleValue() * 1000, 1e-6);
    assertEquals((96 + 100 * 0.05) * MIB, zero.getContainers().get(0).getUsage().get("memory").getNumericalAmount().doubleValue(), 1);
    assertEquals("iota-dac", zero.getContainers().get(0).getName());
    assertEquals(NOW.toString(), zero.getTimestamp());
    assertEquals(SimulatedMetrics.WINDOW, zero.getWindow().getDuration());
    PodMetrics one = byName(list, "iota-dac-1");
    assertEquals(50 + 300 + 0.2, one.getContainers().get(0).getUsage().get("cpu").getNumericalAmount().doubleValue() * 1000, 1e-6);
  }

  @Test
  void podThatIsNotRunningHasNoSample() {
    pod("0", "Running");
    pod("1", "Pending");
    List<PodMetrics> list = client.top().pods().inNamespace(NS).metrics().getItems();
    assertEquals(List.of("iota-dac-0"), list.stream().map(m -> m.getMetadata().getName()).toList());
    assertTrue(client.top().pods().inNamespace("elsewhere").metrics().getItems().isEmpty());
  }

  @Test
  void onePodIsServedByName() {
    pod("1", "Running");
    PodMetrics m = client.top().pods().metrics(NS, "iota-dac-1");
    assertEquals(50 + 0.4, m.getContainers().get(0).getUsage().get("cpu").getNumericalAmount().doubleValue() * 1000, 1e-6);
  }

  @Test
  void pollerSeesTheSimulatedUsageJoinedWithTheTemplateRequests() {
    // The pods the poller lists come from the CRUD store; the metrics from the simulation.
    Pod created = client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("iota-dac-0")
        .addToLabels(PodTemplates.LABEL_MANAGED_BY, PodTemplates.MANAGED_BY)
        .addToLabels(PodTemplates.LABEL_RESOURCE, "Thing")
        .addToLabels(PodTemplates.LABEL_INSTANCE_ID, "0").endMetadata()
        .withNewSpec().addNewContainer().withName("iota-dac").withImage("w").withNewResources()
        .addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("250m"))
        .addToRequests("memory", new io.fabric8.kubernetes.api.model.Quantity("256Mi")).endResources().endContainer().endSpec().build()).create();
    created.setStatus(new PodStatusBuilder().withPhase("Running").build());
    pods.add(created);
    List<iota.orchestrator.autoscale.PodMetrics> published = new ArrayList<>();
    new PodMetricsPoller(client, NS, List.of("Thing"), published::add, Clock.fixed(NOW, ZoneOffset.UTC), java.time.Duration.ofSeconds(5))
        .pollOnce();

    PodSample sample = published.get(0).samples().get(0);
    assertEquals(PodSample.measured(0, 50 + 100 * 0.2, (96 + 100 * 0.05) * MIB, 250, 256 * MIB, false, 0, NOW.toEpochMilli(),
        SimulatedMetrics.WINDOW.toMillis()), sample);
  }
}
