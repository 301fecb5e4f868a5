package iota.orchestrator.topology;

import iota.orchestrator.config.OrchestratorConfig;
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
 * would at 50,000 events/s). Target on a 2-core machine: 50,000 create events/s or more.
 */
public final class TopologyBenchmark {
  private TopologyBenchmark() {}

  public static void main(String[] args) {
    run(System.out, args.length > 0 ? Integer.parseInt(args[0]) : 200_000);
  }

  public static void run(PrintStream out, int events) {
    measure(out, "warm-up", events / 4, 1);
    double single = measure(out, "topology.create (single 'c')", events, 1);
    double bulk = measure(out, "topology.create (bulk 'bc' of 100)", events, 100);
    out.printf("topology: %,.0f single creates/s, %,.0f resources/s in bulk creates (target >= 50,000/s)%n", single, bulk);
  }

  private static double measure(PrintStream out, String label, int resources, int perEvent) {
    Path dir = tempDir();
    OrchestratorConfig config = OrchestratorConfig.of(Map.of(
        "iota.bootstrap.servers", "bench:9092",
        "iota.state.dir", dir.toString(),
        "iota.processing.guarantee", System.getProperty("guarantee", "exactly_once_v2")));
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    try (TopologyTestDriver driver = new TopologyTestDriver(OrchestratorTopology.build(config), OrchestratorTopology.properties(config), start)) {
      TestInputTopic<String, byte[]> in = driver.createInputTopic(Topics.CM_NOTIFY, new StringSerializer(), new ByteArraySerializer());
      TestOutputTopic<String, String> assignments = driver.createOutputTopic(Topics.ASSIGNMENTS, new StringDeserializer(), new StringDeserializer());
      TestOutputTopic<String, String> commands = driver.createOutputTopic(Topics.POD_COMMANDS, new StringDeserializer(), new StringDeserializer());
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
