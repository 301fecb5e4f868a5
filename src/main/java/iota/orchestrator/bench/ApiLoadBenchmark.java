package iota.orchestrator.bench;

import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.admin.TopicSpec;
import iota.orchestrator.api.ApiServer;
import iota.orchestrator.api.AppNode;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.embedded.EmbeddedKafka;
import iota.orchestrator.embedded.Ports;
import iota.orchestrator.model.StoreKey;
import iota.orchestrator.topics.Topics;
import iota.orchestrator.topology.StoreNames;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.commons.io.FileUtils;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.ThreadUtils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Load test of the REST hot path {@code GET /v1/api/orchestrations/Thing/{id}/instances} on a real
 * scaled-out app: an embedded Kafka broker, two app instances wired as production wires them
 * ({@link AppNode}; same application id, own state dir, HTTP port and {@code
 * iota.application.server}), {@code things} Things preloaded, and a producer ingesting change
 * events on {@code iota.cm-notify} at a fixed rate (creates of new ids, deletes of those, updates of
 * preloaded ids) for the whole measurement.
 *
 * <p>For each number of clients, a closed loop of that many threads (JDK {@link HttpClient},
 * HTTP/1.1, keep-alive) asks for random preloaded ids, first on the instance that owns the Thing
 * task (answered locally), then on the other one (forwarded to the owner). Every answer is checked
 * against the placements store read directly; latencies go to a preallocated array per thread.
 *
 * <p>Target on a 2-core machine (the issue): at least 2,000 requests/s with p99 at most 20 ms while
 * 1,000 change events/s are ingested, locally and through a forwarding instance. The load generator
 * runs in this JVM and shares the cores with the servers, the broker and the stream threads.
 *
 * <p>System properties: {@code bench.things} (20000), {@code bench.events} (events/s, 1000), {@code
 * bench.seconds} (measured seconds per run, 15), {@code bench.warmup} (seconds before each run is
 * measured, 3), {@code bench.clients} (comma separated, "4,8,16"), {@code bench.paths}
 * ("local,forwarded").
 */
public final class ApiLoadBenchmark {
  static final String TYPE = "Thing";
  private static final String API = ApiServer.API;
  private static final double TARGET_RPS = 2000;
  private static final double TARGET_P99_MS = 20;

  private ApiLoadBenchmark() {}

  /** What to run. */
  public record Options(int things, int eventsPerSecond, Duration measure, Duration warmup, List<Integer> clients, List<String> paths) {
    public static Options fromSystemProperties() {
      List<Integer> clients =
          Arrays.stream(System.getProperty("bench.clients", "4,8,16").split(","))
              .map(String::trim)
              .filter(s -> !s.isEmpty())
              .map(Integer::parseInt)
              .toList();
      return new Options(
          Integer.getInteger("bench.things", 20_000),
          Integer.getInteger("bench.events", 1_000),
          Duration.ofMillis((long) (Double.parseDouble(System.getProperty("bench.seconds", "15")) * 1000)),
          Duration.ofMillis((long) (Double.parseDouble(System.getProperty("bench.warmup", "3")) * 1000)),
          clients,
          List.of(System.getProperty("bench.paths", "local,forwarded").split(",")));
    }
  }

  /** One measured run: {@code path} is "local" or "forwarded". */
  public record Result(
      String path, int clients, long requests, long errors, String firstError, double perSecond,
      double p50Ms, double p99Ms, double maxMs, double eventsPerSecond, double cpuPercent, double cpuMicrosPerRequest) {
    public boolean meetsTarget() {
      return errors == 0 && perSecond >= TARGET_RPS && p99Ms <= TARGET_P99_MS;
    }

    @Override
    public String toString() {
      return String.format(
          "api.load %s: %,.0f req/s, p50 %.1f ms, p99 %.1f ms, max %.0f ms, %d errors (%d clients, %,d requests, while ingesting %,.0f events/s; process CPU %.0f%% of the machine, %.0f us per request)%s",
          path, perSecond, p50Ms, p99Ms, maxMs, errors, clients, requests, eventsPerSecond, cpuPercent, cpuMicrosPerRequest,
          firstError == null ? "" : "; first error: " + firstError);
    }
  }

