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

    // Five scenarios for four assignors, the planner's rebuild and its load-aware re-plan; then its memory.
    assertEquals(22, rows.size());
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(23, lines.length);
    assertTrue(lines[0].startsWith("peers.first-assignment 5,000 keys / 10 members, planner: "), lines[0]);
    assertTrue(lines[20].startsWith("peers.rebuild 5,000 keys / 10 members, planner: "), lines[20]);
    assertTrue(lines[21].startsWith("peers.load-aware-re-plan 5,000 keys / 10 members, planner: "), lines[21]);
    assertTrue(lines[21].contains("within the 10 % band: true"), lines[21]);
    assertTrue(lines[22].matches("peers\\.memory 5,000 keys / 10 members, planner: \\d+\\.\\d bytes per placed resource rebuilt.*"), lines[22]);
    PeersBenchmark.Row loadAware = rows.get(21);
    assertEquals(PeersBenchmark.LOAD_AWARE, loadAware.scenario());
    assertTrue(loadAware.moves() > 0 && loadAware.moves() >= loadAware.lowerBound(), loadAware.toString());
    for (PeersBenchmark.Row row : rows) {
      if (row == loadAware) {
        continue;
      }
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
