package iota.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.autoscale.ScalingReport;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.config.ResourceType;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.OrchestrateRequest;
import iota.orchestrator.model.OrchestrationParams;
import iota.orchestrator.topics.Topics;
import iota.orchestrator.topology.InstanceState;
import iota.orchestrator.topology.OrchestratorTopology;
import iota.orchestrator.topology.StoreNames;
import iota.orchestrator.topology.TypeState;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST shapes, read from the stores the real topology fills (TopologyTestDriver, no broker). */
class PlanReaderTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final long TIMEOUT_MS = Duration.ofSeconds(90).toMillis();

  @TempDir Path stateDir;
  private OrchestratorConfig config;
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> cmNotify;
  private TestInputTopic<String, byte[]> heartbeats;
  private TestInputTopic<String, byte[]> requests;
  private final PlanReader reader = new PlanReader(TIMEOUT_MS);

  @BeforeEach
  void start() {
    config =
        OrchestratorConfig.of(
            Map.of(
                "iota.bootstrap.servers", "ttd:9092",
                "iota.state.dir", stateDir.toString(),
                "iota.resource.thing.init.instances", "12",
                "iota.resource.thing.resource.per.instance", "2",
                "iota.resource.rule.init.instances", "3"));
    driver = new TopologyTestDriver(OrchestratorTopology.build(config), OrchestratorTopology.properties(config), START);
    StringSerializer s = new StringSerializer();
    ByteArraySerializer b = new ByteArraySerializer();
    cmNotify = driver.createInputTopic(Topics.CM_NOTIFY.name(), s, b, START, Duration.ofMillis(1));
    heartbeats = driver.createInputTopic(Topics.HEARTBEAT.name(), s, b, START, Duration.ofMillis(1));
    requests = driver.createInputTopic(Topics.REQUESTS.name(), s, b, START, Duration.ofMillis(1));
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private void create(String table, String... ids) {
    StringBuilder keys = new StringBuilder();
    for (String id : ids) {
      keys.append(keys.length() == 0 ? "" : ",").append("{\"id\":\"").append(id).append("\"}");
    }
    cmNotify.pipeInput("cm/notify", ("{\"o\":\"bc\",\"t\":\"" + table + "\",\"keys\":[" + keys + "]}").getBytes(StandardCharsets.UTF_8));
  }

  private PlanStores stores() {
    return PlanStores.of(
        driver.getKeyValueStore(StoreNames.PLACEMENTS), driver.getKeyValueStore(StoreNames.INSTANCE_RESOURCES), driver.getKeyValueStore(StoreNames.INSTANCES), driver.getKeyValueStore(StoreNames.TYPES));
  }

  /** The real stores, except that any walk over the placements fails: reads that must not scan them. */
  private PlanStores storesWithoutPlacementScans() {
    ReadOnlyKeyValueStore<String, String> placements = driver.getKeyValueStore(StoreNames.PLACEMENTS);
    ReadOnlyKeyValueStore<String, String> noScans =
        (ReadOnlyKeyValueStore<String, String>)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {ReadOnlyKeyValueStore.class},
                (proxy, method, args) -> {
                  if (!method.getName().equals("get")) {
                    throw new AssertionError("placements." + method.getName() + " called: a walk over every placement of the type");
                  }
                  return method.invoke(placements, args);
                });
    return PlanStores.of(noScans, driver.getKeyValueStore(StoreNames.INSTANCE_RESOURCES), driver.getKeyValueStore(StoreNames.INSTANCES), driver.getKeyValueStore(StoreNames.TYPES));
  }

  private ResourceType type(String name) {
    return config.resourceTypes().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
  }

  private static JsonNode json(Reply r) {
    return Json.tree(r.body().getBytes(StandardCharsets.UTF_8));
  }

  private long now() {
    return START.toEpochMilli();
  }

  @Test
  void planListsInstancesInNumericOrderWithSortedIdsAndTheKnownShape() {
    create("Thing", "zeta", "alpha", "mid", "beta");
    Reply reply = reader.plan(type("Thing"), stores(), now(), true);
    assertEquals(200, reply.status());
    JsonNode plan = json(reply);
    assertEquals("Thing", plan.get("resource").asText());
    List<String> order = new ArrayList<>();
    plan.get("instances").fieldNames().forEachRemaining(order::add);
    assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"), order);
    List<String> all = new ArrayList<>();
    for (JsonNode inst : plan.get("instances")) {
      List<String> ids = new ArrayList<>();
      inst.get("resources").get("ids").forEach(n -> ids.add(n.asText()));
      assertEquals(ids.stream().sorted().toList(), ids, "ids sorted");
      assertEquals(ids.size(), inst.get("data").get("used").asInt());
      assertEquals(2, inst.get("data").get("count").asInt());
      assertTrue(inst.get("_reload").get("times").isIntegralNumber());
      assertTrue(inst.get("health").has("status"));
      assertTrue(inst.get("health").has("lastHeartbeat"));
      assertTrue(inst.get("health").has("podPhase"));
      all.addAll(ids);
    }
    assertEquals(List.of("alpha", "beta", "mid", "zeta"), all.stream().sorted().toList());
  }

  @Test
  void healthFollowsHeartbeatsForHeartTypesOnly() {
    create("Thing", "t1");
    create("Rule", "r1");
    heartbeats.pipeInput(null, "{\"resource\":\"Thing\",\"instanceId\":0}".getBytes(StandardCharsets.UTF_8));
    JsonNode thing = json(reader.plan(type("Thing"), stores(), now() + 1000, true)).get("instances");
    assertEquals("healthy", thing.get("0").get("health").get("status").asText());
    assertEquals(now(), thing.get("0").get("health").get("lastHeartbeat").asLong());
    assertEquals(1000, thing.get("0").get("health").get("heartbeatAgeMs").asLong());
    assertEquals("starting", thing.get("1").get("health").get("status").asText());
    assertTrue(thing.get("1").get("health").get("lastHeartbeat").isNull());
    JsonNode late = json(reader.plan(type("Thing"), stores(), now() + TIMEOUT_MS + 1, true)).get("instances");
    assertEquals("late", late.get("0").get("health").get("status").asText());
    JsonNode rule = json(reader.plan(type("Rule"), stores(), now(), true)).get("instances");
    assertEquals("unknown", rule.get("0").get("health").get("status").asText());
  }

  @Test
  void placementAnswersRunInAndIs404WhenNotPlaced() {
    create("Thing", "t1");
    String runIn = driver.<String, String>getKeyValueStore(StoreNames.PLACEMENTS).get("Thing/t1");
    Reply found = reader.placement(type("Thing"), "t1", stores());
    assertEquals(200, found.status());
    assertEquals("{\"runIn\":\"" + runIn + "\"}", found.body());
    Reply missing = reader.placement(type("Thing"), "t2", stores());
    assertEquals(404, missing.status());
    assertEquals("Thing 't2' is not placed", json(missing).get("error").asText());
    assertEquals(404, reader.placement(type("Rule"), "t1", stores()).status(), "types do not share ids");
  }

  @Test
  void instanceAnswersOneInstanceWithItsResources() {
    create("Thing", "a", "b", "c");
    String instanceId = driver.<String, String>getKeyValueStore(StoreNames.PLACEMENTS).get("Thing/a");
    JsonNode one = json(reader.instance(type("Thing"), instanceId, stores(), now(), true));
    assertEquals("Thing", one.get("resource").asText());
    assertEquals(instanceId, one.get("instanceId").asText());
    List<String> ids = new ArrayList<>();
    one.get("resources").get("ids").forEach(n -> ids.add(n.asText()));
    assertTrue(ids.contains("a"));
    assertEquals(ids.size(), one.get("data").get("used").asInt());
    assertEquals(404, reader.instance(type("Thing"), "99", stores(), now(), true).status());
  }

  @Test
  void instanceReadsItsOwnIdsWithoutWalkingEveryPlacement() {
    create("Thing", "a", "b", "c", "d", "e", "f", "g", "h");
    String instanceId = driver.<String, String>getKeyValueStore(StoreNames.PLACEMENTS).get("Thing/a");
    JsonNode one = json(reader.instance(type("Thing"), instanceId, storesWithoutPlacementScans(), now(), true));
    List<String> ids = new ArrayList<>();
    one.get("resources").get("ids").forEach(n -> ids.add(n.asText()));
    List<String> expected = new ArrayList<>();
    for (String id : List.of("a", "b", "c", "d", "e", "f", "g", "h")) {
      if (instanceId.equals(driver.<String, String>getKeyValueStore(StoreNames.PLACEMENTS).get("Thing/" + id))) {
        expected.add(id);
      }
    }
    assertEquals(expected, ids);
    assertEquals(404, reader.instance(type("Thing"), "99", storesWithoutPlacementScans(), now(), true).status());
  }

  @Test
  void planAndInstanceWithoutIdsLeaveTheResourcesOut() {
    create("Thing", "a", "b", "c");
    JsonNode plan = json(reader.plan(type("Thing"), storesWithoutPlacementScans(), now(), false));
    assertEquals(12, plan.get("instances").size());
    long used = 0;
    for (JsonNode inst : plan.get("instances")) {
      assertFalse(inst.has("resources"), inst.toString());
      assertTrue(inst.has("data") && inst.has("_reload") && inst.has("health"), inst.toString());
      used += inst.get("data").get("used").asLong();
    }
    assertEquals(3, used);
    JsonNode one = json(reader.instance(type("Thing"), "0", storesWithoutPlacementScans(), now(), false));
    assertFalse(one.has("resources"));
    assertEquals(1, one.get("data").get("used").asInt());
  }

  @Test
  void resourcesArePagedInIdOrderWithAnIdCursor() {
    create("Thing", "e", "c", "a", "d", "b");
    requests.pipeInput("Thing", new OrchestrateRequest("req-1", "Thing", new OrchestrationParams(10, 20, 1)).toJson());
    PlanStores stores = storesWithoutPlacementScans();
    JsonNode first = json(reader.resources(type("Thing"), "0", null, 2, stores));
    assertEquals("[\"a\",\"b\"]", first.get("ids").toString());
    assertEquals("b", first.get("next").asText());
    assertEquals(5, first.get("used").asInt());
    cmNotify.pipeInput("cm/notify", "{\"o\":\"d\",\"t\":\"Thing\",\"k\":{\"id\":\"c\"}}".getBytes(StandardCharsets.UTF_8));
    JsonNode second = json(reader.resources(type("Thing"), "0", "b", 2, stores));
    assertEquals("[\"d\",\"e\"]", second.get("ids").toString(), "a removal between pages skips nothing else");
    assertTrue(second.get("next").isNull(), "last page");
    JsonNode after = json(reader.resources(type("Thing"), "0", "bb", 2, stores));
    assertEquals("[\"d\",\"e\"]", after.get("ids").toString(), "a cursor that is no longer placed still orders");
    assertEquals(0, json(reader.resources(type("Thing"), "0", "e", 2, stores)).get("ids").size());
    assertEquals(404, reader.resources(type("Thing"), "5", null, 2, stores).status(), "instance removed by the re-orchestration");
  }

  @Test
  void removedInstancesAwaitingTheirTombstoneAreHidden() {
    create("Thing", "a");
    var instances = driver.<String, InstanceState>getKeyValueStore(StoreNames.INSTANCES);
    instances.put("Thing/11", instances.get("Thing/11").asRemoved(999));
    JsonNode plan = json(reader.plan(type("Thing"), stores(), now(), true)).get("instances");
    assertFalse(plan.has("11"));
    assertEquals(11, plan.size());
    assertEquals(404, reader.instance(type("Thing"), "11", stores(), now(), true).status());
    assertEquals(11, reader.counts("Thing", stores()).instances());
  }

  @Test
  void summaryReportsCountsCountersAndCurrentParameters() {
    JsonNode before = json(reader.summary(type("Thing"), stores()));
    assertEquals(0, before.get("instances").asInt());
    assertFalse(before.get("orchestrated").asBoolean());
    assertEquals(12, before.get("params").get("initInstances").asInt());

    create("Thing", "a", "b", "c", "d", "e");
    OrchestrateRequest request = new OrchestrateRequest("req-1", "Thing", new OrchestrationParams(10, 3, 3));
    requests.pipeInput("Thing", request.toJson());
    JsonNode after = json(reader.summary(type("Thing"), stores()));
    assertEquals(5, after.get("resources").asLong());
    assertEquals(3, after.get("instances").asInt());
    assertEquals(1, after.get("orchestrations").asLong());
    assertTrue(after.get("orchestrated").asBoolean());
    assertEquals(2, after.get("params").get("resourcePerInstance").asInt(), "the capacity the sizing rule gave: floor(5 / 3) + 1");
    TypeState state = driver.<String, TypeState>getKeyValueStore(StoreNames.TYPES).get("Thing");
    assertEquals(state.moves(), after.get("moves").asLong());
    assertEquals(new TypeCounts(3, 5, state.moves(), state.recreates(), 1, 0, 0), reader.counts("Thing", stores()));
  }

  @Test
  void summaryAndCountsReportATypeOverCapacityWithTheResourcesBeyondIt() {
    create("Thing", "a");
    requests.pipeInput("Thing", new OrchestrateRequest("req-1", "Thing", new OrchestrationParams(5, 1, 3)).toJson());
    JsonNode within = json(reader.summary(type("Thing"), stores()));
    assertFalse(within.get("overCapacity").asBoolean());
    assertEquals(0, within.get("beyondCapacity").asLong());

    String[] ids = new String[200];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = "t" + i;
    }
    create("Thing", ids);

    JsonNode over = json(reader.summary(type("Thing"), stores()));
    assertEquals(5, over.get("instances").asInt());
    assertEquals(201, over.get("resources").asLong());
    assertTrue(over.get("overCapacity").asBoolean());
    assertEquals(196, over.get("beyondCapacity").asLong(), "201 resources over 5 instances of count 1");
    assertEquals(196, reader.counts("Thing", stores()).beyondCapacity());
  }

  @Test
  void summaryCountsFromTheInstanceStatesWithoutWalkingThePlacements() {
    create("Thing", "a", "b", "c", "d", "e");
    JsonNode summary = json(reader.summary(type("Thing"), storesWithoutPlacementScans()));
    assertEquals(5, summary.get("resources").asLong());
    assertEquals(12, summary.get("instances").asInt());
  }

  @Test
  void typeNotSeenYetHasAnEmptyPlan() {
    JsonNode plan = json(reader.plan(type("Rule"), stores(), now(), true));
    assertEquals("Rule", plan.get("resource").asText());
    assertEquals(0, plan.get("instances").size());
    assertEquals(TypeCounts.EMPTY, reader.counts("Rule", stores()));
  }

  // ---- scaling

  /** The plan stores plus a scaling store holding {@code reports} (only {@code get} is read). */
  private PlanStores storesWithScaling(Map<String, byte[]> reports) {
    ReadOnlyKeyValueStore<String, byte[]> scaling =
        (ReadOnlyKeyValueStore<String, byte[]>)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {ReadOnlyKeyValueStore.class},
                (proxy, method, args) -> {
                  if (!method.getName().equals("get")) {
                    throw new AssertionError("scaling." + method.getName() + " called: a type's report is one key");
                  }
                  return reports.get((String) args[0]);
                });
    return PlanStores.of(
        driver.getKeyValueStore(StoreNames.PLACEMENTS), driver.getKeyValueStore(StoreNames.INSTANCE_RESOURCES), driver.getKeyValueStore(StoreNames.INSTANCES),
        driver.getKeyValueStore(StoreNames.TYPES), scaling);
  }

  @Test
  void scalingBeforeTheFirstReportIsTheInitialReportWithThePoolAsItIs() {
    create("Thing", "t-1");
    Reply thing = reader.scaling(type("Thing"), InitialScaling.of(type("Thing")), storesWithScaling(Map.of()));
    assertEquals(200, thing.status());
    assertEquals(
        "{\"resource\":\"Thing\",\"enabled\":true,\"current\":12,\"desired\":12,\"limitedBy\":null,"
            + "\"utilization\":{\"cpu\":null,\"memory\":null},\"target\":{\"cpu\":0.7,\"memory\":0.8},\"instances\":{},"
            + "\"events\":[],\"history\":[],\"maxOverMean\":1.0,\"eventsTotal\":{},\"movesTotal\":{}}",
        thing.body());
    JsonNode rule = json(reader.scaling(type("Rule"), InitialScaling.of(type("Rule")), storesWithScaling(Map.of())));
    assertFalse(rule.get("enabled").asBoolean(), "Rule is not autoscaled by default");
    assertEquals(0, rule.get("current").asInt(), "no Rule event yet: no pool");
  }

  @Test
  void scalingAnswersTheStoredReportAsStored() {
    create("Thing", "t-1");
    ScalingReport stored =
        ScalingReport.initial("Thing", true, 12, new ScalingReport.Utilization(0.7, 0.8))
            .withPoint(new ScalingReport.Point(1_000, 12, 0.93, 0.41))
            .withEvent(new ScalingReport.Event(1_000, ScalingReport.Kind.SCALE_UP, 12, 16, "cpu 93% of requests > target 70%: 12 -> 16 instances", 0));
    PlanStores stores = storesWithScaling(Map.of("Thing", stored.toJson()));
    Reply reply = reader.scaling(type("Thing"), InitialScaling.of(type("Thing")), stores);
    assertEquals(200, reply.status());
    assertEquals(Json.tree(stored.toJson()), json(reply));
    assertEquals(stored, reader.scalingReport(type("Thing"), InitialScaling.of(type("Thing")), stores));
  }
}