  public static void main(String[] args) {
    run(System.out);
    // Kafka and Jetty leave non-daemon threads behind on some shutdown paths.
    System.exit(0);
  }

  public static void run(PrintStream out) {
    run(out, Options.fromSystemProperties());
  }

  /** Runs every client count against both paths; returns the results in the order printed. */
  public static List<Result> run(PrintStream out, Options options) {
    Path dir = tempDir();
    List<App> apps = new ArrayList<>();
    EmbeddedKafka kafka = null;
    try {
      long t0 = System.nanoTime();
      kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
      TopicSpec.createForTests(kafka.bootstrapServers(), 2);
      apps.add(App.start(kafka.bootstrapServers(), dir.resolve("state-a")));
      apps.add(App.start(kafka.bootstrapServers(), dir.resolve("state-b")));
      List<String> ids = new ArrayList<>(options.things());
      for (int i = 0; i < options.things(); i++) {
        ids.add("thing-" + i);
      }
      try (KafkaProducer<String, byte[]> producer = producer(kafka.bootstrapServers())) {
        for (int i = 0; i < ids.size(); i += 1000) {
          producer.send(record(bulkCreate(ids.subList(i, Math.min(ids.size(), i + 1000)))));
        }
        producer.flush();
      }
      App owner = awaitOwner(apps, Duration.ofSeconds(120));
      App other = apps.get(0) == owner ? apps.get(1) : apps.get(0);
      Map<String, String> expected = awaitPlaced(owner, ids, Duration.ofSeconds(120));
      out.printf(
          "api.load setup: broker + 2 app instances, %,d Things placed in %.1f s; owner of %s %s, forwarding instance %s; %d cores, load average %.1f%n",
          ids.size(), (System.nanoTime() - t0) / 1e9, TYPE, owner.hostPort, other.hostPort,
          Runtime.getRuntime().availableProcessors(), loadAverage());

      Target local = new Target("local", owner.port(), ids, expected);
      Target forwarded = new Target("forwarded", other.port(), ids, expected);
      List<Result> results = new ArrayList<>();
      try (Ingest ingest = Ingest.start(kafka.bootstrapServers(), ids, options.eventsPerSecond())) {
        // What the ingest alone costs, so the CPU per request below can be read against it.
        long cpu0 = CpuTime.process();
        long wall0 = System.nanoTime();
        sleep(Math.min(5_000, options.measure().toMillis()));
        out.printf(
            "api.load ingest alone: process CPU %.0f%% of the machine at %,d events/s%n",
            100.0 * (CpuTime.process() - cpu0) / (System.nanoTime() - wall0) / Runtime.getRuntime().availableProcessors(),
            options.eventsPerSecond());
        // Warm both paths (JIT, connection pools) before anything is measured.
        load(local, options.clients().get(0), options.warmup(), Duration.ZERO, ingest);
        load(forwarded, options.clients().get(0), options.warmup(), Duration.ZERO, ingest);
        for (int clients : options.clients()) {
          for (Target target : List.of(local, forwarded)) {
            if (!options.paths().contains(target.name)) {
              continue;
            }
            Result r = load(target, clients, options.warmup(), options.measure(), ingest);
            out.println(r + String.format(", load average %.1f", loadAverage()));
            results.add(r);
          }
        }
        String last = ingest.lastCreated();
        long lagMs = last == null ? -1 : awaitAnswer(owner, last, Duration.ofSeconds(30));
        out.printf(
            "api.load ingest: %,d change events sent (%,d acknowledged, %d failed); the last created id was placed %s%n",
            ingest.sent(), ingest.acked(), ingest.failed(), lagMs < 0 ? "NOT within 30 s" : lagMs + " ms after the producer stopped");
      }
      for (String path : List.of("local", "forwarded")) {
        Result best =
            results.stream()
                .filter(r -> r.path().equals(path) && r.meetsTarget())
                .max(Comparator.comparingDouble(Result::perSecond))
                .orElse(null);
        out.println(
            best == null
                ? "api.load " + path + ": no client count met the target (>= 2,000 req/s, p99 <= 20 ms, 0 errors)"
                : "api.load best " + path + " meeting the target: " + best);
      }
      return results;
    } finally {
      for (App app : apps) {
        app.close();
      }
      if (kafka != null) {
        kafka.close();
      }
      FileUtils.deleteQuietly(dir.toFile());
    }
  }

