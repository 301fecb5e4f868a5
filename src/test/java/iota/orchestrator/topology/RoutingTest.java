package iota.orchestrator.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import iota.orchestrator.IntegrationTest;
import iota.orchestrator.embedded.EmbeddedKafka;
import iota.orchestrator.topology.OrchestratorTopology.Routing;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The direct routing is a shortcut for single-partition inputs: it must change nothing but latency. */
class RoutingTest {
  @TempDir Path dir;

  /** Everything a run emitted, topic by topic, in order. */
  private static List<String> run(Routing routing, Consumer<TopologyFixture> inputs) {
    try (TopologyFixture f = new TopologyFixture(Map.of(
        "iota.resource.thing.init.instances", "3",
        "iota.resource.thing.resource.per.instance", "2",
        "iota.heartbeat.timeout", "5s"), routing)) {
      inputs.accept(f);
      f.flush();
      List<String> out = new ArrayList<>();
      for (TestRecord<String, String> r : f.assignments.readRecordsToList()) {
        out.add("assignment " + r.key() + " " + r.value());
      }
      f.podCommands.readRecordsToList().forEach(r -> out.add("pod " + r.key() + " " + r.value()));
      f.results.readRecordsToList().forEach(r -> out.add("result " + r.key() + " " + r.value()));
      f.dlq.readRecordsToList().forEach(r -> out.add("dlq " + new String(r.value(), StandardCharsets.UTF_8)));
      return out;
    }
  }

  @Test
  void bothRoutingsEmitTheSameAssignmentsCommandsResultsAndDeadLetters() {
    Consumer<TopologyFixture> inputs = f -> {
      for (int i = 0; i < 7; i++) {
        f.notify("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"t" + i + "\"}}");
      }
      f.notify("{\"o\":\"bc\",\"t\":\"Rule\",\"keys\":[\"r1\",\"r2\",\"r3\"]}");
      f.notify("not json");
      f.notify("{\"o\":\"d\",\"t\":\"Thing\",\"k\":{\"id\":\"t3\"}}");
      f.flush();
      f.request("{\"requestId\":\"q1\",\"resource\":\"Thing\",\"maxInstances\":10,\"resourcePerInstance\":3,\"initInstances\":3}");
      f.heartbeat("Thing", 0);
      f.heartbeat("Thing", 1);
      f.advance(Duration.ofSeconds(6));
      f.notify("{\"o\":\"bd\",\"t\":\"Rule\",\"where\":{\"id\":{\"$in\":[\"r1\",\"r2\"]}}}");
    };
    List<String> byType = run(Routing.BY_TYPE, inputs);
    List<String> direct = run(Routing.DIRECT, inputs);
    assertFalse(byType.stream().noneMatch(s -> s.startsWith("dlq ")), "the scenario includes a dead letter: " + byType);
    assertFalse(byType.stream().noneMatch(s -> s.startsWith("pod ") && s.contains("recreate")), "and a recreate: " + byType);
    assertEquals(byType, direct);
  }

  @Test
  @IntegrationTest
  void directOnlyWhenEveryInputTopicHasOnePartition() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0, Map.of("auto.create.topics.enable", "false"));
        Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic("a", 1, (short) 1), new NewTopic("b", 1, (short) 1), new NewTopic("c", 3, (short) 1)))
          .all().get();
      assertEquals(Routing.DIRECT, OrchestratorTopology.routingFor(admin, List.of("a", "b")));
      assertEquals(Routing.BY_TYPE, OrchestratorTopology.routingFor(admin, List.of("a", "c")), "one topic with three partitions");
      assertEquals(Routing.BY_TYPE, OrchestratorTopology.routingFor(admin, List.of("a", "missing")), "a topic that is not there");
    }
  }
}
