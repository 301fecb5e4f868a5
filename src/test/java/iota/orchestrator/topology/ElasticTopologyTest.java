package iota.orchestrator.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.autoscale.ScalingReport;
import iota.orchestrator.deadletter.DeadLetterHeaders;
import iota.orchestrator.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The load-driven side of the topology (issue 12 §3, §4) with pod-metrics records, on the real topology. */
class ElasticTopologyTest {
  private static final long T0 = TopologyFixture.START.toEpochMilli();
  private static final double CPU_REQUEST = 200;
  private static final double MEMORY_REQUEST = 1e9;

  private final List<TopologyFixture> fixtures = new ArrayList<>();
  /** The assignments topic as read so far: each instance's last sequence and ids, as ZooKeeper would hold them. */
  private final Map<String, Long> seqs = new HashMap<>();
  private final Map<String, List<String>> ids = new TreeMap<>();

  @AfterEach
  void close() {
    fixtures.forEach(TopologyFixture::close);
  }

  private TopologyFixture fixture(Map<String, String> overrides) {
    return fixture(overrides, OrchestratorTopology.Mode.LIVE);
  }

  private TopologyFixture fixture(Map<String, String> overrides, OrchestratorTopology.Mode mode) {
    TopologyFixture f = new TopologyFixture(overrides, mode, OrchestratorTopology.Routing.BY_TYPE);
    fixtures.add(f);
    return f;
  }

  private static Map<String, String> thing(int init, int perInstance) {
    Map<String, String> m = new HashMap<>();
    m.put("iota.resource.thing.init.instances", String.valueOf(init));
    m.put("iota.resource.thing.resource.per.instance", String.valueOf(perInstance));
    m.put("iota.resource.thing.scale.down.stabilization", "60s");
    return m;
  }

  private static String things(int n) {
    StringBuilder keys = new StringBuilder();
    for (int i = 0; i < n; i++) {
      keys.append(i == 0 ? "" : ",").append("\"t").append(i).append('"');
    }
    return "{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[" + keys + "]}";
  }

