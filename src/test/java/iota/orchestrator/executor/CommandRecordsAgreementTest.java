package iota.orchestrator.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import iota.orchestrator.model.AssignmentJson;
import iota.orchestrator.model.ChangeEvent;
import iota.orchestrator.model.ChangeEventParser;
import iota.orchestrator.model.EncodedIds;
import iota.orchestrator.model.InvalidRecordException;
import iota.orchestrator.model.Json;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The executor accepts every state the topology can produce from ids the edge accepted, and only those. */
class CommandRecordsAgreementTest {
  private static final String EMOJI = "\uD83D\uDE00";

  @Test
  void everyIdTheEdgeAcceptsIsAcceptedByTheExecutor() {
    List<Object> keys = List.of(new BigInteger("9".repeat(128)), EMOJI.repeat(32), "a?", "é".repeat(64), "q\"uote", "back\\slash", "...", "y".repeat(128));
    ChangeEvent e = ChangeEventParser.parse(Json.bytes(Map.of("o", "bc", "t", "Thing", "keys", keys)));
    assertEquals(keys.size(), e.ids().size());
    byte[] value = AssignmentJson.write("Thing", "4", 9, 5000, EncodedIds.of(new TreeSet<>(e.ids())), 2);
    CommandRecords.InstanceKey key = CommandRecords.key("Thing/4".getBytes(StandardCharsets.UTF_8));
    assertEquals(new TreeSet<>(e.ids()).stream().toList(), CommandRecords.assignment(key, value).resources().ids());
  }

  @Test
  void anIdTheEdgeRefusesIsRefusedByTheExecutorForTheSameReason() {
    for (String id : List.of("9".repeat(129), EMOJI.repeat(33), "a\u202Eb", "a/b")) {
      String edge = assertThrows(InvalidRecordException.class, () -> ChangeEventParser.parse(
          ("{\"o\":\"c\",\"t\":\"Thing\",\"k\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8))).getMessage();
      byte[] value = AssignmentJson.write("Thing", "4", 9, 5000, EncodedIds.of(List.of(id)), 2);
      String executor = assertThrows(InvalidRecordException.class,
          () -> CommandRecords.assignment(CommandRecords.key("Thing/4".getBytes(StandardCharsets.UTF_8)), value)).getMessage();
      assertEquals(edge.substring(edge.indexOf(' ')), executor.substring(executor.indexOf(' ')), id);
    }
  }
}
