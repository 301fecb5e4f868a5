package iota.orchestrator.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import iota.orchestrator.IntegrationTest;
import iota.orchestrator.embedded.SimulatedKubernetes;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.PodCommand;
import iota.orchestrator.model.PodCommand.Action;
import iota.orchestrator.model.PodInventory;
import iota.orchestrator.model.PodStatus;
import iota.orchestrator.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@IntegrationTest
class PodWatcherTest {
  private static final String NS = "iota";
  private static final long NOW = 1_700_000_000_000L;

  private SimulatedKubernetes kubernetes;
  private KubernetesClient client;
  private MockProducer<byte[], byte[]> producer;
  private PodWatcher watcher;
  private KubernetesApplier applier;

  @BeforeEach
  void start() {
    kubernetes = SimulatedKubernetes.start(0);
    client = kubernetes.newClient(NS);
    producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    watcher = new PodWatcher(client, NS, producer, Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC), Duration.ofMinutes(10));
    applier = new KubernetesApplier(client, NS, new PodTemplates(Path.of("templates")), Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() {
    watcher.close();
    client.close();
    kubernetes.close();
  }

  private List<PodStatus> published() {
    return producer.history().stream()
        .filter(r -> r.topic().equals(Topics.POD_STATUS.name()) && !new String(r.key(), StandardCharsets.UTF_8).endsWith("/inventory"))
        .map(PodWatcherTest::status).toList();
  }

  private static PodStatus status(ProducerRecord<byte[], byte[]> r) {
    PodStatus s = PodStatus.parse(r.value());
    assertEquals(s.resource() + "/" + s.instanceId(), new String(r.key(), StandardCharsets.UTF_8));
    return s;
  }

  private PodStatus last() {
    List<PodStatus> all = published();
    return all.get(all.size() - 1);
  }

  @Test
  void reportsPhasesAndDeletionOfManagedPods() {
    watcher.start();
    applier.apply(new PodCommand("c1", Action.create, "Rule", "2", "iota-rules-engine", "test"));

    await().until(() -> !published().isEmpty());
    PodStatus created = last();
    assertEquals("Rule", created.resource());
    assertEquals("2", created.instanceId());
    assertEquals("iota-rules-engine-2", created.podName());
    assertEquals("Pending", created.phase());
    assertEquals(NOW, created.observedAt());
    Pod pod = client.pods().inNamespace(NS).withName("iota-rules-engine-2").get();
    assertEquals(pod.getMetadata().getUid(), created.uid());

    client.pods().inNamespace(NS).resource(new PodBuilder(pod).withStatus(new PodStatusBuilder().withPhase("Running").build()).build()).updateStatus();
    await().until(() -> "Running".equals(last().phase()));

    applier.apply(new PodCommand("d1", Action.delete, "Rule", "2", "iota-rules-engine", "test"));
    await().until(() -> last().gone());
    assertNull(last().phase());
    assertNull(last().uid());
    assertTrue(last().needsRecreate());
  }

  @Test
  void podsExistingBeforeTheStartAreReportedAndForeignPodsAreNot() {
    applier.apply(new PodCommand("c1", Action.create, "Thing", "0", "iota-dac", "test"));
    client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("someone-else").addToLabels("instanceId", "9").endMetadata()
        .withNewSpec().addNewContainer().withName("x").withImage("x").endContainer().endSpec().build()).create();

    watcher.start();

    await().until(watcher::isSynced);
    await().until(() -> !published().isEmpty());
    assertEquals(List.of("iota-dac-0"), published().stream().map(PodStatus::podName).distinct().toList());
  }

  @Test
  void publishesTheInventoryOfEveryTypeIncludingTypesWithoutPods() {
    applier.apply(new PodCommand("c1", Action.create, "Thing", "0", "iota-dac", "test"));
    applier.apply(new PodCommand("c2", Action.create, "Thing", "3", "iota-dac", "test"));
    PodWatcher inventorying = new PodWatcher(client, NS, producer, Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC),
        Duration.ofMinutes(10), List.of("Thing", "Rule"), Duration.ofMinutes(1));
    try {
      inventorying.start();
      await().until(() -> inventories().size() == 2);
      var byKey = new TreeMap<String, PodInventory>();
      producer.history().stream()
          .filter(r -> new String(r.key(), StandardCharsets.UTF_8).endsWith("/inventory"))
          .forEach(r -> byKey.put(new String(r.key(), StandardCharsets.UTF_8),
              PodInventory.parse(Json.tree(r.value()))));
      assertEquals(List.of("0", "3"), byKey.get("Thing/inventory").inventory().stream().sorted().toList());
      assertEquals(List.of(), byKey.get("Rule/inventory").inventory());
      assertEquals(NOW, byKey.get("Rule/inventory").observedAt());
    } finally {
      inventorying.close();
    }
  }

  private List<ProducerRecord<byte[], byte[]>> inventories() {
    return producer.history().stream().filter(r -> new String(r.key(), StandardCharsets.UTF_8).endsWith("/inventory")).toList();
  }
}
