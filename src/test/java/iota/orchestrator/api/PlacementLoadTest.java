package iota.orchestrator.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.IntegrationTest;
import iota.orchestrator.admin.TopicSpec;
import iota.orchestrator.embedded.EmbeddedKafka;
import iota.orchestrator.model.Json;
import iota.orchestrator.topology.StoreNames;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hot path under concurrent load: placement lookups answered locally by the owner and forwarded
 * by the other instance. Every answer must be right; the latencies are printed so a regression is
 * visible, with a bound loose enough for a shared two-core test machine.
 */
@IntegrationTest
class PlacementLoadTest {
  private static final String API = ApiServer.API;
  private static final int RESOURCES = 500;
  private static final int CLIENTS = 8;
  private static final int REQUESTS_PER_CLIENT = 500;

  @TempDir static Path dir;
  static EmbeddedKafka kafka;
  static final List<RunningApp> apps = new ArrayList<>();
  static final Map<String, String> expected = new HashMap<>();

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
    TopicSpec.createForTests(kafka.bootstrapServers(), 2);
    Map<String, String> overrides = Map.of("iota.resource.thing.init.instances", "5", "iota.resource.thing.resource.per.instance", "200");
    apps.add(RunningApp.start(kafka.bootstrapServers(), "api-load", dir.resolve("state-a"), true, overrides));
    apps.add(RunningApp.start(kafka.bootstrapServers(), "api-load", dir.resolve("state-b"), true, overrides));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < RESOURCES; i++) {
      ids.add("thing-" + i);
    }
    try (KafkaProducer<String, byte[]> producer = RunningApp.producer(kafka.bootstrapServers())) {
      RunningApp.bulkCreate(producer, "Thing", ids);
    }
    await().atMost(Duration.ofSeconds(90)).until(() -> apps.stream().allMatch(RunningApp::running));
    await().atMost(Duration.ofSeconds(60)).until(() -> apps.get(0).http.get(API + "/Thing/thing-" + (RESOURCES - 1) + "/instances").statusCode() == 200);
    for (String id : ids) {
      HttpResponse<String> r = apps.get(0).http.get(API + "/Thing/" + id + "/instances");
      expected.put(id, Json.tree(r.body().getBytes(StandardCharsets.UTF_8)).get("runIn").asText());
    }
  }

  @AfterAll
  static void stop() {
    apps.forEach(RunningApp::close);
    if (kafka != null) kafka.close();
  }

  @Test
  void placementLookupsStayCorrectUnderConcurrentLoadLocallyAndForwarded() throws Exception {
    KeyQueryMetadata md = apps.get(0).streams.queryMetadataForKey(StoreNames.PLACEMENTS, "Thing", new StringSerializer());
    String ownerHost = md.activeHost().host() + ":" + md.activeHost().port();
    for (RunningApp app : apps) {
      String path = app.hostPort.equals(ownerHost) ? "local" : "forwarded";
      Result r = run(app);
      System.out.printf(
          "placement lookups %s: %d requests, %d clients, %.0f req/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
          path, r.latenciesNanos.length, CLIENTS, r.perSecond(), r.percentileMs(50), r.percentileMs(99), r.percentileMs(100));
      assertEquals(0, r.wrong.get(), path + ": wrong or failed answers");
      assertTrue(r.percentileMs(99) < 1000, path + ": p99 " + r.percentileMs(99) + " ms");
    }
  }

  private Result run(RunningApp app) throws Exception {
    long[] latencies = new long[CLIENTS * REQUESTS_PER_CLIENT];
    AtomicInteger wrong = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    long start = System.nanoTime();
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        futures.add(
            pool.submit(
                () -> {
                  Http http = new Http(app.server.port());
                  for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
                    String id = "thing-" + ((client * 7919 + i * 31) % RESOURCES);
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = http.get(API + "/Thing/" + id + "/instances");
                    latencies[client * REQUESTS_PER_CLIENT + i] = System.nanoTime() - t0;
                    if (r.statusCode() != 200 || !r.body().equals("{\"runIn\":\"" + expected.get(id) + "\"}")) {
                      wrong.incrementAndGet();
                    }
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    return new Result(latencies, System.nanoTime() - start, wrong);
  }

  private record Result(long[] latenciesNanos, long elapsedNanos, AtomicInteger wrong) {
    double perSecond() {
      return latenciesNanos.length / (elapsedNanos / 1e9);
    }

    double percentileMs(int p) {
      long[] sorted = latenciesNanos.clone();
      Arrays.sort(sorted);
      int index = Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1);
      return sorted[Math.max(0, index)] / 1e6;
    }
  }
}