  /** One metrics round of Thing: CPU millicores per instance, every pod Ready, long started, memory at 40 % of its request. */
  private static byte[] round(String type, long at, Map<Integer, Double> cpu) {
    StringBuilder b = new StringBuilder("{\"resource\":\"" + type + "\",\"at\":" + at + ",\"metrics\":\"available\",\"instances\":{");
    boolean first = true;
    for (var e : new TreeMap<>(cpu).entrySet()) {
      b.append(first ? "" : ",").append('"').append(e.getKey()).append("\":{\"pod\":\"p-").append(e.getKey())
          .append("\",\"state\":\"MEASURED\",\"cpuMillis\":").append(e.getValue())
          .append(",\"memoryBytes\":").append(0.4 * MEMORY_REQUEST)
          .append(",\"cpuRequestMillis\":").append(CPU_REQUEST).append(",\"memoryRequestBytes\":").append(MEMORY_REQUEST)
          .append(",\"ready\":true,\"startedAt\":0,\"timestamp\":").append(at).append(",\"window\":15000}");
      first = false;
    }
    return b.append("}}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static Map<Integer, Double> cpu(int instances, double each) {
    Map<Integer, Double> m = new TreeMap<>();
    for (int i = 0; i < instances; i++) {
      m.put(i, each);
    }
    return m;
  }

  private static void metrics(TopologyFixture f, String type, long at, Map<Integer, Double> cpu) {
    f.podMetrics.pipeInput(type, round(type, at, cpu), Instant.ofEpochMilli(at));
    f.flush();
  }

  private static ScalingReport report(TopologyFixture f, String type) {
    byte[] stored = f.scaling().get(type);
    return stored == null ? null : ScalingReport.fromJson(stored);
  }

  private static Map<String, Integer> usedByInstance(TopologyFixture f) {
    Map<String, Integer> used = new TreeMap<>();
    try (KeyValueIterator<String, InstanceState> it = f.instances().all()) {
      while (it.hasNext()) {
        KeyValue<String, InstanceState> kv = it.next();
        if (!kv.value.removed()) {
          used.put(kv.key, kv.value.used());
        }
      }
    }
    return used;
  }

  /**
   * Reads every assignment record in topic order and checks make-before-break: a record that names
   * preconditions comes after a record of each named instance at that sequence or later, and at no
   * point is a resource that was placed listed on no instance.
   */
  private List<JsonNode> assignmentsKeepingEveryResource(TopologyFixture f, Set<String> placed) {
    List<JsonNode> givers = new ArrayList<>();
    for (TestRecord<String, String> r : f.assignments.readRecordsToList()) {
      if (r.value() == null) {
        ids.remove(r.key());
        continue;
      }
      JsonNode a = TopologyFixture.tree(r.value());
      if (a.has("after")) {
        givers.add(a);
        for (JsonNode p : a.get("after")) {
          Long seen = seqs.get(p.get("key").asText());
          assertNotNull(seen, r.key() + " names " + p + " before any record of it");
          assertTrue(seen >= p.get("seq").asLong(), r.key() + " names " + p + " but only seq " + seen + " was written");
        }
      }
      seqs.put(r.key(), a.get("seq").asLong());
      List<String> list = new ArrayList<>();
      a.get("resources").get("ids").forEach(n -> list.add(n.asText()));
      ids.put(r.key(), list);
      Set<String> listed = new HashSet<>();
      ids.values().forEach(listed::addAll);
      for (String id : placed) {
        assertTrue(listed.contains(id), id + " is on no instance after " + r.key() + " seq " + a.get("seq"));
      }
    }
    return givers;
  }

  private static Set<String> thingIds(int n) {
    Set<String> s = new HashSet<>();
    for (int i = 0; i < n; i++) {
      s.add("t" + i);
    }
    return s;
  }

  @Test
  void busyPodsGrowThePoolAndTheNewInstanceTakesWorkOnceItIsReady() {
    TopologyFixture f = fixture(thing(3, 100));
    f.notify(things(30));
    f.flush();
    assignmentsKeepingEveryResource(f, Set.of());
    f.commands();

    metrics(f, "Thing", T0 + 15_000, cpu(3, 180));
    List<JsonNode> commands = f.commands();
    assertEquals(1, commands.size(), "one pod for the one new instance");
    assertEquals("create", commands.get(0).get("action").asText());
    assertEquals("3", commands.get(0).get("instanceId").asText());
    assertEquals(Map.of("Thing/0", 10, "Thing/1", 10, "Thing/2", 10, "Thing/3", 0), usedByInstance(f),
        "nothing moves to an instance whose pod is not Ready");
    ScalingReport afterUp = report(f, "Thing");
    assertEquals(4, afterUp.desired());
    assertEquals(ScalingReport.Kind.SCALE_UP, afterUp.events().get(0).kind());
    assertTrue(afterUp.events().get(0).reason().contains("3 -> 4 instances"), afterUp.events().get(0).reason());
    assignmentsKeepingEveryResource(f, thingIds(30));

    Map<Integer, Double> ready = cpu(3, 180);
    ready.put(3, 50.0);
    metrics(f, "Thing", T0 + 30_000, ready);
    Map<String, Integer> used = usedByInstance(f);
    assertTrue(used.get("Thing/3") >= 6, "the new instance took work: " + used);
    assertEquals(30, used.values().stream().mapToInt(Integer::intValue).sum());
    List<JsonNode> givers = assignmentsKeepingEveryResource(f, thingIds(30));
    assertFalse(givers.isEmpty(), "givers wait for their receivers");
    for (JsonNode g : givers) {
      assertEquals("Thing/3", g.get("after").get(0).get("key").asText());
    }
    ScalingReport afterMove = report(f, "Thing");
    ScalingReport.Event last = afterMove.events().get(afterMove.events().size() - 1);
    assertEquals(ScalingReport.Kind.REBALANCE, last.kind());
    assertEquals(used.get("Thing/3"), last.moved());
    assertTrue(afterMove.maxOverMean() <= 1.1, "within the band: " + afterMove.maxOverMean());
    assertTrue(f.commands().isEmpty());
  }

  @Test
  void quietPodsShrinkThePoolAfterTheStabilizationWindowAndThePodGoesOnlyOnceEmptied() {
    TopologyFixture f = fixture(thing(2, 100));
    f.notify(things(20));
    f.flush();
    assignmentsKeepingEveryResource(f, Set.of());
    metrics(f, "Thing", T0 + 15_000, cpu(2, 190));
    Map<Integer, Double> three = cpu(2, 190);
    three.put(2, 50.0);
    metrics(f, "Thing", T0 + 30_000, three);
    assertEquals(3, usedByInstance(f).size());
    f.commands();
    assignmentsKeepingEveryResource(f, thingIds(20));

    long at = T0 + 45_000;
    for (; at <= T0 + 75_000; at += 15_000) {
      metrics(f, "Thing", at, cpu(3, 60));
      assertEquals(3, usedByInstance(f).size(), "held by the window at " + (at - T0));
    }
    assertTrue(f.commands().isEmpty());
    ScalingReport held = report(f, "Thing");
    assertTrue(held.events().stream().noneMatch(e -> e.kind() == ScalingReport.Kind.SCALE_DOWN));

    metrics(f, "Thing", T0 + 120_000, cpu(3, 60));
    assertEquals(Map.of("Thing/0", 10, "Thing/1", 10), usedByInstance(f));
    Map<String, Long> emptiedSeq = new HashMap<>();
    boolean tombstoneAfterEmptied = false;
    for (TestRecord<String, String> r : f.assignments.readRecordsToList()) {
      if (!r.key().equals("Thing/2")) {
        continue;
      }
      if (r.value() == null) {
        tombstoneAfterEmptied = emptiedSeq.containsKey("Thing/2");
      } else {
        JsonNode a = TopologyFixture.tree(r.value());
        assertEquals(0, a.get("data").get("used").asInt(), "Thing/2 is written only emptied");
        emptiedSeq.put("Thing/2", a.get("seq").asLong());
      }
    }
    assertTrue(tombstoneAfterEmptied, "the emptied state is on the topic before the tombstone");
    List<JsonNode> commands = f.commands();
    assertEquals(1, commands.size());
    JsonNode delete = commands.get(0);
    assertEquals("delete", delete.get("action").asText());
    assertEquals("2", delete.get("instanceId").asText());
    assertEquals("Thing/2", delete.get("after").get(0).get("key").asText());
    assertEquals((long) emptiedSeq.get("Thing/2"), delete.get("after").get(0).get("seq").asLong());
    ScalingReport.Event down = report(f, "Thing").events().get(report(f, "Thing").events().size() - 1);
    assertEquals(ScalingReport.Kind.SCALE_DOWN, down.kind());
    assertEquals(3, down.from());
    assertEquals(2, down.to());
  }

  @Test
  void aHotThingMakesItsInstanceShedTheOthers() {
    TopologyFixture f = fixture(thing(3, 100));
    f.notify(things(30));
    f.flush();
    assignmentsKeepingEveryResource(f, Set.of());
    f.commands();
    Map<Integer, Double> hot = cpu(3, 60);
    hot.put(0, 150.0);
    metrics(f, "Thing", T0 + 15_000, hot);
    Map<String, Integer> used = usedByInstance(f);
    assertTrue(used.get("Thing/0") < 10, "the hot instance gave resources away: " + used);
    assertEquals(30, used.values().stream().mapToInt(Integer::intValue).sum());
    assertEquals(3, used.size(), "the count minimum holds the pool");
    assignmentsKeepingEveryResource(f, thingIds(30));
    ScalingReport r = report(f, "Thing");
    ScalingReport.Event last = r.events().get(r.events().size() - 1);
    assertEquals(ScalingReport.Kind.REBALANCE, last.kind());
    assertEquals(10 - used.get("Thing/0"), last.moved());
    assertTrue(last.reason().contains("outside the band"), last.reason());
    assertTrue(f.commands().isEmpty(), "no pod is created or deleted for a move");

    // Measured again as the plan now has it, the instances sit within the band: nothing moves.
    Map<Integer, Double> after = new TreeMap<>();
    for (int i = 0; i < 3; i++) {
      after.put(i, 50.0 + 40.0);
    }
    metrics(f, "Thing", T0 + 30_000, after);
    assertEquals(used, usedByInstance(f));
  }

  @Test
  void aWindowThatBeganBeforeTheResourcesArrivedMovesNothing() {
    // A fresh embedded fleet was measured while its pods were still taking on their resources: one
    // instance read as empty, and the first rounds re-planned resources that needed no move.
    TopologyFixture f = fixture(thing(3, 100));
    f.notify(things(30));
    f.flush();
    Map<Integer, Double> early = cpu(3, 60);
    early.put(0, 50.0); // its pod does not serve its 10 Things yet: idle
    metrics(f, "Thing", T0 + 5_000, early);
    Map<String, Integer> even = Map.of("Thing/0", 10, "Thing/1", 10, "Thing/2", 10);
    assertEquals(even, usedByInstance(f), "a 15 s window that began before the Things came teaches nothing");
    for (long at = T0 + 20_000; at <= T0 + 80_000; at += 15_000) {
      metrics(f, "Thing", at, cpu(3, 60));
    }
    assertEquals(even, usedByInstance(f), "the windows of the new set are even");
    assertTrue(report(f, "Thing").events().stream().noneMatch(e -> e.kind() == ScalingReport.Kind.REBALANCE),
        "no re-plan: " + report(f, "Thing").events());
  }

  @Test
  void aDrainedInstanceGivesEverythingAwayAndTakesNothingNewUntilUndrained() {
    TopologyFixture f = fixture(thing(3, 100));
    f.notify(things(30));
    f.flush();
    assignmentsKeepingEveryResource(f, Set.of());
    f.request("{\"requestId\":\"d1\",\"resource\":\"Thing\",\"op\":\"drain\",\"instanceId\":1}");
    JsonNode result = f.result();
    assertEquals(200, result.get("status").asInt());
    assertEquals(10, result.get("report").get("moved").asInt());
    assertEquals(Map.of("Thing/0", 15, "Thing/1", 0, "Thing/2", 15), usedByInstance(f));
    f.flush();
    assignmentsKeepingEveryResource(f, thingIds(30));

    f.notify("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"new1\"},\"instance\":{}}");
    assertEquals(0, usedByInstance(f).get("Thing/1"), "a drained instance takes no new resource");
    ScalingReport drained = report(f, "Thing");
    assertTrue(drained.instances().get("1").draining());
    assertEquals(ScalingReport.Kind.DRAIN, drained.events().get(0).kind());

    f.request("{\"requestId\":\"u1\",\"resource\":\"Thing\",\"op\":\"undrain\",\"instanceId\":1}");
    assertEquals(200, f.result().get("status").asInt());
    f.notify("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"new2\"},\"instance\":{}}");
    assertEquals(1, usedByInstance(f).get("Thing/1"), "undrained, it is the least loaded again");
    assertEquals(ScalingReport.Kind.UNDRAIN, report(f, "Thing").events().get(1).kind());

    f.request("{\"requestId\":\"d2\",\"resource\":\"Thing\",\"op\":\"drain\",\"instanceId\":7}");
    JsonNode missing = f.result();
    assertEquals(404, missing.get("status").asInt());
    assertEquals("no instance 7 of Thing", missing.get("error").asText());
    f.request("{\"requestId\":\"d3\",\"resource\":\"Nope\",\"op\":\"drain\",\"instanceId\":0}");
    assertEquals(404, f.result().get("status").asInt());
  }

  @Test
  void anInstanceThatCannotBeEmptiedIsNotDrained() {
    TopologyFixture f = fixture(thing(3, 10));
    f.notify(things(30));
    f.request("{\"requestId\":\"d1\",\"resource\":\"Thing\",\"op\":\"drain\",\"instanceId\":1}");
    JsonNode result = f.result();
    assertEquals(409, result.get("status").asInt());
    assertTrue(result.get("error").asText().contains("no room elsewhere for 10"), result.toString());
    assertEquals(Map.of("Thing/0", 10, "Thing/1", 10, "Thing/2", 10), usedByInstance(f));
    assertNull(report(f, "Thing"));
  }

  @Test
  void withoutMetricsNothingScalesOrMovesAndTheReportSaysWhy() {
    TopologyFixture f = fixture(thing(3, 100));
    f.notify(things(30));
    f.flush();
    f.commands();
    f.assignments.readRecordsToList();
    String unavailable = "{\"resource\":\"Thing\",\"at\":" + (T0 + 15_000) + ",\"metrics\":\"unavailable\",\"error\":\"404 no metrics-server\","
        + "\"instances\":{\"0\":{\"pod\":\"p-0\",\"state\":\"MISSING_METRICS\",\"cpuRequestMillis\":200,\"memoryRequestBytes\":1e9,"
        + "\"ready\":true,\"startedAt\":0,\"timestamp\":" + (T0 + 15_000) + ",\"window\":0}}}";
    f.podMetrics.pipeInput("Thing", unavailable.getBytes(StandardCharsets.UTF_8), Instant.ofEpochMilli(T0 + 15_000));
    f.flush();
    assertTrue(f.commands().isEmpty());
    assertTrue(f.assignments.isEmpty());
    ScalingReport r = report(f, "Thing");
    assertEquals(3, r.current());
    assertEquals(3, r.desired());
    assertNull(r.utilization().cpu());
    assertTrue(r.events().isEmpty());
    assertEquals(1, r.history().size());
  }

  @Test
  void aTypeWithAutoscalingOffKeepsItsCountRulesUnderLoad() {
    TopologyFixture f = fixture(Map.of("iota.resource.rule.init.instances", "2", "iota.resource.rule.resource.per.instance", "100"));
    f.notify("{\"o\":\"bc\",\"t\":\"Rule\",\"keys\":[\"r1\",\"r2\",\"r3\"]}");
    f.flush();
    f.commands();
    f.assignments.readRecordsToList();
    Map<Integer, Double> skewed = Map.of(0, 195.0, 1, 60.0);
    metrics(f, "Rule", T0 + 15_000, skewed);
    metrics(f, "Rule", T0 + 30_000, skewed);
    assertTrue(f.commands().isEmpty(), "no pod for load");
    assertTrue(f.assignments.isEmpty(), "no move for load");
    ScalingReport r = report(f, "Rule");
    assertFalse(r.enabled());
    assertEquals(2, r.desired());
  }

  @Test
  void anUnreadableMetricsRecordGoesToTheDeadLetterQueueWithItsReason() {
    TopologyFixture f = fixture(thing(3, 100));
    f.podMetrics.pipeInput("Thing", "{\"resource\":\"Thing\",\"at\":-1}".getBytes(StandardCharsets.UTF_8));
    List<TestRecord<byte[], byte[]>> dead = f.dlq.readRecordsToList();
    assertEquals(1, dead.size());
    assertEquals(Topics.POD_METRICS.name(), TopologyFixture.header(dead.get(0), DeadLetterHeaders.TOPIC));
    assertTrue(TopologyFixture.header(dead.get(0), DeadLetterHeaders.MESSAGE).contains("at"),
        TopologyFixture.header(dead.get(0), DeadLetterHeaders.MESSAGE));
  }

  @Test
  void aReplayOfChangesRequestsAndMetricsRebuildsThePlanAndTheScalingHistoryByteForByte() {
    TopologyFixture live = fixture(thing(2, 100));
    TopologyFixture replay = fixture(thing(2, 100), OrchestratorTopology.Mode.REPLAY);
    for (TopologyFixture f : List.of(live, replay)) {
      f.cmNotify.pipeInput("cm/notify", things(20).getBytes(StandardCharsets.UTF_8), Instant.ofEpochMilli(T0 + 1));
      f.podMetrics.pipeInput("Thing", round("Thing", T0 + 15_000, cpu(2, 190)), Instant.ofEpochMilli(T0 + 15_000));
      Map<Integer, Double> three = cpu(2, 190);
      three.put(2, 40.0);
      f.podMetrics.pipeInput("Thing", round("Thing", T0 + 30_000, three), Instant.ofEpochMilli(T0 + 30_000));
      f.requests.pipeInput(null, "{\"requestId\":\"d1\",\"resource\":\"Thing\",\"op\":\"drain\",\"instanceId\":0}"
          .getBytes(StandardCharsets.UTF_8), Instant.ofEpochMilli(T0 + 31_000));
      f.cmNotify.pipeInput("cm/notify", "{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"late\"},\"instance\":{}}"
          .getBytes(StandardCharsets.UTF_8), Instant.ofEpochMilli(T0 + 32_000));
      for (long at = T0 + 45_000; at <= T0 + 200_000; at += 15_000) {
        f.podMetrics.pipeInput("Thing", round("Thing", at, cpu(3, 55)), Instant.ofEpochMilli(at));
      }
    }
    assertEquals(placements(live), placements(replay));
    assertEquals(plan(live), plan(replay));
    byte[] liveReport = live.scaling().get("Thing");
    assertNotNull(liveReport);
    assertArrayEquals(liveReport, replay.scaling().get("Thing"));
    ScalingReport r = ScalingReport.fromJson(liveReport);
    assertTrue(r.events().stream().anyMatch(e -> e.kind() == ScalingReport.Kind.SCALE_UP), r.events().toString());
    assertTrue(r.events().stream().anyMatch(e -> e.kind() == ScalingReport.Kind.DRAIN), r.events().toString());
  }

  private static Map<String, String> placements(TopologyFixture f) {
    Map<String, String> out = new TreeMap<>();
    try (KeyValueIterator<String, String> it = f.placements().all()) {
      it.forEachRemaining(kv -> out.put(kv.key, kv.value));
    }
    return out;
  }

  /** Each instance's count, used, reload counter and sequence: what its assignment carries. */
  private static Map<String, List<Long>> plan(TopologyFixture f) {
    Map<String, List<Long>> out = new TreeMap<>();
    try (KeyValueIterator<String, InstanceState> it = f.instances().all()) {
      it.forEachRemaining(kv -> out.put(kv.key, List.of((long) kv.value.count(), (long) kv.value.used(), kv.value.reload(),
          kv.value.seq(), kv.value.removed() ? 1L : 0L)));
    }
    return out;
  }
}
