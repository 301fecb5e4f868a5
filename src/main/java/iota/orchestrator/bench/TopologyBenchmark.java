package iota.orchestrator.bench;

import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.topics.Topics;
import iota.orchestrator.topology.OrchestratorTopology;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.commons.io.FileUtils;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * Throughput of the whole topology in a {@link TopologyTestDriver} with its real RocksDB stores:
 * single {@code c} events and bulk {@code bc} events through parse, repartition, placement, stores
 * and assignment flushes (the wall clock advances 20 ms every 1,000 events, so flushes run as they
 * would at 50,000 events/s). Target on a 2-core machine: 50,000 create events/s or more. Then one
 * {@code bc} of 1,000,000 ids at capacity 1 (the automatic plan of 10 instances grows to the
 * maximum of 100 and places the rest beyond capacity): seconds, within one record.
 */
public final class TopologyBenchmark {
  private TopologyBenchmark() {}

  /** The number of events, or {@code bulk N} for just the one bulk create of N ids. */
  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("bulk")) {
      measureOneBulk(System.out, args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000);
      return;
    }
    run(System.out, args.length > 0 ? Integer.parseInt(args[0]) : 200_000);
  }

  public static void run(PrintStream out, int events) {
    measure(out, "warm-up", events / 4, 1);
    double single = measure(out, "topology.create (single 'c')", events, 1);
    double bulk = measure(out, "topology.create (bulk 'bc' of 100)", events, 100);
    out.printf("topology: %,.0f single creates/s, %,.0f resources/s in bulk creates (target >= 50,000/s)%n", single, bulk);
    measureOneBulk(out, 1_000_000);
  }

  /**
   * One {@code bc} of {@code ids} ids of Thing at capacity 1, from the first event of the type to
   * the flush of its assignments; returns the elapsed ms.
   */
  static long measureOneBulk(PrintStream out, int ids) {
    Path dir = tempDir();
    OrchestratorConfig config = OrchestratorConfig.of(Map.of(
        ConfigKeys.BOOTSTRAP_SERVERS.name(), "bench:9092",
        ConfigKeys.STATE_DIR.name(), dir.toString(),
        ConfigKeys.RESOURCE_PER_INSTANCE.of("Thing").name(), "1",
        ConfigKeys.PROCESSING_GUARANTEE.name(), System.getProperty("guarantee", "exactly_once_v2")));
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    try (TopologyTestDriver driver = new TopologyTestDriver(OrchestratorTopology.build(config), OrchestratorTopology.properties(config), start)) {
      TestInputTopic<String, byte[]> in = driver.createInputTopic(Topics.CM_NOTIFY.name(), new StringSerializer(), new ByteArraySerializer());
      TestOutputTopic<String, String> assignments = driver.createOutputTopic(Topics.ASSIGNMENTS.name(), new StringDeserializer(), new StringDeserializer());
      TestOutputTopic<String, String> commands = driver.createOutputTopic(Topics.POD_COMMANDS.name(), new StringDeserializer(), new StringDeserializer());
      StringBuilder sb = new StringBuilder(32 + ids * 16).append("{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[");
      for (int i = 0; i < ids; i++) {
        sb.append(i == 0 ? "\"" : ",\"").append("thing-").append(i).append('"');
      }
      byte[] payload = sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
      long c0 = CpuTime.currentThread();
      long t0 = System.nanoTime();
      in.pipeInput("cm/notify", payload);
      // Past the flush interval, which follows the commit interval under exactly-once.
      driver.advanceWallClockTime(Duration.ofSeconds(1));
      long nanos = System.nanoTime() - t0;
      long cpu = CpuTime.currentThread() - c0;
      int written = assignments.readRecordsToList().size();
      int pods = commands.readRecordsToList().size();
      out.printf("topology.bulk one 'bc' of %,d at capacity 1: %,d ms (thread CPU %,d ms; %,d pods created, %,d assignments written)%n",
          ids, nanos / 1_000_000, cpu / 1_000_000, pods, written);
      return nanos / 1_000_000;
    } finally {
      FileUtils.deleteQuietly(dir.toFile());
    }
  }

  private static double measure(PrintStream out, String label, int resources, int perEvent) {
    Path dir = tempDir();
    OrchestratorConfig config = OrchestratorConfig.of(Map.of(
        ConfigKeys.BOOTSTRAP_SERVERS.name(), "bench:9092",
        ConfigKeys.STATE_DIR.name(), dir.toString(),
        ConfigKeys.PROCESSING_GUARANTEE.name(), System.getProperty("guarantee", "exactly_once_v2")));
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    try (TopologyTestDriver driver = new TopologyTestDriver(OrchestratorTopology.build(config), OrchestratorTopology.properties(config), start)) {
      TestInputTopic<String, byte[]> in = driver.createInputTopic(Topics.CM_NOTIFY.name(), new StringSerializer(), new ByteArraySerializer());
      TestOutputTopic<String, String> assignments = driver.createOutputTopic(Topics.ASSIGNMENTS.name(), new StringDeserializer(), new StringDeserializer());
      TestOutputTopic<String, String> commands = driver.createOutputTopic(Topics.POD_COMMANDS.name(), new StringDeserializer(), new StringDeserializer());
      int events = resources / perEvent;
      byte[][] payloads = new byte[events][];
      for (int i = 0; i < events; i++) {
        payloads[i] = payload(i, perEvent);
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < events; i++) {
        in.pipeInput("cm/notify", payloads[i]);
        if (i % 1000 == 999) {
          driver.advanceWallClockTime(Duration.ofMillis(20));
          // The driver keeps every output in memory; drain it as a consumer would.
          assignments.readRecordsToList();
          commands.readRecordsToList();
        }
      }
      driver.advanceWallClockTime(Duration.ofMillis(20));
      long nanos = System.nanoTime() - t0;
      double perSecond = resources / (nanos / 1e9);
      if (!label.equals("warm-up")) {
        out.printf("%s: %,d resources in %,d events, %,d ms, %,.0f resources/s%n", label, resources, events, nanos / 1_000_000, perSecond);
      }
      return perSecond;
    } finally {
      FileUtils.deleteQuietly(dir.toFile());
    }
  }

  private static byte[] payload(int event, int perEvent) {
    StringBuilder sb = new StringBuilder(64 + perEvent * 24);
    if (perEvent == 1) {
      sb.append("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"thing-").append(event).append("\"},\"instance\":{\"id\":\"thing-").append(event).append("\",\"name\":\"bench\"}}");
    } else {
      sb.append("{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[");
      for (int j = 0; j < perEvent; j++) {
        if (j > 0) sb.append(',');
        sb.append("{\"id\":\"thing-").append(event).append('-').append(j).append("\"}");
      }
      sb.append("]}");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "iota-bench");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
