package iota.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrchestratorConfigTest {
  @TempDir Path dir;

  private static String error(Map<String, String> env, Map<String, String> flags) {
    return assertThrows(ConfigException.class, () -> OrchestratorConfig.from(env, flags)).getMessage();
  }

  @Test
  void defaultsDescribeThingAndRuleAsTheOriginalConfiguredThem() {
    OrchestratorConfig c = OrchestratorConfig.of(Map.of());
    assertEquals(List.of(ResourceType.thing(), ResourceType.rule()), c.resourceTypes());
    assertEquals(Duration.ofSeconds(90), c.get(ConfigKeys.HEARTBEAT_TIMEOUT));
    assertEquals("exactly_once_v2", c.get(ConfigKeys.PROCESSING_GUARANTEE));
    assertEquals("/iota/orchestration", c.get(ConfigKeys.ZOOKEEPER_ROOT));
  }

  @Test
  void environmentFileAndFlagsLayerInThatOrder() throws Exception {
    Path file = dir.resolve("iota.properties");
    Files.writeString(file, "iota.heartbeat.timeout=30s\niota.application.id=from-file\niota.kubernetes.namespace=file-ns\nkafka.security.protocol=SSL\n");
    OrchestratorConfig c = OrchestratorConfig.from(
        Map.of("IOTA_CONFIG_FILE", file.toString(), "IOTA_HEARTBEAT_TIMEOUT", "45s", "IOTA_APPLICATION_ID", "from-env",
            "KAFKA_SASL_MECHANISM", "PLAIN", "PATH", "/usr/bin"),
        Map.of("iota.application.id", "from-flag"));
    assertEquals("from-flag", c.get(ConfigKeys.APPLICATION_ID));
    assertEquals(Duration.ofSeconds(45), c.get(ConfigKeys.HEARTBEAT_TIMEOUT));
    assertEquals("file-ns", c.get(ConfigKeys.KUBERNETES_NAMESPACE));
    assertEquals(Map.of("security.protocol", "SSL", "sasl.mechanism", "PLAIN"), c.kafkaOverrides());
  }

  @Test
  void resourceTypesAreConfiguredPerTypeFromTheEnvironment() {
    OrchestratorConfig c = OrchestratorConfig.from(Map.of(
        "IOTA_RESOURCES", "Thing,Gateway",
        "IOTA_RESOURCE_GATEWAY_INSTANCE_NAME", "iota-gw",
        "IOTA_RESOURCE_GATEWAY_HEART", "true",
        "IOTA_RESOURCE_GATEWAY_DEPENDS_ON", "GatewayMeta",
        "IOTA_RESOURCE_THING_INIT_INSTANCES", "3",
        "IOTA_RESOURCE_THING_RESOURCE_PER_INSTANCE", "250"), Map.of());
    ResourceType thing = c.resourceTypes().get(0);
    assertEquals(3, thing.defaults().initInstances());
    assertEquals(250, thing.defaults().resourcePerInstance());
    assertEquals(List.of("ProtocolMeta", "DeviceMeta"), thing.dependsOn());
    ResourceType gw = c.resourceTypes().get(1);
    assertEquals(new ResourceType("Gateway", "iota-gw", true, List.of("GatewayMeta"), ResourceType.DEFAULT_SIZING), gw);
  }

  @Test
  void otherPlatformVariablesWithTheIotaPrefixAreIgnoredButTyposInFilesAndFlagsFail() throws Exception {
    OrchestratorConfig.from(Map.of("IOTA_MQTT_BROKERS", "mqtt://x"), Map.of());
    assertEquals("iota.heartbeat.timout: unknown configuration key given on the command line",
        error(Map.of(), Map.of("iota.heartbeat.timout", "5s")));
    Path file = dir.resolve("bad.properties");
    Files.writeString(file, "iota.zookeeper.rot=/x\n");
    assertTrue(error(Map.of(), Map.of("iota.config.file", file.toString())).startsWith("iota.zookeeper.rot: unknown configuration key in "));
  }

  @Test
  void invalidValuesAreReportedWithTheirKey() {
    assertEquals("iota.heartbeat.timeout: expected a duration such as 90s, 250ms or 5m, got '90'",
        error(Map.of("IOTA_HEARTBEAT_TIMEOUT", "90"), Map.of()));
    assertEquals("iota.processing.guarantee: must be exactly_once_v2 or at_least_once, got 'exactly_once'",
        error(Map.of(), Map.of("iota.processing.guarantee", "exactly_once")));
    assertEquals("iota.resource.thing.max.instances: must be in [3, 100], got 101",
        error(Map.of("IOTA_RESOURCE_THING_MAX_INSTANCES", "101"), Map.of()));
    assertEquals("iota.resource.thing.init.instances: 20 is more than iota.resource.thing.max.instances (10)",
        error(Map.of("IOTA_RESOURCE_THING_MAX_INSTANCES", "10", "IOTA_RESOURCE_THING_INIT_INSTANCES", "20"), Map.of()));
    assertEquals("iota.resource.gateway.instance.name: required for resource type Gateway",
        error(Map.of("IOTA_RESOURCES", "Gateway"), Map.of()));
    assertEquals("iota.resource.rule.heart: 'rule' is not in iota.resources (Thing)",
        error(Map.of("IOTA_RESOURCES", "Thing", "IOTA_RESOURCE_RULE_HEART", "true"), Map.of()));
    assertEquals("iota.zookeeper.root: must be an absolute ZooKeeper path without a trailing '/', got 'iota/'",
        error(Map.of(), Map.of("iota.zookeeper.root", "iota/")));
    assertEquals("iota.application.server: expected host:port, got 'http://x:1'",
        error(Map.of(), Map.of("iota.application.server", "http://x:1")));
    assertTrue(error(Map.of(), Map.of("iota.instance.id", "pod/0")).startsWith("iota.instance.id: expected letters, digits"));
    assertTrue(error(Map.of("IOTA_RESOURCES", "Thing,Thing"), Map.of()).contains("listed twice"));
    assertTrue(error(Map.of("IOTA_RESOURCE_THING_INSTANCE_NAME", "Iota_Dac"), Map.of()).contains("DNS label"));
  }

  @Test
  void theAssignmentByteBudgetDefaultsSafelyBelowOneMebibyteAndIsBounded() {
    assertEquals(900_000, OrchestratorConfig.of(Map.of()).get(ConfigKeys.ASSIGNMENT_MAX_BYTES));
    assertEquals(500_000, OrchestratorConfig.from(Map.of("IOTA_ASSIGNMENT_MAX_BYTES", "500000"), Map.of()).get(ConfigKeys.ASSIGNMENT_MAX_BYTES));
    assertEquals("iota.assignment.max.bytes: must be in [4096, 67108864], got 100",
        error(Map.of(), Map.of("iota.assignment.max.bytes", "100")));
    assertEquals("iota.assignment.max.bytes: expected an integer, got '1MiB'",
        error(Map.of(), Map.of("iota.assignment.max.bytes", "1MiB")));
  }

  @Test
  void aTypeNameTheExecutorCouldNotUseAsAPodLabelIsRefusedAtStart() {
    // The executor labels every pod with its type; a name it would refuse would freeze the type's pods.
    for (String name : java.util.List.of("Thing:x", "Thing x", "-Thing", "Thing_", "Thïng", "T" + "h".repeat(63))) {
      String e = error(Map.of("IOTA_RESOURCES", name), Map.of());
      assertTrue(e.startsWith("iota.resources"), name + ": " + e);
    }
  }

  @Test
  void requiredKeysSayWhichEnvironmentVariableSetsThem() {
    OrchestratorConfig c = OrchestratorConfig.of(Map.of());
    assertEquals("iota.bootstrap.servers: required (environment IOTA_BOOTSTRAP_SERVERS)",
        assertThrows(ConfigException.class, () -> c.require(ConfigKeys.BOOTSTRAP_SERVERS)).getMessage());
  }

  @Test
  void derivedConfigurationKeepsEverythingElse() {
    OrchestratorConfig c = OrchestratorConfig.from(Map.of("KAFKA_SECURITY_PROTOCOL", "SSL", "IOTA_RESOURCE_THING_INIT_INSTANCES", "4"), Map.of());
    OrchestratorConfig d = c.with(Map.of("iota.bootstrap.servers", "k:9092"));
    assertEquals("k:9092", d.require(ConfigKeys.BOOTSTRAP_SERVERS));
    assertEquals(4, d.resourceTypes().get(0).defaults().initInstances());
    assertEquals("SSL", d.kafkaOverrides().get("security.protocol"));
    assertFalse(c.kafkaOverrides().containsKey("bootstrap.servers"));
  }

  @Test
  void durationsAcceptUnitsAndIsoForm() {
    assertEquals(Duration.ofMillis(250), OrchestratorConfig.parseDuration("k", "250ms"));
    assertEquals(Duration.ofMinutes(5), OrchestratorConfig.parseDuration("k", "5m"));
    assertEquals(Duration.ofSeconds(90), OrchestratorConfig.parseDuration("k", "PT90S"));
    assertThrows(ConfigException.class, () -> OrchestratorConfig.parseDuration("k", "0s"));
  }

  @Test
  void anInstanceIdMakesTheStreamsAndExecutorConsumersStaticMembers() {
    OrchestratorConfig c = OrchestratorConfig.from(Map.of("IOTA_INSTANCE_ID", "iota-orchestrator-stream-1"), Map.of("iota.bootstrap.servers", "k:9092"));
    assertEquals("iota-orchestrator-stream-1", c.get(ConfigKeys.INSTANCE_ID));
    java.util.Properties streams = iota.orchestrator.topology.OrchestratorTopology.properties(c);
    assertEquals("iota-orchestrator-stream-1", streams.get("main.consumer.group.instance.id"));
    assertFalse(streams.containsKey("group.instance.id"), "the restore and global consumers must not be static members");
    assertNull(OrchestratorConfig.of(Map.of()).get(ConfigKeys.INSTANCE_ID));
    assertFalse(iota.orchestrator.topology.OrchestratorTopology.properties(OrchestratorConfig.of(Map.of("iota.bootstrap.servers", "k:9092")))
        .containsKey("main.consumer.group.instance.id"));
  }
}
