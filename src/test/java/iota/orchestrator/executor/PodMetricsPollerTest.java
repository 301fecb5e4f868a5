package iota.orchestrator.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.IntegrationTest;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Duration;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.ContainerMetricsBuilder;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetricsBuilder;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetricsListBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import iota.orchestrator.autoscale.PodSample;
import iota.orchestrator.embedded.SimulatedKubernetes;
import iota.orchestrator.embedded.SimulatedKubernetes.MetricsApi.Answer;
import iota.orchestrator.autoscale.PodMetrics;
import iota.orchestrator.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The poller's real {@code top()} path against fabric8's mock server serving metrics.k8s.io beside CRUD. */
@IntegrationTest
class PodMetricsPollerTest {
  private static final String NS = "iota";
  private static final long NOW = 1_764_650_000_000L;
  private static final String SAMPLED_AT = "2025-12-02T04:00:00Z";
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private SimulatedKubernetes kubernetes;
  private KubernetesClient client;
  private final List<PodMetrics> published = new CopyOnWriteArrayList<>();
  private final List<String> metricsRequests = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    kubernetes = SimulatedKubernetes.start(0);
    // No retries: the 503 case would otherwise wait out the client's backoff.
    client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(kubernetes.url()).withNamespace(NS)
        .withRequestRetryBackoffLimit(0).build()).build();
  }

  @AfterEach
  void stop() {
    client.close();
    kubernetes.close();
  }

  private PodMetricsPoller poller() {
    return new PodMetricsPoller(client, NS, List.of("Thing", "Rule"), published::add, Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC),
        java.time.Duration.ofMillis(100));
  }

  private void pod(String name, String resource, String id, String cpuRequest, String memoryRequest) {
    ContainerBuilder container = new ContainerBuilder().withName("worker").withImage("w");
    if (cpuRequest != null) {
      container.withNewResources().addToRequests("cpu", new Quantity(cpuRequest)).addToRequests("memory", new Quantity(memoryRequest)).endResources();
    }
    Pod pod = client.pods().inNamespace(NS).resource(new PodBuilder()
        .withNewMetadata().withName(name)
        .addToLabels(PodTemplates.LABEL_MANAGED_BY, PodTemplates.MANAGED_BY)
        .addToLabels(PodTemplates.LABEL_RESOURCE, resource)
        .addToLabels(PodTemplates.LABEL_INSTANCE_ID, id).endMetadata()
        .withNewSpec().withContainers(container.build()).endSpec().build()).create();
    pod.setStatus(new PodStatusBuilder().withPhase("Running").withStartTime("2025-12-02T03:00:00Z")
        .addNewCondition().withType("Ready").withStatus("True").endCondition().build());
    client.pods().inNamespace(NS).resource(pod).updateStatus();
  }

  private static io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics usage(String pod, String cpu, String memory) {
    return new PodMetricsBuilder().withNewMetadata().withName(pod).withNamespace(NS).endMetadata()
        .withTimestamp(SAMPLED_AT).withWindow(new Duration(java.time.Duration.ofSeconds(15)))
        .withContainers(new ContainerMetricsBuilder().withName("worker").addToUsage("cpu", new Quantity(cpu)).addToUsage("memory", new Quantity(memory)).build())
        .build();
  }

  /** Serves the given samples as metrics-server would, recording each list request's label selector. */
  private void serve(io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics... samples) {
    kubernetes.serveMetrics((ns, name, labels) -> {
      metricsRequests.add(ns + " " + name + " " + labels);
      return new Answer(200, JSON.asJson(new PodMetricsListBuilder().withItems(samples).build()));
    });
  }

  private PodMetrics round(String resource) {
    return published.stream().filter(r -> r.resource().equals(resource)).reduce((a, b) -> b).orElseThrow();
  }

  @Test
  void measuredPodIsJoinedWithItsRequests() {
    pod("iota-dac-0", "Thing", "0", "250m", "256Mi");
    serve(usage("iota-dac-0", "61500000n", "100Mi"));

    poller().pollOnce();

    PodMetrics thing = round("Thing");
    assertEquals(PodMetrics.Api.available, thing.metrics());
    assertEquals(NOW, thing.at());
    PodMetrics.Instance i = thing.instances().get("0");
    assertEquals(new PodMetrics.Instance("iota-dac-0", PodSample.State.MEASURED, 61.5, 100.0 * 1024 * 1024, 250, 256.0 * 1024 * 1024, true,
        Instant.parse("2025-12-02T03:00:00Z").toEpochMilli(), Instant.parse(SAMPLED_AT).toEpochMilli(), 15_000), i);
    assertEquals(List.of("iota null {" + PodTemplates.LABEL_MANAGED_BY + "=" + PodTemplates.MANAGED_BY + "}"), metricsRequests);
  }

  @Test
  void podWithoutRequestsAndPodMissingFromTheAnswerAreSaidSo() {
    pod("iota-dac-0", "Thing", "0", null, null);
    pod("iota-dac-1", "Thing", "1", "250m", "256Mi");
    serve(usage("iota-dac-0", "40m", "90Mi"));

    poller().pollOnce();

    Map<String, PodMetrics.Instance> instances = round("Thing").instances();
    assertEquals(PodSample.State.NO_REQUESTS, instances.get("0").state());
    assertEquals(40.0, instances.get("0").cpuMillis());
    assertEquals(0, instances.get("0").cpuRequestMillis());
    assertEquals(PodSample.State.MISSING_METRICS, instances.get("1").state());
    assertNull(instances.get("1").cpuMillis());
    assertEquals(250, instances.get("1").cpuRequestMillis());
  }

  @Test
  void everyTypeGetsARoundEvenWithoutPods() {
    serve();
    poller().pollOnce();
    assertEquals(List.of("Thing", "Rule"), published.stream().map(PodMetrics::resource).toList());
    assertTrue(round("Rule").instances().isEmpty());
  }

  @Test
  void clusterWithoutMetricsServerIsReportedUnavailable() {
    pod("iota-dac-0", "Thing", "0", "250m", "256Mi");
    kubernetes.serveMetrics(null);

    poller().pollOnce();

    PodMetrics thing = round("Thing");
    assertEquals(PodMetrics.Api.unavailable, thing.metrics());
    assertTrue(thing.error().contains("404"), thing.error());
    assertEquals(PodSample.State.MISSING_METRICS, thing.instances().get("0").state());
  }

  @Test
  void metricsServerNotServingIsReportedUnavailable() {
    pod("iota-dac-0", "Thing", "0", "250m", "256Mi");
    kubernetes.serveMetrics((ns, name, labels) -> new Answer(503,
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"the server is currently unable to handle the request\",\"reason\":\"ServiceUnavailable\",\"code\":503}"));

    poller().pollOnce();

    PodMetrics thing = round("Thing");
    assertEquals(PodMetrics.Api.unavailable, thing.metrics());
    assertTrue(thing.error().contains("503"), thing.error());
    assertEquals(PodSample.State.MISSING_METRICS, thing.instances().get("0").state());
  }

  @Test
  void publishedRecordIsKeyedByTypeStampedWithTheRoundAndParses() {
    pod("iota-dac-0", "Thing", "0", "250m", "256Mi");
    serve(usage("iota-dac-0", "61500000n", "100Mi"));
    MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    PodMetricsPoller poller = new PodMetricsPoller(client, NS, List.of("Thing"), PodMetricsPoller.kafkaSink(producer),
        Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC), java.time.Duration.ofSeconds(1));

    List<PodMetrics> rounds = poller.pollOnce();

    ProducerRecord<byte[], byte[]> record = producer.history().get(0);
    assertEquals(Topics.POD_METRICS.name(), record.topic());
    assertEquals("Thing", new String(record.key(), StandardCharsets.UTF_8));
    assertEquals(NOW, record.timestamp());
    assertEquals(rounds.get(0), PodMetrics.parse(record.value()));
  }

  @Test
  void startedPollerSamplesEveryIntervalUntilClosed() {
    pod("iota-dac-0", "Thing", "0", "250m", "256Mi");
    serve(usage("iota-dac-0", "50m", "96Mi"));
    PodMetricsPoller poller = poller();
    poller.start();
    try {
      await().atMost(java.time.Duration.ofSeconds(10)).until(() -> published.size() >= 6);
    } finally {
      poller.close();
    }
    int after = published.size();
    serve(usage("iota-dac-0", "50m", "96Mi"));
    metricsRequests.clear();
    await().during(java.time.Duration.ofMillis(400)).atMost(java.time.Duration.ofSeconds(2)).until(metricsRequests::isEmpty);
    assertEquals(after, published.size());
  }
}
