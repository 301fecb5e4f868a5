package iota.orchestrator.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import iota.orchestrator.IntegrationTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@IntegrationTest
class SimulatedKubernetesTest {
  @TempDir static Path dir;
  static SimulatedKubernetes kubernetes;

  @BeforeAll
  static void startServer() {
    kubernetes = SimulatedKubernetes.start(0);
  }

  @AfterAll
  static void stopServer() {
    kubernetes.close();
  }

  @Test
  void podsCanBeCreatedListedStatusUpdatedAndDeleted() {
    KubernetesClient client = kubernetes.client();
    client.pods().resource(pod("iota-dac-0")).create();

    assertEquals(1, client.pods().withLabel("instanceId", "0").list().getItems().size());

    Pod running = client.pods().withName("iota-dac-0").get();
    running.setStatus(new PodStatusBuilder().withPhase("Running").build());
    client.pods().resource(running).updateStatus();
    assertEquals("Running", client.pods().withName("iota-dac-0").get().getStatus().getPhase());

    client.pods().withName("iota-dac-0").withGracePeriod(0).delete();
    assertNull(client.pods().withName("iota-dac-0").get());
  }

  @Test
  void kubeconfigPointsAClientAtTheSimulatedServer() throws Exception {
    Path file = kubernetes.writeKubeconfig(dir.resolve("kube/config"));
    assertTrue(Files.readString(file).contains("SIMULATED"));

    kubernetes.client().pods().resource(pod("iota-rules-engine-3")).create();
    Config config = Config.fromKubeconfig(Files.readString(file));
    try (KubernetesClient fromFile = new KubernetesClientBuilder().withConfig(config).build()) {
      assertEquals("iota", fromFile.getNamespace());
      assertEquals("3", fromFile.pods().withName("iota-rules-engine-3").get().getMetadata().getLabels().get("instanceId"));
    }
  }

  @Test
  void restartOnSamePortComesBackEmptyBecauseStateIsInMemory() {
    kubernetes.client().pods().resource(pod("iota-dac-9")).create();
    int port = kubernetes.port();
    kubernetes.close();
    kubernetes = SimulatedKubernetes.start(port);

    assertEquals(port, kubernetes.port());
    assertNull(kubernetes.client().pods().withName("iota-dac-9").get());
  }

  private static Pod pod(String name) {
    return new PodBuilder()
        .withNewMetadata().withName(name).addToLabels("instanceId", name.substring(name.lastIndexOf('-') + 1)).endMetadata()
        .withNewSpec().addNewContainer().withName("worker").withImage("busybox").endContainer().endSpec()
        .build();
  }
}