  // ---- the load loop

  /** One endpoint under test, with the requests and the expected answers prepared up front. */
  static final class Target {
    final String name;
    final HttpRequest[] requests;
    final String[] expected;

    Target(String name, int port, List<String> ids, Map<String, String> expectedRunIn) {
      this.name = name;
      this.requests = new HttpRequest[ids.size()];
      this.expected = new String[ids.size()];
      for (int i = 0; i < ids.size(); i++) {
        String id = ids.get(i);
        requests[i] =
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + API + "/" + TYPE + "/" + id + "/instances"))
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build();
        expected[i] = "{\"runIn\":\"" + expectedRunIn.get(id) + "\"}";
      }
    }
  }

  /**
   * A closed loop of {@code clients} threads sharing one HTTP/1.1 client: each sends a request for a
   * random id, waits for the answer, checks it, and sends the next. Requests started during {@code
   * warmup} are neither timed nor counted.
   */
  static Result load(Target target, int clients, Duration warmup, Duration measure, Ingest ingest) {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    ExecutorService pool = Executors.newFixedThreadPool(clients, ThreadUtils.createThreadFactory("api-load-client", true));
    long began = System.nanoTime();
    long measureStart = began + warmup.toNanos();
    long end = measureStart + measure.toNanos();
    long sentBefore = ingest.sent();
    try {
      List<Future<Client>> futures = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int capacity = (int) Math.min(5_000_000, Math.max(1024, measure.toSeconds() * 10_000 / clients));
        futures.add(pool.submit(() -> new Client(capacity).loop(http, target, measureStart, end)));
      }
      // Process CPU over the measured window: unlike wall-clock figures it barely depends on what
      // else runs on the machine, so it compares two builds fairly.
      sleepUntil(measureStart);
      long cpu0 = CpuTime.process();
      List<Client> done = new ArrayList<>();
      for (Future<Client> f : futures) {
        done.add(f.get());
      }
      long cpuNanos = CpuTime.process() - cpu0;
      long events = ingest.sent() - sentBefore;
      double seconds = (System.nanoTime() - began) / 1e9;
      return summarize(target.name, clients, done, measure.toNanos() / 1e9, events / Math.max(seconds, 1e-9), cpuNanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("load client failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private static Result summarize(String path, int clients, List<Client> done, double seconds, double eventsPerSecond, long cpuNanos) {
    Percentiles latencies = new Percentiles();
    long errors = 0;
    String firstError = null;
    for (Client c : done) {
      for (int i = 0; i < c.count; i++) {
        latencies.record(c.nanos[i]);
      }
      errors += c.errors;
      if (firstError == null) {
        firstError = c.firstError;
      }
    }
    int n = (int) latencies.count();
    return new Result(path, clients, n, errors, firstError, seconds > 0 ? n / seconds : 0,
        latencies.at(50) / 1e6, latencies.at(99) / 1e6, latencies.max() / 1e6, eventsPerSecond,
        seconds > 0 ? 100.0 * cpuNanos / 1e9 / seconds / Runtime.getRuntime().availableProcessors() : 0,
        n == 0 ? 0 : cpuNanos / 1e3 / n);
  }

  /** One virtual user: its latencies in nanoseconds and its failures. */
  private static final class Client {
    long[] nanos;
    int count;
    long errors;
    String firstError;

    Client(int capacity) {
      nanos = new long[capacity];
    }

    Client loop(HttpClient http, Target target, long measureStart, long end) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      while (true) {
        long t0 = System.nanoTime();
        if (t0 >= end) {
          return this;
        }
        int i = random.nextInt(target.requests.length);
        String problem;
        try {
          HttpResponse<String> r = http.send(target.requests[i], HttpResponse.BodyHandlers.ofString());
          problem = r.statusCode() == 200 && r.body().equals(target.expected[i]) ? null : r.statusCode() + " " + r.body();
        } catch (IOException e) {
          problem = e.toString();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return this;
        }
        long t1 = System.nanoTime();
        if (t0 < measureStart) {
          continue;
        }
        if (count == nanos.length) {
          nanos = Arrays.copyOf(nanos, nanos.length * 2);
        }
        nanos[count++] = t1 - t0;
        if (problem != null) {
          errors++;
          if (firstError == null) {
            firstError = target.requests[i].uri().getPath() + ": " + problem;
          }
        }
      }
    }
  }

  // ---- ingest

  /**
   * Change events at a fixed rate on {@code iota.cm-notify}, in ticks of 10 ms: of every four
   * events, two create a new id, one deletes the oldest id created here (while more than a thousand
   * are alive, else updates) and one updates a random preloaded Thing. Preloaded Things are never
   * deleted or moved, so their expected answers hold throughout.
   */
  static final class Ingest implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final ScheduledExecutorService timer;
    private final List<String> preloaded;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final int perTick;
    private long created;
    private long deleted;
    private volatile String lastCreated;

    private Ingest(String bootstrap, List<String> preloaded, int eventsPerSecond) {
      this.producer = producer(bootstrap);
      this.preloaded = preloaded;
      this.perTick = Math.max(1, eventsPerSecond / 100);
      this.timer = Executors.newSingleThreadScheduledExecutor(ThreadUtils.createThreadFactory("api-load-ingest", true));
    }

    static Ingest start(String bootstrap, List<String> preloaded, int eventsPerSecond) {
      Ingest ingest = new Ingest(bootstrap, preloaded, eventsPerSecond);
      if (eventsPerSecond > 0) {
        ingest.timer.scheduleAtFixedRate(ingest::tick, 0, 10, TimeUnit.MILLISECONDS);
      }
      return ingest;
    }

    private void tick() {
      for (int i = 0; i < perTick; i++) {
        long n = sent.get();
        String json;
        switch ((int) (n % 4)) {
          case 0, 1 -> {
            String id = "churn-" + created++;
            json = change("c", id);
            lastCreated = id;
          }
          case 2 -> json = created - deleted > 1000 ? change("d", "churn-" + deleted++) : change("u", randomPreloaded());
          default -> json = change("u", randomPreloaded());
        }
        producer.send(record(json), (md, e) -> (e == null ? acked : failed).incrementAndGet());
        sent.incrementAndGet();
      }
    }

    private String randomPreloaded() {
      return preloaded.get(ThreadLocalRandom.current().nextInt(preloaded.size()));
    }

    private static String change(String op, String id) {
      return "{\"o\":\"" + op + "\",\"t\":\"" + TYPE + "\",\"k\":{\"id\":\"" + id + "\"}}";
    }

    long sent() {
      return sent.get();
    }

    long acked() {
      return acked.get();
    }

    long failed() {
      return failed.get();
    }

    String lastCreated() {
      return lastCreated;
    }

    @Override
    public void close() {
      timer.shutdown();
      try {
        timer.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      producer.close(Duration.ofSeconds(10));
    }
  }

  // ---- the app instances

  /** One app instance as production wires it ({@link AppNode}), with its own port and state dir. */
  static final class App implements AutoCloseable {
    final String hostPort;
    final AppNode node;

    private App(AppNode node, String hostPort) {
      this.hostPort = hostPort;
      this.node = node;
    }

    static App start(String bootstrap, Path stateDir) {
      int port = Ports.free();
      Map<String, String> flags = new HashMap<>();
      flags.put(ConfigKeys.BOOTSTRAP_SERVERS.name(), bootstrap);
      flags.put(ConfigKeys.APPLICATION_ID.name(), "api-load-bench");
      flags.put(ConfigKeys.STATE_DIR.name(), stateDir.toString());
      flags.put(ConfigKeys.HTTP_HOST.name(), "127.0.0.1");
      flags.put(ConfigKeys.HTTP_PORT.name(), Integer.toString(port));
      flags.put(ConfigKeys.APPLICATION_SERVER.name(), "127.0.0.1:" + port);
      return new App(AppNode.start(OrchestratorConfig.of(flags)), "127.0.0.1:" + port);
    }

    KafkaStreams kafkaStreams() {
      return node.streams().streams();
    }

    int port() {
      return node.api().port();
    }

    @Override
    public void close() {
      node.close(Duration.ofSeconds(30));
    }
  }

  /** The instance whose active task holds the Thing partition, once both are RUNNING. */
  private static App awaitOwner(List<App> apps, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (apps.stream().allMatch(a -> a.kafkaStreams().state() == KafkaStreams.State.RUNNING)) {
        KeyQueryMetadata md = apps.get(0).kafkaStreams().queryMetadataForKey(StoreNames.PLACEMENTS, TYPE, Serdes.String().serializer());
        if (md != null && md.activeHost() != null && !md.activeHost().equals(HostInfo.unavailable())) {
          String owner = md.activeHost().host() + ":" + md.activeHost().port();
          for (App a : apps) {
            if (a.hostPort.equals(owner)) {
              return a;
            }
          }
        }
      }
      sleep(200);
    }
    throw new IllegalStateException("the app instances did not reach RUNNING with an owner of " + TYPE + " within " + timeout);
  }

  /** Reads every preloaded id's instance straight from the owner's placements store. */
  private static Map<String, String> awaitPlaced(App owner, List<String> ids, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        ReadOnlyKeyValueStore<String, String> store =
            owner.kafkaStreams().store(StoreQueryParameters.fromNameAndType(StoreNames.PLACEMENTS, QueryableStoreTypes.<String, String>keyValueStore()));
        Map<String, String> placed = new HashMap<>();
        for (String id : ids) {
          String instance = store.get(StoreKey.of(TYPE, id));
          if (instance == null) {
            break;
          }
          placed.put(id, instance);
        }
        if (placed.size() == ids.size()) {
          return placed;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      sleep(200);
    }
    throw new IllegalStateException("the preloaded " + TYPE + "s were not all placed within " + timeout, last);
  }

  /** Milliseconds until the owner's API answers 200 for {@code id}, or -1. */
  private static long awaitAnswer(App owner, String id, Duration timeout) {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + owner.port() + API + "/" + TYPE + "/" + id + "/instances")).build();
    long t0 = System.nanoTime();
    while (System.nanoTime() - t0 < timeout.toNanos()) {
      try {
        if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return (System.nanoTime() - t0) / 1_000_000;
        }
      } catch (IOException e) {
        // try again
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
      sleep(20);
    }
    return -1;
  }

  // ---- Kafka helpers

  static KafkaProducer<String, byte[]> producer(String bootstrap) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ProducerConfig.LINGER_MS_CONFIG, 5,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
  }

  private static ProducerRecord<String, byte[]> record(String json) {
    return new ProducerRecord<>(Topics.CM_NOTIFY.name(), "cm/notify", json.getBytes(StandardCharsets.UTF_8));
  }

  private static String bulkCreate(List<String> ids) {
    return ids.stream().map(id -> "{\"id\":\"" + id + "\"}").collect(Collectors.joining(",", "{\"o\":\"bc\",\"t\":\"" + TYPE + "\",\"keys\":[", "]}"));
  }

  // ---- plumbing

  private static void sleepUntil(long nanoTime) {
    long ms = (nanoTime - System.nanoTime()) / 1_000_000;
    if (ms > 0) {
      sleep(ms);
    }
  }

  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("iota-api-load");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
