package iota.orchestrator.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class AssignmentJsonTest {
  @Test
  void writesExactlyWhatDatabindWritesAndReadsBackAsTheSameAssignment() {
    List<String> ids = List.of("a", "b\"quoted\"", "ü-ünicode", "x\\y", "tab\tid");
    TreeSet<String> sorted = new TreeSet<>(ids);
    byte[] fast = AssignmentJson.write("Thing", "3", 42, 5000, sorted, 7);
    Assignment expected = Assignment.of("Thing", "3", 42, 5000, List.copyOf(sorted), 7);
    assertArrayEquals(Json.bytes(expected), fast);
    assertEquals(expected, Json.read(fast, Assignment.class));
  }

  @Test
  void emptyInstanceHasAnEmptyIdList() {
    assertEquals("{\"resource\":\"Rule\",\"instanceId\":\"0\",\"seq\":1,\"data\":{\"used\":0,\"count\":10},"
            + "\"resources\":{\"ids\":[]},\"_reload\":{\"times\":0}}",
        new String(AssignmentJson.write("Rule", "0", 1, 10, List.of(), 0), java.nio.charset.StandardCharsets.UTF_8));
  }
}
