package iota.orchestrator.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The TopologyTestDriver benchmark at a small size: the one bulk create runs and prints its figure. */
class TopologyBenchmarkTest {

  @Test
  void smallBulkCreatePlacesEveryIdAndPrintsItsFigure() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    TopologyBenchmark.measureOneBulk(out, 2_000);

    String line = bytes.toString(StandardCharsets.UTF_8).strip();
    assertTrue(line.startsWith("topology.bulk one 'bc' of 2,000 at capacity 1: "), line);
    // Capacity 1 from 10 instances grows the automatic plan to its maximum of 100.
    assertTrue(line.contains("; 100 pods created, "), line);
  }
}
