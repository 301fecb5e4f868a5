package iota.orchestrator.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The manifests in deploy/ parse as Kubernetes objects and keep what the processes rely on. */
class DeployManifestsTest {
  private static List<HasMetadata> load(String file) throws Exception {
    List<HasMetadata> out = new ArrayList<>();
    for (String doc : Files.readString(Path.of("deploy", file)).split("(?m)^---$")) {
      if (!doc.isBlank()) {
        out.add(Serialization.unmarshal(doc));
      }
    }
    return out;
  }

  private static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
    List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
    assertEquals(1, found.size(), "one " + type.getSimpleName());
    return found.get(0);
  }

  private static void assertLockedDown(PodSpec pod, Container c) {
    assertTrue(pod.getSecurityContext().getRunAsNonRoot());
    assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
    assertFalse(c.getSecurityContext().getAllowPrivilegeEscalation());
    assertTrue(c.getSecurityContext().getReadOnlyRootFilesystem());
    assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
    assertNotNull(c.getResources().getLimits().get("memory"));
  }

  @Test
  void configMapIsAValidOrchestratorConfiguration() throws Exception {
    ConfigMap config = one(load("config.yaml"), ConfigMap.class);
    Map<String, String> env = new HashMap<>(config.getData());
    env.put("IOTA_APPLICATION_SERVER", "pod-0.peers.iota.svc:7070");
    OrchestratorConfig parsed = OrchestratorConfig.from(env, Map.of());
    assertEquals("kafka-bootstrap.kafka.svc:9093", parsed.require(ConfigKeys.BOOTSTRAP_SERVERS));
    assertEquals("SSL", parsed.kafkaOverrides().get("security.protocol"));
  }

  @Test
  void streamReplicasAdvertiseAnAddressThePeersServiceResolvesAndProbeHealth() throws Exception {
    List<HasMetadata> objects = load("stream.yaml");
    StatefulSet set = one(objects, StatefulSet.class);
    Service peers = objects.stream().filter(Service.class::isInstance).map(Service.class::cast)
        .filter(s -> "None".equals(s.getSpec().getClusterIP())).findFirst().orElseThrow();
    assertEquals(peers.getMetadata().getName(), set.getSpec().getServiceName());
    PodSpec pod = set.getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);
    assertEquals(List.of("stream"), c.getArgs());
    String server = c.getEnv().stream().filter(e -> e.getName().equals("IOTA_APPLICATION_SERVER")).map(EnvVar::getValue).findFirst().orElseThrow();
    assertEquals("$(POD_NAME)." + peers.getMetadata().getName() + ".iota.svc:7070", server);
    assertEquals("/readyz", c.getReadinessProbe().getHttpGet().getPath());
    assertEquals("/healthz", c.getLivenessProbe().getHttpGet().getPath());
    assertEquals("api-token", c.getEnv().stream().filter(e -> e.getName().equals("IOTA_API_TOKEN")).findFirst().orElseThrow()
        .getValueFrom().getSecretKeyRef().getKey());
    assertFalse(pod.getAutomountServiceAccountToken(), "the stream app never talks to the API server");
    assertLockedDown(pod, c);
  }

  @Test
  void executorMayManagePodsInItsNamespaceAndNothingElse() throws Exception {
    List<HasMetadata> objects = load("executor.yaml");
    Role role = one(objects, Role.class);
    assertEquals(1, role.getRules().size());
    assertEquals(List.of("pods"), role.getRules().get(0).getResources());
    assertEquals(List.of("get", "list", "watch", "create", "delete"), role.getRules().get(0).getVerbs());
    Deployment deployment = one(objects, Deployment.class);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertEquals("iota-orchestrator-executor", pod.getServiceAccountName());
    Container c = pod.getContainers().get(0);
    assertEquals(List.of("executor"), c.getArgs());
    assertLockedDown(pod, c);
    List<String> templatePaths = pod.getVolumes().stream().filter(v -> v.getConfigMap() != null)
        .flatMap(v -> v.getConfigMap().getItems().stream()).map(i -> i.getPath()).toList();
    for (String instanceName : List.of("iota-dac", "iota-rules-engine")) {
      assertTrue(templatePaths.contains(instanceName + "/pod-template.yml"), instanceName);
      assertTrue(Files.exists(Path.of("templates", instanceName, "pod-template.yml")));
    }
  }

  @Test
  void bothProcessesJoinTheirGroupsUnderTheirPodName() throws Exception {
    Container stream = one(load("stream.yaml"), StatefulSet.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    EnvVar podName = env(stream, "POD_NAME");
    assertEquals("metadata.name", podName.getValueFrom().getFieldRef().getFieldPath());
    assertEquals("$(POD_NAME)", env(stream, "IOTA_INSTANCE_ID").getValue());
    Container executor = one(load("executor.yaml"), Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertEquals("metadata.name", env(executor, "IOTA_INSTANCE_ID").getValueFrom().getFieldRef().getFieldPath());
  }

  private static EnvVar env(Container c, String name) {
    return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(c.getName() + " has no " + name));
  }
}
