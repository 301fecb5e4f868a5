package iota.orchestrator.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import ch.qos.logback.classic.Level;
import iota.orchestrator.IntegrationTest;
import iota.orchestrator.LogCapture;
import iota.orchestrator.embedded.SimulatedKubernetes;
import iota.orchestrator.executor.KubernetesApplier.Outcome;
import iota.orchestrator.model.PodCommand;
import iota.orchestrator.model.PodCommand.Action;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@IntegrationTest
class KubernetesApplierTest {
  private static final String NS = "iota";

  private SimulatedKubernetes kubernetes;
  private KubernetesClient client;
  private KubernetesApplier applier;

  @BeforeEach
  void start() {
    kubernetes = SimulatedKubernetes.start(0);
    client = kubernetes.newClient(NS);
    applier = new KubernetesApplier(client, NS, new PodTemplates(Path.of("templates")), Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() {
    client.close();
    kubernetes.close();
  }

  static PodCommand command(String id, Action action, String instanceId) {
    return new PodCommand(id, action, "Thing", instanceId, "iota-dac", "test " + action);
  }

  private Pod pod(String name) {
    return client.pods().inNamespace(NS).withName(name).get();
  }

  @Test
  void createBuildsThePodFromTheTemplate() {
    assertEquals(Outcome.CREATED, applier.apply(command("c1", Action.create, "3")));

    Pod pod = pod("iota-dac-3");
    assertNotNull(pod);
    assertEquals(NS, pod.getMetadata().getNamespace());
    assertEquals("3", pod.getMetadata().getLabels().get("instanceId"));
    assertEquals("iota-dac", pod.getMetadata().getLabels().get("app"));
    assertEquals("Thing", pod.getMetadata().getLabels().get("iota.resource"));
    assertEquals("iota-orchestrator", pod.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
    assertEquals("c1", pod.getMetadata().getAnnotations().get("iota.orchestrator/command-id"));
    Container c = pod.getSpec().getContainers().get(0);
    assertEquals("INSTANCE_ID", c.getEnv().get(0).getName());
    assertEquals("3", c.getEnv().get(0).getValue());
    assertEquals(1, c.getEnv().stream().filter(e -> e.getName().equals("INSTANCE_ID")).count());
    assertTrue(c.getEnv().stream().anyMatch(e -> e.getName().equals("IOTA_RESOURCE")), "the template's other variables stay");
  }

  @Test
  void bothTemplatesAreLockedDown() {
    for (String name : new String[] {"iota-dac", "iota-rules-engine"}) {
      Pod pod = new PodTemplates(Path.of("templates")).render(new PodCommand("x", Action.create, "Rule", "0", name, "r"), NS);
      assertEquals(name + "-0", pod.getMetadata().getName());
      assertEquals(Boolean.FALSE, pod.getSpec().getAutomountServiceAccountToken(), name);
      assertEquals(Boolean.TRUE, pod.getSpec().getSecurityContext().getRunAsNonRoot(), name);
      assertEquals("RuntimeDefault", pod.getSpec().getSecurityContext().getSeccompProfile().getType(), name);
      Container c = pod.getSpec().getContainers().get(0);
      assertEquals(Boolean.FALSE, c.getSecurityContext().getAllowPrivilegeEscalation(), name);
      assertEquals(Boolean.TRUE, c.getSecurityContext().getReadOnlyRootFilesystem(), name);
      assertEquals("ALL", c.getSecurityContext().getCapabilities().getDrop().get(0), name);
      assertNotNull(c.getResources().getRequests().get("cpu"), name);
      assertNotNull(c.getResources().getLimits().get("memory"), name);
      assertTrue(c.getImage().startsWith("iota/" + name + ":"), name);
    }
  }

  @Test
  void instanceIdBecomesTheFirstVariableEvenWhenTheTemplatePutsItLater(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("w"));
    Files.writeString(
        dir.resolve("w/pod-template.yml"),
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: placeholder
        spec:
          containers:
            - name: w
              image: w:1
              env:
                - name: A
                  value: a
                - name: INSTANCE_ID
                  value: "99"
        """);

    Pod pod = new PodTemplates(dir).render(new PodCommand("x", Action.create, "Rule", "7", "w", "r"), NS);

    var env = pod.getSpec().getContainers().get(0).getEnv();
    assertEquals(2, env.size());
    assertEquals("INSTANCE_ID", env.get(0).getName());
    assertEquals("7", env.get(0).getValue());
    assertEquals("A", env.get(1).getName());
    assertEquals("w-7", pod.getMetadata().getName());
  }

  @Test
  void createIsIdempotent() {
    applier.apply(command("c1", Action.create, "0"));
    String uid = pod("iota-dac-0").getMetadata().getUid();

    assertEquals(Outcome.ALREADY_EXISTS, applier.apply(command("c2", Action.create, "0")));
    assertEquals(uid, pod("iota-dac-0").getMetadata().getUid());
  }

  @Test
  void deleteRemovesThePodAndAMissingPodIsDone() {
    applier.apply(command("c1", Action.create, "1"));

    assertEquals(Outcome.DELETED, applier.apply(command("d1", Action.delete, "1")));
    assertNull(pod("iota-dac-1"));
    assertEquals(Outcome.ALREADY_GONE, applier.apply(command("d1", Action.delete, "1")));
  }

  @Test
  void recreateReplacesThePodOnceEvenWhenAppliedAgain() {
    applier.apply(command("c1", Action.create, "2"));
    String oldUid = pod("iota-dac-2").getMetadata().getUid();
    assertNotNull(oldUid);

    assertEquals(Outcome.RECREATED, applier.apply(command("r1", Action.recreate, "2")));
    String newUid = pod("iota-dac-2").getMetadata().getUid();
    assertNotEquals(oldUid, newUid);

    // Replayed after a crash before the offset commit: the healthy new pod is left alone.
    assertEquals(Outcome.ALREADY_RECREATED, applier.apply(command("r1", Action.recreate, "2")));
    assertEquals(newUid, pod("iota-dac-2").getMetadata().getUid());

    // A later, different re-create does replace it.
    assertEquals(Outcome.RECREATED, applier.apply(command("r2", Action.recreate, "2")));
    assertNotEquals(newUid, pod("iota-dac-2").getMetadata().getUid());
  }

  /** The command at {@code offset} of pod-commands partition 0, applied when the log reached {@code end}. */
  private static KubernetesApplier.Position at(long offset, long end) {
    return new KubernetesApplier.Position("iota.orchestrator.pod-commands-0", offset, end);
  }

  @Test
  void recreatesQueuedBeforeThePodWasCreatedAreSkippedAndALaterOneApplies() {
    // After an outage: create at 0, recreates at 1, 2 and 3 all in the log before the executor is back.
    assertEquals(Outcome.CREATED, applier.apply(command("c0", Action.create, "2"), at(0, 4)));
    String created = pod("iota-dac-2").getMetadata().getUid();

    for (long offset = 1; offset <= 3; offset++) {
      assertEquals(Outcome.SKIPPED_STALE, applier.apply(command("r" + offset, Action.recreate, "2"), at(offset, 4)));
    }
    assertEquals(created, pod("iota-dac-2").getMetadata().getUid(), "the pod made after those commands stays");

    // A recreate decided after that pod existed replaces it.
    assertEquals(Outcome.RECREATED, applier.apply(command("r4", Action.recreate, "2"), at(4, 5)));
    assertNotEquals(created, pod("iota-dac-2").getMetadata().getUid());
  }

  @Test
  void aPodPositionAheadOfTheLogIsNotTrusted() {
    // The pod says it was made after offset 50, but this partition only reaches 4: the topic was
    // recreated since, and its offsets say nothing about that pod.
    applier.apply(command("c0", Action.create, "3"), at(49, 50));
    String old = pod("iota-dac-3").getMetadata().getUid();

    assertEquals(Outcome.RECREATED, applier.apply(command("r1", Action.recreate, "3"), at(3, 4)));
    assertNotEquals(old, pod("iota-dac-3").getMetadata().getUid());
  }

  private void terminating(String instanceId) {
    Pod pod = new PodTemplates(Path.of("templates")).render(command("old", Action.create, instanceId), NS);
    pod.getMetadata().setFinalizers(List.of("test.iota/hold"));
    client.pods().inNamespace(NS).resource(pod).create();
    client.pods().inNamespace(NS).withName(pod.getMetadata().getName()).delete();
    assertNotNull(pod(pod.getMetadata().getName()).getMetadata().getDeletionTimestamp(), "held by its finalizer");
  }

  private void releaseFinalizer(String name) {
    client.pods().inNamespace(NS).withName(name).edit(p -> {
      p.getMetadata().setFinalizers(List.of());
      return p;
    });
  }

  @Test
  void aCreateMeetingATerminatingPodIsNotDoneUntilItHasCreated() {
    terminating("6");
    KubernetesApplier impatient = new KubernetesApplier(client, NS, new PodTemplates(Path.of("templates")), Duration.ofMillis(300));

    CommandFailedException e = assertThrows(CommandFailedException.class, () -> impatient.apply(command("c1", Action.create, "6")));

    assertTrue(e.getMessage().contains("terminating"), e.getMessage());
    assertEquals("old", pod("iota-dac-6").getMetadata().getAnnotations().get("iota.orchestrator/command-id"));
  }

  /** Runs {@code command} on another thread, releases the terminating pod once the applier waits for it. */
  private Outcome applyWhileReleasing(PodCommand command, String podName) throws Exception {
    try (LogCapture log = LogCapture.of(KubernetesApplier.class.getName(), Level.INFO)) {
      CompletableFuture<Outcome> outcome = CompletableFuture.supplyAsync(() -> applier.apply(command));
      await().atMost(Duration.ofSeconds(10)).until(() -> log.events().stream().anyMatch(l -> l.getFormattedMessage().contains("terminating")));
      assertFalse(outcome.isDone(), "it waits for the old pod");

      releaseFinalizer(podName);

      return outcome.get(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void aCreateWaitsUntilATerminatingPodIsGoneThenCreates() throws Exception {
    terminating("7");

    assertEquals(Outcome.CREATED, applyWhileReleasing(command("c1", Action.create, "7"), "iota-dac-7"));

    Pod created = pod("iota-dac-7");
    assertNull(created.getMetadata().getDeletionTimestamp());
    assertEquals("c1", created.getMetadata().getAnnotations().get("iota.orchestrator/command-id"));
  }

  @Test
  void aRecreateOfATerminatingPodWaitsAndCreates() throws Exception {
    terminating("8");

    assertEquals(Outcome.RECREATED, applyWhileReleasing(command("r1", Action.recreate, "8"), "iota-dac-8"));

    assertEquals("r1", pod("iota-dac-8").getMetadata().getAnnotations().get("iota.orchestrator/command-id"));
  }

  @Test
  void recreateOfAMissingPodCreatesIt() {
    assertEquals(Outcome.RECREATED, applier.apply(command("r1", Action.recreate, "4")));
    assertNotNull(pod("iota-dac-4"));
  }

  @Test
  void aMissingTemplateFailsTheCommandWithoutTouchingTheRunningPod() {
    applier.apply(command("c1", Action.create, "5"));
    String uid = pod("iota-dac-5").getMetadata().getUid();
    KubernetesApplier noTemplates = new KubernetesApplier(client, NS, new PodTemplates(Path.of("no-such-dir")), Duration.ofSeconds(5));

    CommandFailedException e = assertThrows(CommandFailedException.class, () -> noTemplates.apply(command("r1", Action.recreate, "5")));

    assertTrue(e.getMessage().contains("no pod template"), e.getMessage());
    assertEquals(uid, pod("iota-dac-5").getMetadata().getUid());
  }

  @Test
  void anUnreachableApiIsAnOutageNotACommandFailure() {
    kubernetes.close();
    KubernetesClient unreachable = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(kubernetes.url()).withNamespace(NS)
            .withRequestRetryBackoffLimit(0).withConnectionTimeout(500).build())
        .build();
    try {
      KubernetesApplier down = new KubernetesApplier(unreachable, NS, new PodTemplates(Path.of("templates")), Duration.ofSeconds(1));
      assertThrows(DependencyUnavailableException.class, () -> down.apply(command("c1", Action.create, "6")));
      assertFalse(Thread.currentThread().isInterrupted());
    } finally {
      unreachable.close();
    }
  }
}
