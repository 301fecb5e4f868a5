package iota.orchestrator.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.model.ChangeEvent;
import iota.orchestrator.model.ChangeEvent.Op;
import iota.orchestrator.model.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class InputParsersTest {
  /** Tables as costly to encode as a valid id can be: escaped quotes and backslashes, 3-byte chars. */
  private static final List<String> COSTLY_TABLES = List.of("\"".repeat(128), "\\".repeat(128), "€".repeat(42), "T");

  @Test
  void theEnvelopeBoundIsNeverBelowTheEncodedEnvelope() {
    for (Op op : Op.values()) {
      String rawOp = op == Op.OTHER ? "truncate" : op.code();
      for (String table : COSTLY_TABLES) {
        for (boolean dependent : new boolean[] {false, true}) {
          int encoded = Json.bytes(Input.change(new ChangeEvent(op, rawOp, table, List.of()), dependent)).length;
          long bound = InputParsers.ENVELOPE_FIXED_BYTES + 6L * (rawOp.length() + table.length());
          assertTrue(encoded <= bound, op + " of a " + table.length() + "-char table encodes to " + encoded + " > " + bound);
        }
      }
    }
  }

  @Test
  void aSingleChangeThatFitsIsPassedOnAsItIs() {
    ChangeEvent create = new ChangeEvent(Op.CREATE, "c", "Thing", List.of("t-1"));
    List<ChangeEvent> chunks = InputParsers.chunks(create, 2_000);
    assertEquals(1, chunks.size());
    assertSame(create, chunks.get(0));
  }
}
