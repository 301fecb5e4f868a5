package iota.orchestrator.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.topology.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TopicSpecTest {
  @Test
  void specDeclaresEveryTopicOfTheSystemAndNoOther() {
    Set<String> declared = TopicSpec.bundled().topics().stream().map(TopicSpec.Topic::name).collect(Collectors.toSet());

    assertEquals(Set.of(Topics.CM_NOTIFY, Topics.HEARTBEAT, Topics.REQUESTS, Topics.POD_STATUS,
        Topics.ASSIGNMENTS, Topics.POD_COMMANDS, Topics.RESULTS, Topics.ORPHANS, Topics.DLQ), declared);
  }

  @Test
  void replayableInputsAreKeptForeverAndAssignmentsAreCompacted() {
    Map<String, TopicSpec.Topic> byName = TopicSpec.bundled().topics().stream()
        .collect(Collectors.toMap(TopicSpec.Topic::name, t -> t));

    assertEquals("-1", byName.get(Topics.CM_NOTIFY).config().get("retention.ms"));
    assertEquals("-1", byName.get(Topics.REQUESTS).config().get("retention.ms"));
    assertEquals("compact", byName.get(Topics.ASSIGNMENTS).config().get("cleanup.policy"));
    for (String finite : Set.of(Topics.HEARTBEAT, Topics.POD_STATUS, Topics.POD_COMMANDS, Topics.RESULTS, Topics.DLQ)) {
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
