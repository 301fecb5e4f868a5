package iota.orchestrator.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.topics.Topic;
import iota.orchestrator.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TopicSpecTest {
  @Test
  void specDeclaresEveryTopicOfTheSystemAndNoOther() {
    Set<String> declared = TopicSpec.bundled().topics().stream().map(TopicSpec.Topic::name).collect(Collectors.toSet());

    assertEquals(Set.of(Topics.CM_NOTIFY.name(), Topics.HEARTBEAT.name(), Topics.REQUESTS.name(), Topics.POD_STATUS.name(),
        Topics.POD_METRICS.name(), Topics.ASSIGNMENTS.name(), Topics.POD_COMMANDS.name(), Topics.RESULTS.name(), Topics.ORPHANS.name(), Topics.DLQ.name()), declared);
  }

  @Test
  void specAndCodeListTheSameTopicsInTheSameOrder() {
    List<String> declared = TopicSpec.bundled().topics().stream().map(TopicSpec.Topic::name).toList();

    assertEquals(declared, Topics.ALL.stream().map(Topic::name).toList());
  }

  @Test
  void replayableInputsAreKeptForeverAndAssignmentsAreCompacted() {
    Map<String, TopicSpec.Topic> byName = TopicSpec.bundled().topics().stream()
        .collect(Collectors.toMap(TopicSpec.Topic::name, t -> t));

    assertEquals("-1", byName.get(Topics.CM_NOTIFY.name()).config().get("retention.ms"));
    assertEquals("-1", byName.get(Topics.REQUESTS.name()).config().get("retention.ms"));
    assertEquals("compact", byName.get(Topics.ASSIGNMENTS.name()).config().get("cleanup.policy"));
    for (String finite : Set.of(Topics.HEARTBEAT.name(), Topics.POD_STATUS.name(), Topics.POD_METRICS.name(), Topics.POD_COMMANDS.name(), Topics.RESULTS.name(), Topics.DLQ.name())) {
      assertTrue(Long.parseLong(byName.get(finite).config().get("retention.ms")) > 0, finite);
    }
  }

  @Test
  void replicationFactorOverrideAppliesToEveryTopic() {
    TopicSpec three = TopicSpec.bundled().withReplicationFactor(3);

    assertTrue(three.topics().stream().allMatch(t -> three.replicationFactorOf(t) == 3));
  }

  @Test
  void topicWithoutCleanupPolicyIsRejectedNamingIt() {
    String json = "{\"topics\":[{\"name\":\"x\",\"partitions\":1,\"config\":{}}]}";

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TopicSpec.parse(json.getBytes(StandardCharsets.UTF_8), "test"));
    assertTrue(e.getMessage().contains("topic x") && e.getMessage().contains("cleanup.policy"), e.getMessage());
  }

  @Test
  void mqttStyleTopicNameIsRejected() {
    String json = "{\"topics\":[{\"name\":\"cm/notify\",\"partitions\":1,\"config\":{\"cleanup.policy\":\"delete\"}}]}";

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TopicSpec.parse(json.getBytes(StandardCharsets.UTF_8), "test"));
    assertTrue(e.getMessage().contains("cm/notify"), e.getMessage());
  }

  @Test
  void unknownFieldIsRejectedSoTyposDoNotPassSilently() {
    String json = "{\"topics\":[{\"name\":\"x\",\"partition\":1,\"config\":{\"cleanup.policy\":\"delete\"}}]}";

    assertThrows(IllegalArgumentException.class, () -> TopicSpec.parse(json.getBytes(StandardCharsets.UTF_8), "test"));
  }
}
