package iota.orchestrator.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import iota.orchestrator.IntegrationTest;
import iota.orchestrator.cli.TopicsCommand;
import iota.orchestrator.embedded.EmbeddedKafka;
import iota.orchestrator.topics.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@IntegrationTest
class TopicApplierTest {
  /** Every topic the bundled spec declares: each test creates all of them, or all but one it made itself. */
  private static final int ALL = TopicSpec.bundled().topics().size();
  @TempDir static Path dir;
  static EmbeddedKafka kafka;
  Admin admin;
  String prefix;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafka.start(dir, 0, Map.of("auto.create.topics.enable", "false"));
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }

  @BeforeEach
  void connect(TestInfo test) {
    admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
    // One broker serves the class: each test gets topics of its own instead of deleting between
    // tests, since a topic being deleted cannot be created again at once.
    prefix = test.getTestMethod().orElseThrow().getName() + ".";
  }

  @AfterEach
  void close() {
    admin.close();
  }

  @Test
  void createsEveryMissingTopicWithItsPartitionsAndConfigs() throws Exception {
    TopicApplier.Report report = new TopicApplier(admin).apply(TopicSpec.bundled());

    assertEquals(ALL, report.created().size());
    assertEquals(List.of(), report.differences());
    assertEquals(1, partitions(Topics.CM_NOTIFY.name()));
    awaitKnown(TopicSpec.bundled());
    assertEquals("compact", topicConfig(Topics.ASSIGNMENTS.name(), "cleanup.policy"));
    assertEquals("-1", topicConfig(Topics.CM_NOTIFY.name(), "retention.ms"));
    assertEquals("86400000", topicConfig(Topics.HEARTBEAT.name(), "retention.ms"));
  }

  @Test
  void secondApplyCreatesNothingAndFindsEverythingAsSpecified() throws Exception {
    TopicSpec spec = prefixed();
    new TopicApplier(admin).apply(spec);
    awaitKnown(spec);

    TopicApplier.Report again = new TopicApplier(admin).apply(spec);
    assertEquals(List.of(), again.created());
    assertEquals(ALL, again.matching().size());
    assertEquals(List.of(), again.differences());
  }

  @Test
  void existingTopicThatDiffersIsReportedAndLeftAsItIs() throws Exception {
    String heartbeat = prefix + Topics.HEARTBEAT.name();
    admin.createTopics(List.of(new NewTopic(heartbeat, 2, (short) 1)
        .configs(Map.of("cleanup.policy", "compact")))).all().get();
    awaitKnown(heartbeat);

    TopicApplier.Report report = new TopicApplier(admin).apply(prefixed());
    assertEquals(ALL - 1, report.created().size());
    assertEquals(Set.of(
            new TopicApplier.Difference(heartbeat, "partitions", "6", "2"),
            new TopicApplier.Difference(heartbeat, "cleanup.policy", "delete", "compact"),
            new TopicApplier.Difference(heartbeat, "retention.ms", "86400000", "604800000")),
        Set.copyOf(report.differences()));
    assertEquals("compact", topicConfig(heartbeat, "cleanup.policy"));
    assertEquals(2, partitions(heartbeat));
  }

  @Test
  void replicationFactorTheClusterCannotMeetFailsTheCreationLoudly() {
    Exception e = assertThrows(Exception.class,
        () -> new TopicApplier(admin).apply(prefixed().withReplicationFactor(3)));
    assertTrue(String.valueOf(e.getMessage()).toLowerCase().contains("replication"), e.getMessage());
  }

  @Test
  void applyCommandPrintsCreatedTopicsThenDifferencesAndExitsZero() throws Exception {
    Path file = dir.resolve("spec.json");
    Files.write(file, new ObjectMapper().writeValueAsBytes(prefixed()));
    String dlq = prefix + Topics.DLQ.name();
    admin.createTopics(List.of(new NewTopic(dlq, 3, (short) 1)
        .configs(Map.of("cleanup.policy", "delete", "retention.ms", "2592000000")))).all().get();
    awaitKnown(dlq);
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new TopicsCommand());
    cli.setOut(new PrintWriter(out));

    int exit = cli.execute("apply", "--bootstrap-servers", kafka.bootstrapServers(), "--file", file.toString());
    String printed = out.toString();
    assertEquals(0, exit, printed);
    assertTrue(printed.contains("created   " + prefix + Topics.CM_NOTIFY.name()), printed);
    assertTrue(printed.contains("differs   " + dlq + ": partitions is 3, spec says 1 (not changed)"), printed);
    assertTrue(printed.contains((ALL - 1) + " created, 0 already as specified, 1 difference(s)"), printed);
  }

  @Test
  void topicsWithoutSubcommandIsAUsageError() {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new TopicsCommand());
    cli.setErr(new PrintWriter(err));

    assertEquals(2, cli.execute());
    assertTrue(err.toString().contains("apply"), err.toString());
  }

  /** The bundled spec with this test's prefix on every name. */
  private TopicSpec prefixed() {
    TopicSpec bundled = TopicSpec.bundled();
    return new TopicSpec(bundled.replicationFactor(), bundled.topics().stream()
        .map(t -> new TopicSpec.Topic(prefix + t.name(), t.partitions(), t.replicationFactor(), t.config(), t.description()))
        .toList());
  }

  /** A topic just created is known to the controller before the broker answers for it. */
  private void awaitKnown(TopicSpec spec) {
    spec.topics().forEach(t -> awaitKnown(t.name()));
  }

  private void awaitKnown(String topic) {
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> topicConfig(topic, "cleanup.policy") != null);
  }

  private int partitions(String topic) throws Exception {
    awaitKnown(topic);
    return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
  }

  private String topicConfig(String topic, String key) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    return admin.describeConfigs(List.of(resource)).all().get().get(resource).get(key).value();
  }
}
