package iota.orchestrator.e2e;

import static iota.orchestrator.e2e.E2e.await;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import iota.orchestrator.IntegrationTest;
import iota.orchestrator.embedded.EmbeddedPlatform;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Orphans through the whole system: the executor of the embedded platform finds a stray pod and a
 * stray znode, the stream app serves its report over REST, and after the grace both are removed
 * while every planned pod and znode stays.
 */
@IntegrationTest
class OrphansEndToEndTest {
  private static E2ePlatform platform;
  private static String root;

  @BeforeAll
  static void startPlatform() {
    platform = E2ePlatform.start(EmbeddedPlatform.Options.defaults(E2e.dataDir("orphans")),
        Map.of("iota.orphans.interval", "1s", "iota.orphans.grace", "5s"));
    root = platform.root();
  }

  @AfterAll
  static void stopPlatform() throws Exception {
    if (platform != null) {
      platform.close();
    }
  }

  private static Set<String> listed(JsonNode report) {
    Set<String> out = new HashSet<>();
    report.get("orphans").forEach(o -> out.add(o.get("kind").asText() + ":" + (o.get("name").isNull() ? o.get("path").asText() : o.get("name").asText())));
    return out;
  }

  @Test
  void aStrayPodAndZnodeAreReportedThenRemovedAfterTheGraceAndThePlanIsUntouched() throws Exception {
    platform.feed.create("Thing", "orphan-test-1");
    await().until(() -> platform.zookeeper.placements("Thing").get("orphan-test-1"), id -> id != null);
    KubernetesClient k8s = platform.embedded.kubernetes().client();
    Pod stray = new PodBuilder().withNewMetadata().withName("iota-dac-42").withNamespace("iota")
        .addToLabels("app.kubernetes.io/managed-by", "iota-orchestrator")
        .addToLabels("iota.resource", "Thing")
        .addToLabels("instanceId", "42")
        .endMetadata().withNewSpec().addNewContainer().withName("w").withImage("w").endContainer().endSpec().build();
    k8s.pods().inNamespace("iota").resource(stray).create();
    platform.zookeeper.client().create().creatingParentsIfNeeded().forPath(root + "/Thing/42/resources", "{\"ids\":[]}".getBytes());

    JsonNode seen = await().until(() -> platform.rest.orphans("Thing"),
        r -> listed(r).containsAll(Set.of("pod:iota-dac-42", "znode:" + root + "/Thing/42")));
    assertTrue(seen.get("purge").asBoolean());

    await().until(() -> k8s.pods().inNamespace("iota").withName("iota-dac-42").get() == null
        && platform.zookeeper.client().checkExists().forPath(root + "/Thing/42") == null);
    await().until(() -> platform.rest.orphans("Thing"), r -> r.get("orphans").isEmpty() && r.get("purged").asLong() >= 2);
    for (String id : Set.of("0", "1", "2")) {
      assertNotNull(k8s.pods().inNamespace("iota").withName("iota-dac-" + id).get(), "planned pod " + id);
      assertNotNull(platform.zookeeper.client().checkExists().forPath(root + "/Thing/" + id + "/resources"), "planned znode " + id);
    }
  }
}
