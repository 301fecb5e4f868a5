package iota.orchestrator.topology;

import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.model.Json;
import iota.orchestrator.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.commons.io.FileUtils;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

/** A TopologyTestDriver around the real topology, with helpers that speak the platform's messages. */
final class TopologyFixture implements AutoCloseable {
  static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  final OrchestratorConfig config;
  final TopologyTestDriver driver;
  final TestInputTopic<String, byte[]> cmNotify;
  final TestInputTopic<String, byte[]> heartbeats;
  final TestInputTopic<String, byte[]> requests;
  final TestInputTopic<String, byte[]> podStatus;
  final TestInputTopic<String, byte[]> podMetrics;
  final TestOutputTopic<String, String> assignments;
  final TestOutputTopic<String, String> podCommands;
  final TestOutputTopic<String, String> results;
  final TestOutputTopic<byte[], byte[]> dlq;
  private final Path stateDir;

  TopologyFixture(Map<String, String> overrides) {
    this(overrides, OrchestratorTopology.Routing.BY_TYPE);
  }

  TopologyFixture(Map<String, String> overrides, OrchestratorTopology.Routing routing) {
    this(overrides, OrchestratorTopology.Mode.LIVE, routing);
  }

  TopologyFixture(Map<String, String> overrides, OrchestratorTopology.Mode mode, OrchestratorTopology.Routing routing) {
    try {
      Files.createDirectories(Path.of("target"));
      stateDir = Files.createTempDirectory(Path.of("target"), "ttd-state");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Map<String, String> flags = new HashMap<>();
    flags.put("iota.bootstrap.servers", "ttd:9092");
    flags.put("iota.state.dir", stateDir.toString());
    flags.put("iota.heartbeat.timeout", "90s");
    // Under exactly-once the flush follows the commit interval; 20 ms keeps the tests' clock short.
    flags.put("iota.commit.interval", "20ms");
    flags.putAll(overrides);
    config = OrchestratorConfig.of(flags);
    Properties props = OrchestratorTopology.properties(config);
    driver = new TopologyTestDriver(OrchestratorTopology.build(config, mode, routing), props, START);
    StringSerializer s = new StringSerializer();
    ByteArraySerializer b = new ByteArraySerializer();
    cmNotify = driver.createInputTopic(Topics.CM_NOTIFY.name(), s, b, START, Duration.ofMillis(1));
    heartbeats = driver.createInputTopic(Topics.HEARTBEAT.name(), s, b, START, Duration.ofMillis(1));
    requests = driver.createInputTopic(Topics.REQUESTS.name(), s, b, START, Duration.ofMillis(1));
    podStatus = driver.createInputTopic(Topics.POD_STATUS.name(), s, b, START, Duration.ofMillis(1));
    podMetrics = driver.createInputTopic(Topics.POD_METRICS.name(), s, b, START, Duration.ofMillis(1));
    StringDeserializer sd = new StringDeserializer();
    assignments = driver.createOutputTopic(Topics.ASSIGNMENTS.name(), sd, sd);
    podCommands = driver.createOutputTopic(Topics.POD_COMMANDS.name(), sd, sd);
    results = driver.createOutputTopic(Topics.RESULTS.name(), sd, sd);
    dlq = driver.createOutputTopic(Topics.DLQ.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  TopologyFixture() {
    this(Map.of());
  }

  void notify(String json) {
    cmNotify.pipeInput("cm/notify", json.getBytes(StandardCharsets.UTF_8));
  }

  void heartbeat(String resource, Object instanceId) {
    String id = instanceId instanceof String ? "\"" + instanceId + "\"" : String.valueOf(instanceId);
    heartbeats.pipeInput(null, ("{\"resource\":\"" + resource + "\",\"instanceId\":" + id + ",\"ts\":1}").getBytes(StandardCharsets.UTF_8));
  }

  void request(String json) {
    requests.pipeInput(null, json.getBytes(StandardCharsets.UTF_8));
  }

  void advance(Duration d) {
    driver.advanceWallClockTime(d);
  }

  /** Lets the assignment flush punctuator run. */
  void flush() {
    advance(Duration.ofMillis(25));
  }

  /** Every assignment emitted so far, newest per key; tombstones as null values. */
  Map<String, JsonNode> latestAssignments(Map<String, JsonNode> into) {
    for (TestRecord<String, String> r : assignments.readRecordsToList()) {
      into.put(r.key(), r.value() == null ? null : tree(r.value()));
    }
    return into;
  }

  List<JsonNode> commands() {
    List<JsonNode> out = new ArrayList<>();
    for (String v : podCommands.readValuesToList()) {
      out.add(tree(v));
    }
    return out;
  }

  JsonNode result() {
    return tree(results.readValue());
  }

  KeyValueStore<String, String> placements() {
    return driver.getKeyValueStore(StoreNames.PLACEMENTS);
  }

  KeyValueStore<String, String> byInstance() {
    return driver.getKeyValueStore(StoreNames.INSTANCE_RESOURCES);
  }

  KeyValueStore<String, byte[]> scaling() {
    return driver.getKeyValueStore(StoreNames.SCALING);
  }

  KeyValueStore<String, InstanceState> instances() {
    return driver.getKeyValueStore(StoreNames.INSTANCES);
  }

  static JsonNode tree(String json) {
    return Json.tree(json.getBytes(StandardCharsets.UTF_8));
  }

  static String header(TestRecord<byte[], byte[]> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    driver.close();
    FileUtils.deleteQuietly(stateDir.toFile());
  }
}
