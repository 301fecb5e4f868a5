package iota.orchestrator.e2e;

import static iota.orchestrator.e2e.E2e.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import iota.orchestrator.IntegrationTest;
import iota.orchestrator.autoscale.PodSample;
import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.embedded.EmbeddedPlatform;
import iota.orchestrator.autoscale.PodMetrics;
import iota.orchestrator.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Measured load through the whole embedded platform: the executor's poller asks the SIMULATED
 * metrics.k8s.io with fabric8's real client, the simulated usage follows the resources ZooKeeper
 * lists per instance, and a load changed over REST shows in the next rounds on the topic.
 */
@IntegrationTest
class PodMetricsEndToEndTest {
  private static EmbeddedPlatform platform;
  private static ChangeFeed feed;
  private static ZooKeeperPlan zookeeper;
  private static KafkaConsumer<byte[], byte[]> consumer;
  private static final AtomicReference<PodMetrics> lastThing = new AtomicReference<>();

  @BeforeAll
  static void startPlatform() {
    platform = EmbeddedPlatform.start(EmbeddedPlatform.Options.defaults(E2e.dataDir("pod-metrics")),
        E2e.config(Map.of("iota.metrics.interval", "500ms")));
    feed = new ChangeFeed(platform.ready().mqtt());
    zookeeper = new ZooKeeperPlan(platform.ready().zookeeper(), platform.config().get(ConfigKeys.ZOOKEEPER_ROOT));
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.ready().kafka());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "pod-metrics-e2e");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(Topics.POD_METRICS.name()));
  }

  @AfterAll
  static void stopPlatform() throws Exception {
    if (consumer != null) {
      consumer.close();
    }
    if (feed != null) {
      feed.close();
    }
    if (zookeeper != null) {
      zookeeper.close();
    }
    if (platform != null) {
      platform.close();
    }
  }

  /** The latest Thing round read so far, after reading what has arrived. */
  private static PodMetrics latestThing() {
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
      PodMetrics m = PodMetrics.parse(r.value());
      if (m.resource().equals("Thing")) {
        lastThing.set(m);
      }
    }
    return lastThing.get();
  }

  private static boolean allMeasured(PodMetrics m, int pods) {
    return m != null && m.metrics() == PodMetrics.Api.available && m.instances().size() == pods
        && m.instances().values().stream().allMatch(i -> i.state() == PodSample.State.MEASURED && i.ready());
  }

  private static double cpu(PodMetrics m) {
    return m.instances().values().stream().mapToDouble(PodMetrics.Instance::cpuMillis).sum();
  }

  @Test
  void simulatedUsageFollowsThePlanAndTheLoadSetOverRest() throws Exception {
    feed.bulkCreate("Thing", E2e.ids("load", 30));
    await().until(() -> zookeeper.placements("Thing").size() == 30);

    // 3 pods idle at 50m each, plus 30 resources at 0.2m; the noise is 2 % a pod.
    PodMetrics before = await().until(PodMetricsEndToEndTest::latestThing, m -> allMeasured(m, 3) && Math.abs(cpu(m) - 156) < 156 * 0.08);
    assertEquals(250, before.instances().get("0").cpuRequestMillis());
    assertEquals(256.0 * 1024 * 1024, before.instances().get("0").memoryRequestBytes());

    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(platform.ready().http() + "/v1/api/simulation/load/Thing"))
            .header("Authorization", "Bearer " + platform.apiToken()).header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString("{\"cpuMillis\": 10, \"memoryMiB\": 1}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());

    // 150m idle + 30 x 10m.
    await().until(PodMetricsEndToEndTest::latestThing, m -> allMeasured(m, 3) && Math.abs(cpu(m) - 450) < 450 * 0.08);
  }
}
