package iota.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.IntegrationTest;
import iota.orchestrator.bench.ApiLoadBenchmark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A short run of the API load benchmark: two app instances, change events ingested throughout,
 * concurrent placement lookups on the owner and on the forwarding instance. Every answer must be
 * the placement read straight from the store. No timing is asserted: the throughput and latency
 * targets belong to the benchmark, not to a test on a shared machine.
 */
@IntegrationTest
class ApiLoadBenchmarkTest {

  @Test
  void everyAnswerUnderLoadAndIngestIsRightLocallyAndForwarded() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    List<ApiLoadBenchmark.Result> results =
        ApiLoadBenchmark.run(
            out,
            new ApiLoadBenchmark.Options(2_000, 1_000, Duration.ofMillis(2500), Duration.ofMillis(500), List.of(4), List.of("local", "forwarded")));
    String printed = bytes.toString(StandardCharsets.UTF_8);
    System.out.print(printed);

    assertEquals(List.of("local", "forwarded"), results.stream().map(ApiLoadBenchmark.Result::path).toList(), printed);
    for (ApiLoadBenchmark.Result r : results) {
      assertTrue(r.requests() > 0, r.path() + " sent no request: " + r);
      assertEquals(0, r.errors(), r.path() + ": wrong or failed answers, first: " + r.firstError());
      assertTrue(r.eventsPerSecond() > 0, r.path() + " ran without ingest: " + r);
    }
    assertTrue(printed.contains("0 failed"), "every change event was acknowledged:\n" + printed);
    assertTrue(!printed.contains("NOT within"), "the ingest was processed:\n" + printed);
  }
}
