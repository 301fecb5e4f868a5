package iota.orchestrator.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class AssignmentJsonTest {
  @Test
  void writesExactlyWhatDatabindWritesAndReadsBackAsTheSameAssignment() {
    List<String> ids = List.of("a", "b\"quoted\"", "ü-ünicode", "x\\y", "tab\tid", "del\u007fid", "emoji-\uD83D\uDE00",
        "line\u2028sep", "~plain-ascii_1.2:3@4", "ctl\u0001");
    TreeSet<String> sorted = new TreeSet<>(ids);
    for (int i = 0; i < 3000; i++) {
      sorted.add("thing-" + i);
    }
    byte[] fast = AssignmentJson.write("Thing", "3", 42, 5000, EncodedIds.of(sorted), 7);
    Assignment expected = Assignment.of("Thing", "3", 42, 5000, List.copyOf(sorted), 7);
    assertEquals(new String(Json.bytes(expected), StandardCharsets.UTF_8), new String(fast, StandardCharsets.UTF_8));
    assertArrayEquals(Json.bytes(expected), fast);
    assertEquals(expected, Json.read(fast, Assignment.class));
  }

  @Test
  void preconditionsTravelOnlyWhenThereAreSome() {
    Assignment plain = Assignment.of("Thing", "3", 42, 10, List.of("a"), 1);
    assertEquals(-1, new String(Json.bytes(plain), StandardCharsets.UTF_8).indexOf("after"), "absent when empty");
    Assignment giver = plain.after(List.of(new Precondition("Thing/4", 17)));
    String json = new String(Json.bytes(giver), StandardCharsets.UTF_8);
    assertEquals(true, json.endsWith(",\"after\":[{\"key\":\"Thing/4\",\"seq\":17}]}"), json);
    assertEquals(giver, Json.read(Json.bytes(giver), Assignment.class));
    assertEquals(plain, Json.read(Json.bytes(plain), Assignment.class));
    PodCommand delete = new PodCommand("c", PodCommand.Action.delete, "Thing", "5", "iota-dac", "scale-down",
        List.of(new Precondition("Thing/5", 9)));
    assertEquals(delete, Json.read(Json.bytes(delete), PodCommand.class));
    PodCommand create = new PodCommand("c", PodCommand.Action.create, "Thing", "5", "iota-dac", "grow");
    assertEquals(-1, new String(Json.bytes(create), StandardCharsets.UTF_8).indexOf("after"));
    assertEquals(create, Json.read(Json.bytes(create), PodCommand.class));
  }

  @Test
  void fastWriterWritesPreconditionsExactlyAsDatabind() {
    List<Precondition> after = List.of(new Precondition("Thing/4", 17), new Precondition("Th\"ing/12", 3));
    byte[] fast = AssignmentJson.write("Thing", "3", 42, 10, EncodedIds.of(new TreeSet<>(List.of("a", "b"))), 7, after);
    Assignment expected = Assignment.of("Thing", "3", 42, 10, List.of("a", "b"), 7).after(after);
    assertEquals(new String(Json.bytes(expected), StandardCharsets.UTF_8), new String(fast, StandardCharsets.UTF_8));
    assertEquals(expected, Json.read(fast, Assignment.class));
    assertArrayEquals(Json.bytes(Assignment.of("Thing", "3", 42, 10, List.of("a"), 7)),
        AssignmentJson.write("Thing", "3", 42, 10, EncodedIds.of(new TreeSet<>(List.of("a"))), 7, List.of()));
  }

  @Test
  void emptyInstanceHasAnEmptyIdList() {
    assertEquals("{\"resource\":\"Rule\",\"instanceId\":\"0\",\"seq\":1,\"data\":{\"used\":0,\"count\":10},"
            + "\"resources\":{\"ids\":[]},\"_reload\":{\"times\":0}}",
        new String(AssignmentJson.write("Rule", "0", 1, 10, EncodedIds.of(List.of()), 0), StandardCharsets.UTF_8));
  }

  @Test
  void typeAndInstanceNamesAreQuotedToo() {
    byte[] fast = AssignmentJson.write("Th\"ing", "ü", Long.MAX_VALUE, Integer.MAX_VALUE, EncodedIds.of(List.of("a")), Long.MIN_VALUE);
    assertArrayEquals(Json.bytes(Assignment.of("Th\"ing", "ü", Long.MAX_VALUE, Integer.MAX_VALUE, List.of("a"), Long.MIN_VALUE)), fast);
  }

  @Test
  void characterOutsideTheBasicPlaneIsWrittenAsFourBytesOfUtf8NotTwelveOfEscapes() {
    String emoji = "\uD83D\uDE00";
    String id = emoji.repeat(32);
    byte[] written = AssignmentJson.write("Thing", "0", 1, 10, EncodedIds.of(List.of(id)), 0);
    byte[] empty = AssignmentJson.write("Thing", "0", 1, 10, EncodedIds.of(List.of()), 0);
    assertEquals(Ids.utf8Length(id) + 2, written.length - empty.length, new String(written, StandardCharsets.UTF_8));
    assertEquals(id, Json.read(written, Assignment.class).resources().ids().get(0));
    assertArrayEquals(("[\"" + id + "\"]").getBytes(StandardCharsets.UTF_8), Json.bytes(List.of(id)));
  }
}
