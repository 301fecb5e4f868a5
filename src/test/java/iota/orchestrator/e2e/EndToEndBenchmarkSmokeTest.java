package iota.orchestrator.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.IntegrationTest;
import iota.orchestrator.bench.EndToEndBenchmark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The end-to-end benchmark at a toy size: every phase runs and every figure is printed. Its
 * numbers are not checked here; on two shared cores they say nothing.
 */
@IntegrationTest
class EndToEndBenchmarkSmokeTest {
  @Test
  void benchmarkRunsEveryPhaseAndPrintsEveryFigure() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    EndToEndBenchmark.Result result = EndToEndBenchmark.measure(out, new EndToEndBenchmark.Settings(200, Duration.ofSeconds(2), 500, 1_000, Duration.ofSeconds(1), Duration.ofSeconds(1)));

    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(0, result.missing(), printed);
    assertEquals(400, result.latencyEvents());
    assertTrue(result.p50Ms() > 0 && result.p50Ms() <= result.p99Ms() && result.p99Ms() <= result.maxMs(), printed);
    assertTrue(result.singleRate() > 0 && result.bulkRate() > 0, printed);
    assertTrue(printed.contains("e2e.latency at 200 events/s: p50 "), printed);
    assertTrue(printed.contains("e2e.stages p50/p99 (ms): MQTT->Kafka "), printed);
    assertTrue(printed.contains(", flushed->znode written "), printed);
    assertTrue(printed.matches("(?s).*e2e\\.commits: [0-9,]+ \\(one per [0-9]+ ms\\); each blocked the stream thread: flush .*"), printed);
    assertTrue(printed.contains("the JVM used "), printed);
    assertTrue(printed.contains("e2e.cpu by thread (cores):\n  "), printed);
    assertTrue(printed.contains("e2e.throughput single creates: "), printed);
    assertTrue(printed.contains("e2e.throughput bulk creates: "), printed);
  }
}
