package iota.orchestrator.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The peers comparison at a small size: every assignor runs every scenario, and the planner stays minimal. */
class PeersBenchmarkTest {

  @Test
  void smallRunComparesEveryAssignorAndThePlannerMovesTheMinimum() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    List<PeersBenchmark.Row> rows = PeersBenchmark.run(out, new PeersBenchmark.Config(5, 1_000, 10, 0, 1));

    // Five scenarios for four assignors, and the planner's rebuild.
    assertEquals(21, rows.size());
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(21, lines.length);
    assertTrue(lines[0].startsWith("peers.first-assignment 5,000 keys / 10 members, planner: "), lines[0]);
    assertTrue(lines[20].startsWith("peers.rebuild 5,000 keys / 10 members, planner: "), lines[20]);
    for (PeersBenchmark.Row row : rows) {
      if (row.assignor().equals(PeersBenchmark.PLANNER)) {
        assertEquals(row.lowerBound(), row.moves(), row.scenario());
        assertTrue(row.balance() <= 1, row.scenario());
      }
      if (row.assignor().equals("Uniform")) {
        assertTrue(row.balance() <= 1, row.scenario());
      }
      assertTrue(row.moves() >= row.lowerBound(), row.assignor() + " " + row.scenario());
    }
  }

  @Test
  void lowerBoundCountsWhatMustLeaveForLoadsWithinOne() {
    // 10 keys on 2 members (7 and 3), a third member joins: targets 4, 3, 3.
    int[] before = {0, 0, 0, 0, 0, 0, 0, 1, 1, 1};
    assertEquals(3, PeersBenchmark.lowerBound(before, 3));
    // Member 1 fails: its 3 keys move, member 0 keeps its 7.
    assertEquals(3, PeersBenchmark.lowerBound(before, 1));
    assertEquals(0, PeersBenchmark.lowerBound(new int[] {-1, -1, -1}, 2));
  }
}
