package iota.orchestrator.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The benchmark at a small size: it runs, checks itself, and prints one line per figure. */
class PlannerBenchmarkTest {

  @Test
  void smallRunPrintsEveryFigure() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    PlannerBenchmark.Figures figures =
        PlannerBenchmark.run(out, new PlannerBenchmark.Config(5_000, 10, 8, 1, 3, 2_000, 20_000));

    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(4, lines.length);
    assertTrue(lines[0].startsWith("planner.orchestrate 5000 resources / 10 instances: "), lines[0]);
    assertTrue(lines[0].contains("(median of 3"), lines[0]);
    assertTrue(lines[1].startsWith("planner.incremental: "), lines[1]);
    assertTrue(lines[1].contains(" events/s"), lines[1]);
    assertTrue(lines[2].startsWith("planner.bulk 'bc' of 20,000 at capacity 1, max 10 instances: "), lines[2]);
    assertTrue(lines[2].contains("19,990 beyond capacity, 0 refused"), lines[2]);
    assertTrue(lines[3].startsWith("planner.bulk 'bc' of 20,000 at capacity 1, max 5 instances: "), lines[3]);
    assertTrue(figures.moved() > 0, "an uneven start over fewer instances must move resources");
    assertTrue(figures.eventsPerSecond() > 0);
  }
}
