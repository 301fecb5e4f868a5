package iota.orchestrator.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.deadletter.DeadLetterHeaders;
import iota.orchestrator.model.Assignment;
import iota.orchestrator.model.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** The pool bound and the byte budget through the whole topology. */
class TopologyBoundsTest {

  private static String bulk(String prefix, int n, int pad) {
    StringBuilder sb = new StringBuilder("{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"id\":\"").append(prefix).append(String.format("%04d", i)).append("x".repeat(pad)).append("\"}");
    }
    return sb.append("]}").toString();
  }

  private static int creates(List<JsonNode> commands) {
    return (int) commands.stream().filter(c -> c.get("action").asText().equals("create")).count();
  }

  private static int placed(TopologyFixture f) {
    int n = 0;
    try (var it = f.placements().all()) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }

  @Test
  void aBulkCreateAfterAnOrchestrateNeverGrowsThePoolBeyondMaxInstances() {
    try (TopologyFixture f = new TopologyFixture()) {
      f.notify("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"first\"}}");
      f.request("{\"requestId\":\"r1\",\"resource\":\"Thing\",\"resourcePerInstance\":1,\"maxInstances\":5,\"initInstances\":3}");
      assertEquals(200, f.result().get("status").asInt());
      f.flush();
      f.commands();
      f.latestAssignments(new TreeMap<>());

      f.notify(bulk("t", 200, 0));
      f.flush();

      assertEquals(2, creates(f.commands()), "from 3 instances to the maximum of 5, no further");
      Map<String, JsonNode> plan = f.latestAssignments(new TreeMap<>());
      assertEquals(new TreeSet<>(List.of("Thing/0", "Thing/1", "Thing/2", "Thing/3", "Thing/4")), new TreeSet<>(plan.keySet()));
      assertEquals(201, placed(f), "nothing is left unplaced");
      int live = 0;
      try (var it = f.instances().all()) {
        while (it.hasNext()) {
          var kv = it.next();
          if (kv.key.startsWith("Thing/") && !kv.value.removed()) {
            live++;
            assertTrue(kv.value.used() >= 40 && kv.value.used() <= 41, kv.toString());
          }
        }
      }
      assertEquals(5, live);
    }
  }

  @Test
  void theAutomaticPlanGrowsOnlyToTheConfiguredMaximum() {
    try (TopologyFixture f = new TopologyFixture(Map.of(
        "iota.resource.thing.init.instances", "2",
        "iota.resource.thing.max.instances", "4",
        "iota.resource.thing.resource.per.instance", "1"))) {
      f.notify(bulk("t", 50, 0));
      assertEquals(4, creates(f.commands()));
      assertEquals(50, placed(f));
    }
  }

  @Test
  void noAssignmentPassesTheByteBudgetAndWhatFitsNowhereIsDeadLetteredAsABulkCreate() {
    try (TopologyFixture f = new TopologyFixture(Map.of(
        "iota.assignment.max.bytes", "4096",
        "iota.resource.thing.init.instances", "3",
        "iota.resource.thing.max.instances", "3"))) {
      // Ids of 109 characters (111 bytes and a comma): 36 fit one 4096-byte resources znode, 108 the pool.
      f.notify(bulk("long-", 150, 100));
      f.flush();

      Map<String, JsonNode> plan = f.latestAssignments(new TreeMap<>());
      int total = 0;
      for (var e : plan.entrySet()) {
        List<String> ids = new ArrayList<>();
        e.getValue().get("resources").get("ids").forEach(n -> ids.add(n.asText()));
        int bytes = Json.bytes(new Assignment.Resources(ids)).length;
        assertTrue(bytes <= 4096, e.getKey() + " writes " + bytes);
        total += ids.size();
      }
      assertEquals(3, plan.size());
      assertEquals(108, total);
      assertEquals(108, placed(f));

      // 42 refused ids do not fit one record of the budget either: two bulk creates.
      List<TestRecord<byte[], byte[]>> dead = f.dlq.readRecordsToList();
      assertEquals(2, dead.size());
      List<String> refused = new ArrayList<>();
      for (TestRecord<byte[], byte[]> r : dead) {
        assertTrue(r.value().length <= 4096, "a dead letter of " + r.value().length + " bytes");
        JsonNode change = Json.tree(r.value());
        assertEquals("bc", change.get("o").asText());
        assertEquals("Thing", change.get("t").asText());
        change.get("keys").forEach(k -> refused.add(k.asText()));
        String reason = TopologyFixture.header(r, DeadLetterHeaders.MESSAGE);
        assertTrue(reason.contains("42 Thing resource(s) not placed") && reason.contains("iota.assignment.max.bytes 4096"), reason);
      }
      assertEquals(42, refused.size());
      assertEquals("long-0108" + "x".repeat(100), refused.get(0));

      // The stream goes on: a short id still finds the bytes left over.
      f.notify("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"s\"}}");
      assertTrue(f.placements().get("Thing/s") != null);
    }
  }
}
