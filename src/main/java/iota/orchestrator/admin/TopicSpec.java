package iota.orchestrator.admin;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The declared Kafka topics of the system: name, partitions, replication factor and topic configs
 * (cleanup policy, retention). The canonical file is {@code topics/topics.json} at the root of the
 * repository, for people and tools; the jar carries a byte-identical copy as the classpath resource
 * {@value #RESOURCE} (a test fails the build when they differ), so the orchestrator needs no file
 * beside it.
 *
 * @param replicationFactor the replication factor of topics that do not set their own
 * @param topics every topic, in the order they are declared
 */
public record TopicSpec(int replicationFactor, List<Topic> topics) {
  /** The classpath copy of {@code topics/topics.json}. */
  public static final String RESOURCE = "/iota/topics.json";

  private static final Pattern KAFKA_TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
  private static final Set<String> CLEANUP_POLICIES = Set.of("delete", "compact", "compact,delete", "delete,compact");
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /**
   * One topic.
   *
   * @param name the Kafka topic name
   * @param partitions partition count at creation
   * @param replicationFactor its own replication factor, or null for the spec's
   * @param config topic configs set at creation and compared afterwards; always has {@code
   *     cleanup.policy}
   * @param description why it is set up this way
   */
  public record Topic(
      @JsonProperty("name") String name,
      @JsonProperty("partitions") int partitions,
      @JsonProperty("replicationFactor") Integer replicationFactor,
      @JsonProperty("config") Map<String, String> config,
      @JsonProperty("description") String description) {
    public Topic {
      config = config == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(config));
    }
  }

  public TopicSpec {
    topics = List.copyOf(topics);
    validate(replicationFactor, topics);
  }

  /** The spec bundled in the jar. */
  public static TopicSpec bundled() {
    try (InputStream in = TopicSpec.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("classpath resource " + RESOURCE + " is missing from the build");
      }
      return parse(in.readAllBytes(), "classpath:" + RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  /** Reads a spec file such as {@code topics/topics.json}. */
  public static TopicSpec load(Path file) {
    try {
      return parse(Files.readAllBytes(file), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read topic spec " + file, e);
    }
  }

  /** Parses spec JSON; {@code origin} names it in error messages. */
  public static TopicSpec parse(byte[] json, String origin) {
    try {
      return JSON.readValue(json, Raw.class).toSpec();
    } catch (JsonProcessingException e) {
      // A check in a record constructor reaches us wrapped by Jackson; its own message says more.
      String reason = e.getCause() instanceof IllegalArgumentException ? e.getCause().getMessage() : e.getOriginalMessage();
      throw new IllegalArgumentException("invalid topic spec " + origin + ": " + reason, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read topic spec " + origin, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid topic spec " + origin + ": " + e.getMessage(), e);
    }
  }

  /** The replication factor of {@code topic} under this spec. */
  public int replicationFactorOf(Topic topic) {
    return topic.replicationFactor() != null ? topic.replicationFactor() : replicationFactor;
  }

  /** This spec with every topic at {@code factor} replicas, for a cluster of another size. */
  public TopicSpec withReplicationFactor(int factor) {
    return new TopicSpec(factor, topics.stream()
        .map(t -> new Topic(t.name(), t.partitions(), null, t.config(), t.description()))
        .toList());
  }

  /**
   * This spec with every topic at most {@code max} partitions: a single-node laptop setup gains
   * nothing from parallelism it cannot use, and every partition a transaction touches costs a
   * marker write at each commit.
   */
  public TopicSpec withPartitionsAtMost(int max) {
    return new TopicSpec(replicationFactor, topics.stream()
        .map(t -> new Topic(t.name(), Math.min(t.partitions(), max), t.replicationFactor(), t.config(), t.description()))
        .toList());
  }

  /** This spec with every topic at exactly {@code n} partitions, for tests and benchmarks of scaling. */
  public TopicSpec withPartitions(int n) {
    return new TopicSpec(replicationFactor, topics.stream()
        .map(t -> new Topic(t.name(), n, t.replicationFactor(), t.config(), t.description()))
        .toList());
  }

  /** Creates every topic of the bundled spec on a single-broker cluster with {@code partitions} each. */
  public static void createForTests(String bootstrap, int partitions) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      new TopicApplier(admin).apply(bundled().withReplicationFactor(1).withPartitions(partitions));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create topics", e.getCause());
    }
  }

  private static void validate(int replicationFactor, List<Topic> topics) {
    if (replicationFactor < 1) {
      throw new IllegalArgumentException("replicationFactor must be at least 1, got " + replicationFactor);
    }
    Set<String> names = new HashSet<>();
    for (Topic t : topics) {
      if (t.name() == null || !KAFKA_TOPIC_NAME.matcher(t.name()).matches()) {
        throw new IllegalArgumentException("topic name " + t.name() + " is not a Kafka topic name");
      }
      if (!names.add(t.name())) {
        throw new IllegalArgumentException("topic " + t.name() + " is declared twice");
      }
      if (t.partitions() < 1) {
        throw new IllegalArgumentException("topic " + t.name() + ": partitions must be at least 1");
      }
      if (t.replicationFactor() != null && t.replicationFactor() < 1) {
        throw new IllegalArgumentException("topic " + t.name() + ": replicationFactor must be at least 1");
      }
      // Every topic states its cleanup policy: whether history is kept or compacted is the one
      // setting that must never come from a broker default by accident.
      String policy = t.config().get("cleanup.policy");
      if (policy == null || !CLEANUP_POLICIES.contains(policy)) {
        throw new IllegalArgumentException("topic " + t.name() + ": config cleanup.policy must be one of "
            + CLEANUP_POLICIES + ", got " + policy);
      }
    }
  }

  /** The file's shape; the records above stay free of parsing defaults. */
  private record Raw(
      @JsonProperty("replicationFactor") Integer replicationFactor,
      @JsonProperty("topics") List<Topic> topics) {
    TopicSpec toSpec() {
      if (topics == null || topics.isEmpty()) {
        throw new IllegalArgumentException("no topics declared");
      }
      return new TopicSpec(replicationFactor == null ? 1 : replicationFactor, topics);
    }
  }
}
