package iota.orchestrator.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.api.PlanReader;
import iota.orchestrator.api.PlanStores;
import iota.orchestrator.api.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The operation time limit of a pod start, through the real topology on a TopologyTestDriver. */
class PodStartTimeoutTopologyTest {
  private TopologyFixture f;

  private void start(Map<String, String> overrides) {
    f = new TopologyFixture(overrides);
  }

  @AfterEach
  void stop() {
    if (f != null) {
      f.close();
    }
  }

  private void status(String type, String id, String phase, String uid) {
    String pod = (type.equals("Rule") ? "iota-rules-engine-" : "iota-dac-") + id;
    String json = "{\"resource\":\"" + type + "\",\"instanceId\":\"" + id + "\",\"podName\":\"" + pod + "\",\"phase\":\"" + phase
        + "\",\"uid\":\"" + uid + "\",\"gone\":false,\"observedAt\":1}";
    f.podStatus.pipeInput(type + "/" + id, json.getBytes(StandardCharsets.UTF_8));
  }

  private void advanceSeconds(int seconds) {
    for (int i = 0; i < seconds; i++) {
      f.advance(Duration.ofSeconds(1));
    }
  }

  @Test
  void aPodNotRunningWithinTheStartTimeoutIsRecreatedOnceWithTheReasonInTheHealth() {
    start(Map.of("iota.resource.rule.init.instances", "2", "iota.pod.start.timeout", "5m"));
    f.notify("{\"o\":\"c\",\"t\":\"Rule\",\"k\":{\"id\":\"r\"}}");
    assertEquals(2, f.commands().size(), "two creates");
    status("Rule", "0", "Pending", "u0");
    status("Rule", "1", "Pending", "u1");
    status("Rule", "1", "Running", "u1");

    advanceSeconds(299);
    assertTrue(f.podCommands.isEmpty(), "not before the limit");
    advanceSeconds(2);
    List<JsonNode> commands = f.commands();
    assertEquals(1, commands.size(), commands.toString());
    JsonNode recreate = commands.get(0);
    assertEquals("recreate", recreate.get("action").asText());
    assertEquals("0", recreate.get("instanceId").asText());
    String reason = "pod iota-rules-engine-0 not Running within 300000 ms of its create (last phase Pending)";
    assertEquals(reason, recreate.get("reason").asText());

    KeyValueStore<String, InstanceState> instances = f.instances();
    KeyValueStore<String, String> placements = f.placements();
    KeyValueStore<String, TypeState> types = f.driver.getKeyValueStore(StoreNames.TYPES);
    Reply plan = new PlanReader(90_000).plan(f.config.resourceTypes().get(1), PlanStores.of(placements, f.byInstance(), instances, types), System.currentTimeMillis(), true);
    JsonNode health = TopologyFixture.tree(plan.body()).get("instances").get("0").get("health");
    assertEquals(reason, health.get("lastRecreateReason").asText());
    assertTrue(health.get("startPending").asBoolean());
    assertEquals(1, types.get("Rule").startTimeouts());
    assertEquals(1, types.get("Rule").recreates());

    // No storm: the replacement is still not Running, but it is not recreated again before another limit.
    // (The first recreate went out at 300 s; the clock is at 301 s.)
    status("Rule", "0", "Pending", "u0b");
    advanceSeconds(298);
    assertTrue(f.podCommands.isEmpty(), () -> f.commands().toString());
    advanceSeconds(2);
    commands = f.commands();
    assertEquals(1, commands.size());
    assertTrue(commands.get(0).get("reason").asText().contains("of its recreate (last phase Pending)"), commands.toString());
    assertEquals(2, f.driver.<String, TypeState>getKeyValueStore(StoreNames.TYPES).get("Rule").startTimeouts());
  }

  @Test
  void aLateRunningStatusOfTheReplacedPodDoesNotCountAsTheNewPodsStart() {
    start(Map.of("iota.resource.rule.init.instances", "2", "iota.pod.start.timeout", "2m"));
    f.notify("{\"o\":\"c\",\"t\":\"Rule\",\"k\":{\"id\":\"r\"}}");
    f.commands();
    status("Rule", "0", "Running", "u0");
    status("Rule", "1", "Running", "u1");
    status("Rule", "1", "Failed", "u1");
    assertEquals("recreate", f.commands().get(0).get("action").asText());
    status("Rule", "1", "Running", "u1");
    advanceSeconds(121);
    List<JsonNode> commands = f.commands();
    assertEquals(1, commands.size(), "the old pod's Running is not the replacement's start");
    assertEquals("1", commands.get(0).get("instanceId").asText());
    assertTrue(commands.get(0).get("reason").asText().startsWith("pod iota-rules-engine-1 not Running within 120000 ms"));
  }

  @Test
  void aRunningReplacementIsNotRecreated() {
    start(Map.of("iota.resource.rule.init.instances", "2", "iota.pod.start.timeout", "2m"));
    f.notify("{\"o\":\"c\",\"t\":\"Rule\",\"k\":{\"id\":\"r\"}}");
    f.commands();
    status("Rule", "0", "Running", "u0");
    status("Rule", "1", "Failed", "u1");
    f.commands();
    status("Rule", "1", "Pending", "u1b");
    status("Rule", "1", "Running", "u1b");
    advanceSeconds(400);
    assertTrue(f.podCommands.isEmpty());
    assertFalse(f.instances().get("Rule/1").startPending());
  }

  @Test
  void heartbeatsEndThePendingStartWhateverThePodWatcherReported() {
    start(Map.of("iota.resource.thing.init.instances", "2", "iota.pod.start.timeout", "60s", "iota.heartbeat.timeout", "90s"));
    f.notify("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"a\"}}");
    f.commands();
    for (int t = 0; t < 150; t += 10) {
      f.heartbeat("Thing", 0);
      f.heartbeat("Thing", 1);
      advanceSeconds(10);
    }
    assertTrue(f.podCommands.isEmpty(), "no pod status was ever seen, but both workers heartbeat");
  }

  @Test
  void aStartShorterThanTheHeartbeatTimeoutIsJudgedOnTimeForAnInstanceCreatedBetweenChecks() {
    start(Map.of("iota.resource.thing.init.instances", "2", "iota.resource.thing.resource.per.instance", "1",
        "iota.pod.start.timeout", "60s", "iota.heartbeat.timeout", "90s"));
    f.notify("{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[\"a\",\"b\"]}");
    f.commands();
    for (int t = 0; t < 70; t += 10) {
      f.heartbeat("Thing", 0);
      f.heartbeat("Thing", 1);
      advanceSeconds(10);
    }
    // At 70 s the last check (at 60 s) cached the heartbeat deadlines, all 80 s or more away.
    f.notify("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"c\"}}");
    List<JsonNode> created = f.commands();
    assertEquals("create", created.get(0).get("action").asText());
    assertEquals("2", created.get(0).get("instanceId").asText());
    for (int t = 70; t < 129; t += 1) {
      if (t % 10 == 0) {
        f.heartbeat("Thing", 0);
        f.heartbeat("Thing", 1);
      }
      advanceSeconds(1);
    }
    assertTrue(f.podCommands.isEmpty());
    advanceSeconds(2);
    List<JsonNode> commands = f.commands();
    assertEquals(1, commands.size(), "judged at its own deadline (130 s), not at the next heartbeat one (160 s)");
    assertEquals("pod iota-dac-2 not Running within 60000 ms of its create (no pod status seen)", commands.get(0).get("reason").asText());
  }
}
