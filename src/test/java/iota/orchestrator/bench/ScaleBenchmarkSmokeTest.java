package iota.orchestrator.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.IntegrationTest;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scale benchmark at a small size (20,000 Things, 50,000 events per topology run): every phase
 * runs, every figure is produced and printed with its target, and the plan restored after the
 * kill -9 equals the plan before it. The figures themselves are not checked: on two shared cores
 * they say little.
 */
@IntegrationTest
class ScaleBenchmarkSmokeTest {
  @Test
  void benchmarkProducesEveryFigureAndTheRestoredPlanEqualsTheOriginal() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(new Tee(bytes, System.out), true, StandardCharsets.UTF_8);

    ScaleBenchmark.Result r = ScaleBenchmark.run(out, new ScaleBenchmark.Settings(20_000, 50_000, Duration.ofMinutes(3)));

    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(List.of(), r.planDifferences(), printed);
    assertEquals(20_001, r.planResources(), "20,000 Things and one Rule");
    for (double figure : new double[] {r.ingestSeconds(), r.summaryP50Ms(), r.summaryP99Ms(), r.instancesP50Ms(), r.instancesP99Ms(),
        r.readySeconds(), r.firstChangeSeconds(), r.zooKeeperRestoredSeconds(), r.storesRestoredSeconds()}) {
      assertTrue(figure > 0 && Double.isFinite(figure), printed);
    }
    assertTrue(r.residentBytes() > 0 && r.heapUsedBytes() > 0, printed);
    for (TopologyThroughput.Result t : List.of(r.single(), r.bulk())) {
      assertEquals(50_000, t.resources());
      assertEquals(0, t.deadLettered(), printed);
      assertTrue(t.perSecond() > 0 && t.perSecondOnOwnCore() > 0, printed);
    }
    assertEquals(50, r.bulk().messages());
    for (String line : List.of("scale.ingest: 20,000 Things", "scale.memory after ingest: resident ", "scale.api summary at 20,000 Things: p50 ",
        "scale.api instances at 20,000 Things: p50 ", "scale.restart after kill -9 at 20,000 Things: READY in ",
        "scale.restart first change", "scale.restart plan restored", "scale.topology single creates: ", "scale.topology bulk creates of 1000: ",
        "scale.topology single creates: the stream thread's CPU: ")) {
      assertTrue(printed.contains(line), line + " missing in:\n" + printed);
    }
    assertTrue(printed.contains("[target <= 60 s]") && printed.contains("[target >= 50,000/s]"), printed);
  }

  /** Keeps what the benchmark prints for the assertions and shows it in the test's output as it runs. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
