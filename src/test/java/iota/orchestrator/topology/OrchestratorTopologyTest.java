package iota.orchestrator.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.deadletter.DeadLetterHeaders;
import iota.orchestrator.model.Json;
import iota.orchestrator.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OrchestratorTopologyTest {
  private TopologyFixture f;
  private final Map<String, JsonNode> plan = new TreeMap<>();

  @BeforeEach
  void start() {
    f = new TopologyFixture(Map.of(
        "iota.resource.thing.init.instances", "3",
        "iota.resource.thing.resource.per.instance", "2",
        "iota.resource.rule.init.instances", "2"));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private Map<String, JsonNode> plan() {
    f.flush();
    return f.latestAssignments(plan);
  }

  private List<String> ids(String key) {
    List<String> out = new ArrayList<>();
    plan.get(key).get("resources").get("ids").forEach(n -> out.add(n.asText()));
    return out;
  }

  private long reload(String key) {
    return plan.get(key).get("_reload").get("times").asLong();
  }

  /** The by-instance index as {@code <Resource>/<instanceId>/<resourceId>} keys, from the store. */
  private Set<String> indexKeys() {
    Set<String> keys = new TreeSet<>();
    try (var it = f.byInstance().all()) {
      it.forEachRemaining(kv -> keys.add(kv.key));
    }
    return keys;
  }

  /** The same keys as the placements store implies them. */
  private Set<String> placementKeys() {
    Set<String> keys = new TreeSet<>();
    try (var it = f.placements().all()) {
      it.forEachRemaining(kv -> {
        int slash = kv.key.indexOf('/');
        keys.add(kv.key.substring(0, slash) + "/" + kv.value + "/" + kv.key.substring(slash + 1));
      });
    }
    return keys;
  }

  @Test
  void byInstanceIndexFollowsEveryPlacementChange() {
    f.notify("{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"c\"},{\"id\":\"d\"},{\"id\":\"e\"},{\"id\":\"f\"},{\"id\":\"g\"}]}");
    f.notify("{\"o\":\"c\",\"t\":\"Rule\",\"k\":{\"id\":\"r1\"}}");
    assertEquals(8, indexKeys().size());
    assertEquals(placementKeys(), indexKeys(), "after creates");
    f.notify("{\"o\":\"d\",\"t\":\"Thing\",\"k\":{\"id\":\"b\"}}");
    f.notify("{\"o\":\"bd\",\"t\":\"Thing\",\"where\":{\"id\":[\"c\",\"nope\"]}}");
    assertEquals(placementKeys(), indexKeys(), "after deletes");
    f.request("{\"requestId\":\"q1\",\"resource\":\"Thing\",\"maxInstances\":10,\"resourcePerInstance\":1,\"initInstances\":3}");
    f.flush();
    assertEquals(placementKeys(), indexKeys(), "after a re-orchestration that moves resources");
    f.request("{\"requestId\":\"q2\",\"resource\":\"Thing\",\"maxInstances\":10,\"resourcePerInstance\":4,\"initInstances\":3}");
    f.flush();
    assertEquals(placementKeys(), indexKeys(), "after a re-orchestration that deletes instances");
    assertEquals(6, indexKeys().size());
  }

  @Test
  void byInstanceIndexIsFilledForStoresWrittenBeforeItExisted() {
    // Before the task's first tick, as a task that starts on stores from an older version finds them.
    f.notify("{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"c\"}]}");
    Set<String> expected = placementKeys();
    for (String key : indexKeys()) {
      f.byInstance().delete(key);
    }
    assertEquals(Set.of(), indexKeys());
    f.flush();
    assertEquals(expected, indexKeys());
  }

  @Test
  void firstEventCreatesTheAutomaticPlanAndPlacesTheResource() {
    f.notify("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"t1\"},\"instance\":{\"id\":\"t1\",\"name\":\"x\"}}");
    List<JsonNode> commands = f.commands();
    assertEquals(3, commands.size());
    for (int i = 0; i < 3; i++) {
      assertEquals("create", commands.get(i).get("action").asText());
      assertEquals(String.valueOf(i), commands.get(i).get("instanceId").asText());
      assertEquals("iota-dac", commands.get(i).get("instanceName").asText());
    }
    plan();
    assertEquals(List.of("Thing/0", "Thing/1", "Thing/2"), List.copyOf(plan.keySet()));
    assertEquals(List.of("t1"), ids("Thing/0"));
    assertEquals(1, plan.get("Thing/0").get("data").get("used").asInt());
    assertEquals(2, plan.get("Thing/0").get("data").get("count").asInt());
    assertEquals(List.of(), ids("Thing/1"));
    assertEquals("0", f.placements().get("Thing/t1"));
  }

  @Test
  void underExactlyOnceEveryChangeWaitsForTheFlushAndABurstIsOneWritePerInstance() {
    f.notify("{\"o\":\"c\",\"t\":\"Rule\",\"k\":{\"id\":\"r0\"}}");
    f.flush();
    f.assignments.readRecordsToList();
    f.advance(Duration.ofSeconds(1));
    f.notify("{\"o\":\"c\",\"t\":\"Rule\",\"k\":{\"id\":\"r1\"}}");
    assertEquals(List.of(), f.assignments.readRecordsToList(),
        "nothing is seen before a commit, so even a lone change waits for the flush that precedes it");
    for (int i = 2; i < 12; i++) {
      f.notify("{\"o\":\"c\",\"t\":\"Rule\",\"k\":{\"id\":\"r" + i + "\"}}");
    }
    assertEquals(List.of(), f.assignments.readRecordsToList());
    f.flush();
    assertEquals(Map.of("Rule/0", 1L, "Rule/1", 1L), writesPerKey(), "one write per instance for the whole burst");
  }

  @Test
  void underAtLeastOnceALoneChangeIsWrittenAtOnceAndABurstIsCoalescedIntoOneWritePerFlush() {
    f.close();
    f = new TopologyFixture(Map.of("iota.processing.guarantee", "at_least_once", "iota.resource.rule.init.instances", "2"));
    f.notify("{\"o\":\"c\",\"t\":\"Rule\",\"k\":{\"id\":\"r0\"}}");
    f.flush();
    f.assignments.readRecordsToList();
    f.advance(Duration.ofSeconds(1));
    f.notify("{\"o\":\"c\",\"t\":\"Rule\",\"k\":{\"id\":\"r1\"}}");
    List<TestRecord<String, String>> immediate = f.assignments.readRecordsToList();
    assertEquals(1, immediate.size(), "written without waiting for a flush");
    assertEquals("Rule/1", immediate.get(0).key());
    for (int i = 2; i < 12; i++) {
      f.notify("{\"o\":\"c\",\"t\":\"Rule\",\"k\":{\"id\":\"r" + i + "\"}}");
    }
    List<TestRecord<String, String>> duringBurst = f.assignments.readRecordsToList();
    assertEquals(List.of("Rule/0"), duringBurst.stream().map(TestRecord::key).toList(),
        "only the instance that was still quiet is written at once; the rest of the burst waits for the flush");
    f.flush();
    assertEquals(Map.of("Rule/0", 1L, "Rule/1", 1L), writesPerKey(), "one write per instance for the whole burst");
  }

  private Map<String, Long> writesPerKey() {
    Map<String, Long> writes = new TreeMap<>();
    f.assignments.readRecordsToList().forEach(r -> writes.merge(r.key(), 1L, Long::sum));
    return writes;
  }

  /**
   * Assignments are patched from the ids each instance gained or lost since its last write; after
   * any mix of changes, each written list must still be exactly what the placements store holds.
   */
  @Test
  void everyWrittenIdListMatchesThePlacementsAfterARandomMixOfChanges() {
    Random rnd = new Random(11);
    Set<String> live = new TreeSet<>();
    for (int step = 0; step < 60; step++) {
      int op = rnd.nextInt(10);
      if (op < 4) {
        String id = "t" + rnd.nextInt(40);
        f.notify("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"" + id + "\"}}");
        live.add(id);
      } else if (op < 6) {
        List<String> ids = new ArrayList<>();
        for (int i = rnd.nextInt(5); i >= 0; i--) {
          ids.add("t" + rnd.nextInt(40));
        }
        ids.add(ids.get(0));
        f.notify("{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":" + Json.MAPPER.valueToTree(ids) + "}");
        live.addAll(ids);
      } else if (op < 8) {
        String id = "t" + rnd.nextInt(40);
        f.notify("{\"o\":\"bd\",\"t\":\"Thing\",\"where\":{\"id\":[\"" + id + "\",\"" + id + "\"]}}");
        live.remove(id);
      } else if (op == 8) {
        f.request("{\"requestId\":\"q" + step + "\",\"resource\":\"Thing\",\"maxInstances\":20,\"resourcePerInstance\":" + (2 + rnd.nextInt(4)) + ",\"initInstances\":3}");
      } else {
        plan();
      }
    }
    plan();
    Map<String, List<String>> expected = new TreeMap<>();
    try (var it = f.placements().all()) {
      it.forEachRemaining(kv -> expected.computeIfAbsent("Thing/" + kv.value, k -> new ArrayList<>()).add(kv.key.substring("Thing/".length())));
    }
    expected.values().forEach(Collections::sort);
    Map<String, List<String>> written = new TreeMap<>();
    plan.forEach((key, value) -> {
      if (value != null && !ids(key).isEmpty()) {
        written.put(key, ids(key));
      }
    });
    assertEquals(expected, written);
    assertEquals(live, written.values().stream().flatMap(List::stream).collect(Collectors.toCollection(TreeSet::new)));
  }

  @Test
  void everyKeyFormIsUnderstood() {
    f.notify("{\"o\":\"c\",\"t\":\"Thing\",\"k\":\"a\"}");
    f.notify("{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[{\"id\":\"b\"},\"c\",7]}");
    f.notify("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"d\"}}");
    assertEquals("0", f.placements().get("Thing/a"));
    assertEquals("1", f.placements().get("Thing/b"));
    assertEquals("2", f.placements().get("Thing/c"));
    assertEquals("0", f.placements().get("Thing/7"));
    assertEquals("1", f.placements().get("Thing/d"));
    f.notify("{\"o\":\"bd\",\"t\":\"Thing\",\"where\":{\"id\":[\"a\",\"b\"]}}");
    f.notify("{\"o\":\"d\",\"t\":\"Thing\",\"k\":{\"id\":\"c\"}}");
    f.notify("{\"o\":\"bd\",\"t\":\"Thing\",\"where\":{\"id\":\"7\"}}");
    assertNull(f.placements().get("Thing/a"));
    assertNull(f.placements().get("Thing/b"));
    assertNull(f.placements().get("Thing/c"));
    assertNull(f.placements().get("Thing/7"));
    plan();
    assertEquals(List.of(), ids("Thing/0"));
    assertEquals(List.of("d"), ids("Thing/1"));
    assertTrue(f.dlq.isEmpty());
  }

  @Test
  void deletedResourceFreesItsSlotAndNothingElseMoves() {
    f.notify("{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[\"a\",\"b\",\"c\",\"d\"]}");
    f.notify("{\"o\":\"d\",\"t\":\"Thing\",\"k\":{\"id\":\"b\"}}");
    plan();
    assertEquals(List.of("a", "d"), ids("Thing/0"));
    assertEquals(List.of(), ids("Thing/1"));
    assertEquals(List.of("c"), ids("Thing/2"));
    f.notify("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"e\"}}");
    assertEquals("1", f.placements().get("Thing/e"), "the freed slot is the least loaded");
  }

  @Test
  void fullPoolGrowsByOneInstanceWithTheSameCapacity() {
    f.notify("{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]}");
    f.commands();
    f.notify("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"g\"}}");
    List<JsonNode> commands = f.commands();
    assertEquals(1, commands.size());
    assertEquals("create", commands.get(0).get("action").asText());
    assertEquals("3", commands.get(0).get("instanceId").asText());
    plan();
    assertEquals(List.of("g"), ids("Thing/3"));
    assertEquals(2, plan.get("Thing/3").get("data").get("count").asInt());
  }

  @Test
  void updateBumpsTheReloadCounterOfItsInstanceOnly() {
    f.notify("{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[\"a\",\"b\"]}");
    plan();
    long before0 = reload("Thing/0");
    long before1 = reload("Thing/1");
    f.notify("{\"o\":\"u\",\"t\":\"Thing\",\"k\":{\"id\":\"a\"},\"instance\":{\"id\":\"a\"}}");
    plan();
    assertEquals(before0 + 1, reload("Thing/0"));
    assertEquals(before1, reload("Thing/1"));
    f.notify("{\"o\":\"bu\",\"t\":\"Thing\",\"where\":{\"id\":[\"a\",\"b\"]}}");
    plan();
    assertEquals(before0 + 2, reload("Thing/0"));
    assertEquals(before1 + 1, reload("Thing/1"));
  }

  @Test
  void bulkCreateReloadsEachInstanceOnce() {
    f.notify("{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[\"a\",\"b\",\"c\",\"d\"]}");
    plan();
    assertEquals(List.of("a", "d"), ids("Thing/0"));
    assertEquals(1, reload("Thing/0"));
    assertEquals(1, reload("Thing/1"));
  }

  @Test
  void dependentTableChangeBumpsEveryInstanceOfTheTypeOnly() {
    f.notify("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"a\"}}");
    f.notify("{\"o\":\"c\",\"t\":\"Rule\",\"k\":{\"id\":\"r\"}}");
    plan();
    Map<String, Long> before = new TreeMap<>();
    plan.forEach((k, v) -> before.put(k, reload(k)));
    f.notify("{\"o\":\"bu\",\"t\":\"DeviceMeta\",\"where\":{\"vendor\":\"x\"}}");
    plan();
    for (String key : plan.keySet()) {
      long expected = before.get(key) + (key.startsWith("Thing/") ? 1 : 0);
      assertEquals(expected, reload(key), key);
    }
  }

  @Test
  void reAddingAPlacedResourceChangesNothing() {
    f.notify("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"a\"}}");
    plan();
    f.commands();
    f.notify("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"a\"}}");
    f.flush();
    assertEquals(List.of(), f.assignments.readRecordsToList());
    assertTrue(f.podCommands.isEmpty());
  }

  @Test
  void unknownOperationIsAcceptedAndIgnored() {
    f.notify("{\"o\":\"x\",\"t\":\"Thing\"}");
    f.notify("{\"o\":\"truncate\"}");
    f.flush();
    assertTrue(f.assignments.isEmpty());
    assertTrue(f.podCommands.isEmpty());
    assertTrue(f.dlq.isEmpty());
  }

  @Test
  void unusableRecordsGoToTheDeadLetterQueueAndTheStreamGoesOn() {
    String[] bad = {
      "not json",
      "{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"a/b\"}}",
      "{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"\"}}",
      "{\"o\":\"c\",\"t\":\"Thing\"}",
      "{\"o\":\"c\",\"t\":\"Nope\",\"k\":{\"id\":\"a\"}}",
      "{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"" + "x".repeat(129) + "\"}}",
      "{\"o\":\"bd\",\"t\":\"Thing\",\"where\":{\"id\":[\"ok\",\"a\\u0001\"]}}",
      "[1,2]",
    };
    for (String b : bad) {
      f.notify(b);
    }
    f.notify("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"good\"}}");
    List<TestRecord<byte[], byte[]>> dead = f.dlq.readRecordsToList();
    assertEquals(bad.length, dead.size());
    for (int i = 0; i < bad.length; i++) {
      TestRecord<byte[], byte[]> r = dead.get(i);
      assertEquals(bad[i], new String(r.value(), StandardCharsets.UTF_8), "original bytes");
      assertEquals(Topics.CM_NOTIFY.name(), TopologyFixture.header(r, DeadLetterHeaders.TOPIC));
      assertEquals(String.valueOf(i), TopologyFixture.header(r, DeadLetterHeaders.OFFSET));
      assertNotNull(TopologyFixture.header(r, DeadLetterHeaders.MESSAGE));
    }
    assertTrue(TopologyFixture.header(dead.get(1), DeadLetterHeaders.MESSAGE).contains("k.id"));
    assertTrue(TopologyFixture.header(dead.get(4), DeadLetterHeaders.MESSAGE).contains("Nope"));
    assertEquals("0", f.placements().get("Thing/good"));
  }

  @Test
  void badHeartbeatsGoToTheDeadLetterQueue() {
    f.heartbeats.pipeInput(null, "{\"resource\":\"Thing\"}".getBytes(StandardCharsets.UTF_8));
    f.heartbeats.pipeInput(null, "{\"resource\":\"Spaceship\",\"instanceId\":1}".getBytes(StandardCharsets.UTF_8));
    f.heartbeats.pipeInput(null, "{\"resource\":\"Thing\",\"instanceId\":\"../x\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals(3, f.dlq.readRecordsToList().size());
  }

  @Test
  void silentInstanceIsRecreatedOnceSoonAfterTheDeadline() {
    f.notify("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"a\"}}");
    f.commands();
    // instances 0 and 1 heartbeat every 30 s; instance 2 never does
    for (int t = 0; t < 89; t += 30) {
      f.heartbeat("Thing", 0);
      f.heartbeat("Thing", "1");
      f.advance(Duration.ofSeconds(30));
    }
    // 90 s after creation: instance 2's deadline
    f.heartbeat("Thing", 0);
    f.heartbeat("Thing", 1);
    f.advance(Duration.ofMillis(200));
    List<JsonNode> commands = f.commands();
    assertEquals(1, commands.size(), commands.toString());
    assertEquals("recreate", commands.get(0).get("action").asText());
    assertEquals("2", commands.get(0).get("instanceId").asText());
    // no storm: still silent, but not recreated again until a full timeout has passed
    for (int i = 0; i < 80; i++) {
      f.heartbeat("Thing", 0);
      f.heartbeat("Thing", 1);
      f.advance(Duration.ofSeconds(1));
    }
    assertTrue(f.podCommands.isEmpty());
    for (int i = 0; i < 11; i++) {
      f.heartbeat("Thing", 0);
      f.heartbeat("Thing", 1);
      f.advance(Duration.ofSeconds(1));
    }
    commands = f.commands();
    assertEquals(1, commands.size());
    assertEquals("2", commands.get(0).get("instanceId").asText());
  }

  @Test
  void recreateIsNotEmittedBeforeTheDeadline() {
    f.notify("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"a\"}}");
    f.commands();
    f.advance(Duration.ofSeconds(89));
    f.advance(Duration.ofMillis(900));
    assertTrue(f.podCommands.isEmpty());
    f.advance(Duration.ofMillis(150));
    assertEquals(3, f.commands().size());
  }

  @Test
  void typesWithoutHeartbeatsAreNeverRecreatedForSilence() {
    f.notify("{\"o\":\"c\",\"t\":\"Rule\",\"k\":{\"id\":\"r\"}}");
    f.commands();
    // Running pods: only silence is on trial here, not the start time limit.
    for (String id : List.of("0", "1")) {
      String running = "{\"resource\":\"Rule\",\"instanceId\":\"" + id + "\",\"podName\":\"iota-rules-engine-" + id
          + "\",\"phase\":\"Running\",\"uid\":\"u" + id + "\",\"gone\":false,\"observedAt\":1}";
      f.podStatus.pipeInput("Rule/" + id, running.getBytes(StandardCharsets.UTF_8));
    }
    f.advance(Duration.ofSeconds(200));
    f.advance(Duration.ofSeconds(200));
    assertTrue(f.podCommands.isEmpty());
  }

  @Test
  void failedPodIsRecreatedOnceWithinTheTimeout() {
    f.notify("{\"o\":\"c\",\"t\":\"Rule\",\"k\":{\"id\":\"r\"}}");
    f.commands();
    String failed = "{\"resource\":\"Rule\",\"instanceId\":\"1\",\"podName\":\"iota-rules-engine-1\",\"phase\":\"Failed\",\"uid\":\"u1\",\"gone\":false,\"observedAt\":1}";
    f.podStatus.pipeInput("Rule/1", failed.getBytes(StandardCharsets.UTF_8));
    List<JsonNode> commands = f.commands();
    assertEquals(1, commands.size());
    assertEquals("recreate", commands.get(0).get("action").asText());
    assertEquals("1", commands.get(0).get("instanceId").asText());
    String gone = "{\"resource\":\"Rule\",\"instanceId\":\"1\",\"podName\":\"iota-rules-engine-1\",\"gone\":true,\"observedAt\":2}";
    f.podStatus.pipeInput("Rule/1", gone.getBytes(StandardCharsets.UTF_8));
    assertTrue(f.podCommands.isEmpty(), "the pod our own recreate deleted is not recreated again");
    f.advance(Duration.ofSeconds(91));
    f.podStatus.pipeInput("Rule/1", gone.getBytes(StandardCharsets.UTF_8));
    assertEquals(1, f.commands().size());
    String running = "{\"resource\":\"Rule\",\"instanceId\":\"0\",\"podName\":\"iota-rules-engine-0\",\"phase\":\"Running\",\"uid\":\"u0\",\"gone\":false,\"observedAt\":3}";
    f.podStatus.pipeInput("Rule/0", running.getBytes(StandardCharsets.UTF_8));
    assertTrue(f.podCommands.isEmpty());
    assertEquals("Running", f.instances().get("Rule/0").podPhase());
  }

  @Test
  void plannedInstanceMissingFromThePodInventoryIsRecreated() {
    f.notify("{\"o\":\"c\",\"t\":\"Rule\",\"k\":{\"id\":\"r\"}}");
    f.commands();
    String inventory = "{\"resource\":\"Rule\",\"inventory\":[\"0\"],\"observedAt\":1}";
    f.podStatus.pipeInput("Rule/inventory", inventory.getBytes(StandardCharsets.UTF_8));
    assertTrue(f.podCommands.isEmpty(), "a just-created instance may not have its pod yet");
    f.advance(Duration.ofSeconds(91));
    f.podStatus.pipeInput("Rule/inventory", inventory.getBytes(StandardCharsets.UTF_8));
    List<JsonNode> commands = f.commands();
    assertEquals(1, commands.size());
    assertEquals("recreate", commands.get(0).get("action").asText());
    assertEquals("1", commands.get(0).get("instanceId").asText());
    f.podStatus.pipeInput("Rule/inventory", inventory.getBytes(StandardCharsets.UTF_8));
    assertTrue(f.podCommands.isEmpty(), "no storm");
  }

  @Test
  void orchestrateRequestRebalancesAndAnswersWithItsReport() {
    f.notify("{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\"]}");
    plan();
    f.commands();
    f.request("{\"requestId\":\"r1\",\"resource\":\"Thing\",\"maxInstances\":10,\"resourcePerInstance\":4,\"initInstances\":2}");
    JsonNode result = f.result();
    assertEquals("r1", result.get("requestId").asText());
    assertEquals(200, result.get("status").asInt());
    JsonNode report = result.get("report");
    assertEquals(3, report.get("instances").asInt());
    assertEquals(4, report.get("resourcePerInstance").asInt());
    assertEquals(8, report.get("moved").asInt() + report.get("kept").asInt());
    assertEquals(1, report.get("deleted").size());
    assertEquals("3", report.get("deleted").get(0).asText());
    List<JsonNode> commands = f.commands();
    assertEquals(1, commands.size());
    assertEquals("delete", commands.get(0).get("action").asText());
    assertEquals("3", commands.get(0).get("instanceId").asText());
    plan();
    assertNull(plan.get("Thing/3"), "deleted instance is a tombstone");
    int total = 0;
    for (String k : List.of("Thing/0", "Thing/1", "Thing/2")) {
      int used = plan.get(k).get("data").get("used").asInt();
      assertTrue(used == 2 || used == 3, k + " used " + used);
      assertEquals(4, plan.get(k).get("data").get("count").asInt());
      total += used;
    }
    assertEquals(8, total);
  }

  @Test
  void orchestrateOfABalancedPlanMovesNothing() {
    f.notify("{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[\"a\",\"b\",\"c\"]}");
    f.request("{\"requestId\":\"r1\",\"resource\":\"Thing\",\"maxInstances\":10,\"resourcePerInstance\":2,\"initInstances\":3}");
    assertEquals(200, f.result().get("status").asInt());
    f.request("{\"requestId\":\"r2\",\"resource\":\"Thing\",\"maxInstances\":10,\"resourcePerInstance\":2,\"initInstances\":3}");
    JsonNode report = f.result().get("report");
    assertEquals(0, report.get("moved").asInt());
    assertEquals(3, report.get("kept").asInt());
  }

  @Test
  void requestErrorsAreAnswered() {
    f.notify("{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\"]}");
    f.request("{\"requestId\":\"r1\",\"resource\":\"Thing\",\"maxInstances\":3,\"resourcePerInstance\":2}");
    JsonNode sizing = f.result();
    assertEquals(409, sizing.get("status").asInt());
    assertEquals("require instances more than the max: 6/3", sizing.get("error").asText());
    f.request("{\"requestId\":\"r2\",\"resource\":\"Thing\",\"maxInstances\":100}");
    JsonNode range = f.result();
    assertEquals(400, range.get("status").asInt());
    assertTrue(range.get("error").asText().contains("maxInstances"));
    f.request("{\"requestId\":\"r3\",\"resource\":\"Spaceship\"}");
    assertEquals(404, f.result().get("status").asInt());
    f.request("{\"requestId\":\"r4\",\"resource\":\"Thing\",\"maxInstances\":\"ten\"}");
    assertEquals(1, f.dlq.readRecordsToList().size(), "an unreadable request has no usable id: DLQ");
    assertEquals("4", f.placements().get("Thing/j") == null ? null : "4", "sizing failure leaves the plan unchanged");
  }

  @Test
  void sequenceNumbersGrowWithEveryChangeAndContinueAfterATombstone() {
    f.notify("{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\"]}");
    List<Long> seqs = new ArrayList<>();
    f.flush();
    f.notify("{\"o\":\"u\",\"t\":\"Thing\",\"k\":{\"id\":\"g\"}}");
    f.flush();
    f.request("{\"requestId\":\"r1\",\"resource\":\"Thing\",\"maxInstances\":10,\"resourcePerInstance\":4,\"initInstances\":2}");
    f.flush();
    f.notify("{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[\"h\",\"i\",\"j\",\"k\",\"l\",\"m\"]}");
    f.flush();
    List<Long> tombstoneSeqs = new ArrayList<>();
    for (TestRecord<String, String> r : f.assignments.readRecordsToList()) {
      if (r.key().equals("Thing/3")) {
        seqs.add(r.value() == null ? -1 : TopologyFixture.tree(r.value()).get("seq").asLong());
        if (r.value() == null) {
          var header = r.headers().lastHeader(Topics.ASSIGNMENT_SEQ_HEADER);
          assertNotNull(header, "a tombstone carries its sequence in a header");
          tombstoneSeqs.add(Long.parseLong(new String(header.value(), StandardCharsets.UTF_8)));
        }
      }
    }
    assertEquals(4, seqs.size(), seqs.toString());
    assertTrue(seqs.get(0) < seqs.get(1));
    assertEquals(-1, seqs.get(2), "tombstone when the instance is removed");
    assertEquals(1, tombstoneSeqs.size());
    assertTrue(tombstoneSeqs.get(0) > seqs.get(1), "the removal is newer than every state before it: " + tombstoneSeqs);
    assertTrue(seqs.get(3) > tombstoneSeqs.get(0), "a recreated instance id continues its sequence after the removal");
  }

  @Test
  void sameInputsInAFreshDriverGiveIdenticalOutputsAndStores() {
    List<List<String>> first = scenario(f);
    try (TopologyFixture again = new TopologyFixture(Map.of(
        "iota.resource.thing.init.instances", "3",
        "iota.resource.thing.resource.per.instance", "2",
        "iota.resource.rule.init.instances", "2"))) {
      assertEquals(first, scenario(again));
    }
  }

  private static List<List<String>> scenario(TopologyFixture x) {
    Random random = new Random(42);
    for (int i = 0; i < 300; i++) {
      int r = random.nextInt(10);
      String id = "t" + random.nextInt(60);
      if (r < 5) {
        x.notify("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"" + id + "\"}}");
      } else if (r < 7) {
        x.notify("{\"o\":\"d\",\"t\":\"Thing\",\"k\":{\"id\":\"" + id + "\"}}");
      } else if (r < 8) {
        x.notify("{\"o\":\"u\",\"t\":\"Thing\",\"k\":{\"id\":\"" + id + "\"}}");
      } else if (r < 9) {
        x.heartbeat("Thing", random.nextInt(4));
      } else {
        x.request("{\"requestId\":\"q" + i + "\",\"resource\":\"Thing\",\"maxInstances\":20,\"resourcePerInstance\":" + (1 + random.nextInt(9)) + "}");
      }
      if (i % 7 == 0) {
        x.advance(Duration.ofSeconds(3));
      }
    }
    x.flush();
    List<String> outputs = new ArrayList<>();
    x.assignments.readRecordsToList().forEach(r -> outputs.add(r.key() + "=" + r.value()));
    x.podCommands.readRecordsToList().forEach(r -> outputs.add(r.key() + "=" + r.value()));
    x.results.readRecordsToList().forEach(r -> outputs.add(r.key() + "=" + r.value()));
    List<String> stores = new ArrayList<>();
    try (var it = x.placements().all()) {
      it.forEachRemaining(kv -> stores.add(kv.key + "=" + kv.value));
    }
    try (var it = x.instances().all()) {
      it.forEachRemaining(kv -> stores.add(kv.key + "=" + kv.value));
    }
    return List.of(outputs, stores);
  }
}
