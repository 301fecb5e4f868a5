package iota.orchestrator.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.deadletter.DeadLetter;
import iota.orchestrator.deadletter.DeadLetterHeaders;
import iota.orchestrator.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** The limits at the edge of the topology: ids, record sizes, bulk inputs, dead letters. */
class EdgeLimitsTopologyTest {
  /** The smallest limit the configuration takes: values up to 12 KiB. */
  private static final Map<String, String> SMALL_RECORDS = Map.of(
      "iota.record.max.bytes", "16384",
      "iota.resource.thing.init.instances", "1",
      "iota.resource.thing.resource.per.instance", "4999");

  private static String bulkCreate(String table, List<String> ids) {
    StringBuilder keys = new StringBuilder();
    for (String id : ids) {
      keys.append(keys.length() == 0 ? "" : ",").append("{\"id\":\"").append(id).append("\"}");
    }
    return "{\"o\":\"bc\",\"t\":\"" + table + "\",\"keys\":[" + keys + "]}";
  }

  private static List<String> ids(String prefix, int n, int length) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = prefix + i + "-";
      ids.add(id + "x".repeat(length - id.length()));
    }
    return ids;
  }

  @Test
  void aTwoHundredDigitIntegerIdIsDeadLetteredAndNeverPlaced() {
    try (TopologyFixture f = new TopologyFixture()) {
      String digits = "7".repeat(200);
      f.notify("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":" + digits + "}}");
      f.notify("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":12}}");
      List<TestRecord<byte[], byte[]>> dead = f.dlq.readRecordsToList();
      assertEquals(1, dead.size());
      assertTrue(TopologyFixture.header(dead.get(0), DeadLetterHeaders.MESSAGE).contains("k.id is longer than 128 bytes"));
      assertNull(f.placements().get("Thing/" + digits));
      assertNotNull(f.placements().get("Thing/12"));
    }
  }

  @Test
  void anAssignmentOverTheRecordLimitIsDeadLetteredSmallAndTheStreamGoesOn() {
    try (TopologyFixture f = new TopologyFixture(SMALL_RECORDS)) {
      // 120 ids of 120 bytes: one instance's assignment of about 14.7 KB, over the 12 KiB limit.
      f.notify(bulkCreate("Thing", ids("t", 120, 120)));
      f.flush();
      List<TestRecord<byte[], byte[]>> dead = f.dlq.readRecordsToList();
      assertEquals(1, dead.size(), "one refused assignment");
      TestRecord<byte[], byte[]> letter = dead.get(0);
      assertEquals("Thing/0", new String(letter.key(), StandardCharsets.UTF_8));
      assertEquals(Topics.ASSIGNMENTS.name(), TopologyFixture.header(letter, DeadLetterHeaders.OUTPUT_TOPIC));
      assertTrue(TopologyFixture.header(letter, DeadLetterHeaders.MESSAGE).contains("over the limit of 12288 bytes"),
          TopologyFixture.header(letter, DeadLetterHeaders.MESSAGE));
      assertTrue(Integer.parseInt(TopologyFixture.header(letter, DeadLetterHeaders.ORIGINAL_BYTES)) > 14_000);
      assertEquals(DeadLetter.PREFIX_BYTES, letter.value().length, "a prefix, never the payload");
      assertTrue(new String(letter.value(), StandardCharsets.UTF_8).startsWith("{\"resource\":\"Thing\",\"instanceId\":\"0\""));
      Map<String, JsonNode> written = f.latestAssignments(new HashMap<>());
      assertTrue(!written.containsKey("Thing/0"), "the oversized assignment is not written");

      // The stream goes on: the next change is placed and written.
      f.notify("{\"o\":\"c\",\"t\":\"Rule\",\"k\":{\"id\":\"r1\"}}");
      f.flush();
      assertNotNull(f.placements().get("Rule/r1"));
      assertTrue(f.latestAssignments(new HashMap<>()).values().stream()
          .anyMatch(a -> a != null && a.get("resources").get("ids").toString().contains("r1")));
    }
  }

  @Test
  void aBulkTooLargeForOneRepartitionRecordIsPlacedInChunks() {
    Map<String, String> config = new HashMap<>(SMALL_RECORDS);
    config.put("iota.resource.thing.init.instances", "10");
    config.put("iota.resource.thing.resource.per.instance", "100");
    try (TopologyFixture f = new TopologyFixture(config, OrchestratorTopology.Routing.BY_TYPE)) {
      // 600 ids of 60 bytes: about 37 KB once re-encoded, three times what one record may hold.
      List<String> ids = ids("b", 600, 60);
      f.notify(bulkCreate("Thing", ids));
      f.flush();
      assertTrue(f.dlq.isEmpty(), () -> "nothing dead-lettered: " + f.dlq.readRecordsToList().stream()
          .map(r -> TopologyFixture.header(r, DeadLetterHeaders.MESSAGE)).toList());
      for (String id : ids) {
        assertNotNull(f.placements().get("Thing/" + id), id);
      }
    }
  }

  @Test
  void chunkingDependsOnTheMessageNotOnTheRouting() {
    Map<String, String> config = new HashMap<>(SMALL_RECORDS);
    config.put("iota.resource.thing.init.instances", "10");
    config.put("iota.resource.thing.resource.per.instance", "100");
    Map<String, JsonNode> byType;
    Map<String, JsonNode> direct;
    try (TopologyFixture f = new TopologyFixture(config, OrchestratorTopology.Routing.BY_TYPE)) {
      f.notify(bulkCreate("Thing", ids("b", 600, 60)));
      f.flush();
      byType = f.latestAssignments(new HashMap<>());
    }
    try (TopologyFixture f = new TopologyFixture(config, OrchestratorTopology.Routing.DIRECT)) {
      f.notify(bulkCreate("Thing", ids("b", 600, 60)));
      f.flush();
      direct = f.latestAssignments(new HashMap<>());
    }
    assertEquals(byType, direct, "same placements and reload counters either way, so a replay agrees");
  }

  @Test
  void aDeadLetterOfAHugeInputHoldsAPrefixNotThePayload() {
    try (TopologyFixture f = new TopologyFixture(SMALL_RECORDS)) {
      String huge = "{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"" + "z".repeat(40_000) + "\"}}";
      f.notify(huge);
      f.notify("not json but small");
      List<TestRecord<byte[], byte[]>> dead = f.dlq.readRecordsToList();
      assertEquals(2, dead.size());
      assertEquals(DeadLetter.PREFIX_BYTES, dead.get(0).value().length);
      assertEquals(String.valueOf(huge.length()), TopologyFixture.header(dead.get(0), DeadLetterHeaders.ORIGINAL_BYTES));
      assertTrue(TopologyFixture.header(dead.get(0), DeadLetterHeaders.MESSAGE).contains("k.id is longer than 128 bytes"));
      assertEquals("not json but small", new String(dead.get(1).value(), StandardCharsets.UTF_8), "small inputs keep their bytes");
    }
  }
}
