package iota.orchestrator.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import iota.orchestrator.cli.PlanCommand;
import iota.orchestrator.model.Json;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The {@code plan} command and the live topology make the same re-orchestration, byte budget included. */
class PlanCommandAgreementTest {

  private static List<String> ids(JsonNode assignment) {
    List<String> ids = new ArrayList<>();
    assignment.get("resources").get("ids").forEach(n -> ids.add(n.asText()));
    return ids;
  }

  @Test
  void thePlanCommandAgreesWithTheTopologyWhenTheBytesSizeThePool() {
    try (TopologyFixture f = new TopologyFixture(Map.of("iota.assignment.max.bytes", "4096"))) {
      StringBuilder bulk = new StringBuilder("{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[");
      List<String> all = new ArrayList<>();
      for (int i = 0; i < 120; i++) {
        String id = String.format("t%03d-", i) + "y".repeat(115);
        all.add(id);
        bulk.append(i == 0 ? "" : ",").append('"').append(id).append('"');
      }
      f.notify(bulk.append("]}").toString());
      f.flush();
      Map<String, JsonNode> before = f.latestAssignments(new TreeMap<>());

      ObjectNode input = Json.MAPPER.createObjectNode();
      input.put("resource", "Thing");
      input.putObject("settings").put("maxInstances", 20).put("resourcePerInstance", 100).put("initInstances", 3);
      ObjectNode instances = input.putObject("instances");
      before.forEach((key, a) -> ids(a).forEach(instances.withArray(key.substring("Thing/".length()))::add));
      ArrayNode resources = input.putArray("resources");
      all.forEach(resources::add);
      StringWriter out = new StringWriter();
      CommandLine cli = new CommandLine(new PlanCommand(new ByteArrayInputStream(Json.bytes(input))));
      cli.setOut(new PrintWriter(out));
      StringWriter err = new StringWriter();
      cli.setErr(new PrintWriter(err));
      assertEquals(0, cli.execute("--input", "-", "--max-bytes", "4096"), err.toString());
      JsonNode planned = Json.tree(out.toString().getBytes(StandardCharsets.UTF_8));

      f.request("{\"requestId\":\"r1\",\"resource\":\"Thing\",\"maxInstances\":20,\"resourcePerInstance\":100,\"initInstances\":3}");
      JsonNode report = f.result().get("report");
      f.flush();
      Map<String, JsonNode> after = f.latestAssignments(before);
      after.values().removeIf(v -> v == null);

      // By count 3 instances would do; 120 ids of 122 bytes need 4 within 4096 bytes each.
      assertEquals(4, report.get("instances").asInt());
      assertEquals(4, planned.get("instances").size());
      for (var e : after.entrySet()) {
        List<String> cliIds = new ArrayList<>();
        planned.get("instances").get(e.getKey().substring("Thing/".length())).get("ids").forEach(n -> cliIds.add(n.asText()));
        assertEquals(ids(e.getValue()), cliIds, e.getKey());
      }
      assertEquals(report.get("moved").asInt(), planned.get("report").get("moved").asInt());
    }
  }
}
