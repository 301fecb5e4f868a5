package iota.orchestrator.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The benchmark at a small size: it runs, checks itself, and prints one line per figure. */
class PlannerBenchmarkTest {

  @Test
  void smallRunPrintsBothFigures() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    PlannerBenchmark.Figures figures =
        PlannerBenchmark.run(out, new PlannerBenchmark.Config(5_000, 10, 8, 1, 3, 2_000));

    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(2, lines.length);
    assertTrue(lines[0].startsWith("planner.orchestrate 5000 resources / 10 instances: "), lines[0]);
    assertTrue(lines[0].contains("(median of 3"), lines[0]);
    assertTrue(lines[1].startsWith("planner.incremental: "), lines[1]);
    assertTrue(lines[1].contains(" events/s"), lines[1]);
    assertTrue(figures.moved() > 0, "an uneven start over fewer instances must move resources");
    assertTrue(figures.eventsPerSecond() > 0);
  }
}
