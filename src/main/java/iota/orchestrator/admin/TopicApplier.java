package iota.orchestrator.admin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Brings a Kafka cluster to a {@link TopicSpec} as far as it safely can: creates every missing
 * topic with its partitions, replication factor and configs, and for topics that already exist only
 * reports how they differ (partitions, replication factor, every config the spec declares). It
 * never alters an existing topic: adding partitions re-routes keys and changing retention or
 * cleanup policy can delete data, so those stay decisions for a person.
 */
public final class TopicApplier {
  private final Admin admin;

  /** Uses {@code admin} and leaves closing it to the caller. */
  /** How long {@link #apply} waits for created topics to have leaders. */
  static final Duration LEADER_WAIT = Duration.ofSeconds(30);

  public TopicApplier(Admin admin) {
    this.admin = admin;
  }

  /** A topic setting that differs from the spec and was left as it is. */
  public record Difference(String topic, String setting, String wanted, String actual) {
    @Override
    public String toString() {
      return topic + ": " + setting + " is " + actual + ", spec says " + wanted + " (not changed)";
    }
  }

  /**
   * What {@link #apply} did.
   *
   * @param created topics created now
   * @param matching existing topics that match the spec
   * @param differences settings of existing topics that differ from the spec, left unchanged
   */
  public record Report(List<String> created, List<String> matching, List<Difference> differences) {
    public Report {
      created = List.copyOf(created);
      matching = List.copyOf(matching);
      differences = List.copyOf(differences);
    }
  }

  /** Creates what is missing and compares what exists; see the class comment. */
  public Report apply(TopicSpec spec) throws InterruptedException, ExecutionException {
    Set<String> existing = admin.listTopics().names().get();
    List<String> created = new ArrayList<>();
    List<TopicSpec.Topic> toCompare = new ArrayList<>();
    for (TopicSpec.Topic topic : spec.topics()) {
      if (existing.contains(topic.name())) {
        toCompare.add(topic);
      } else if (create(spec, topic)) {
        created.add(topic.name());
      } else {
        toCompare.add(topic);
      }
    }
    awaitLeaders(spec, created);
    List<String> matching = new ArrayList<>();
    List<Difference> differences = new ArrayList<>();
    if (!toCompare.isEmpty()) {
      compare(spec, toCompare, matching, differences);
    }
    return new Report(created, matching, differences);
  }

  /**
   * Waits until every created topic is in the broker's metadata with a leader for each partition. The
   * controller answers a create before the brokers have caught up, and a Streams app started right
   * after (a global store above all) fails on a topic it cannot see yet.
   */
  private void awaitLeaders(TopicSpec spec, List<String> created) throws InterruptedException, ExecutionException {
    if (created.isEmpty()) {
      return;
    }
    Map<String, Integer> wanted = new LinkedHashMap<>();
    for (TopicSpec.Topic topic : spec.topics()) {
      if (created.contains(topic.name())) {
        wanted.put(topic.name(), topic.partitions());
      }
    }
    long deadline = System.nanoTime() + LEADER_WAIT.toNanos();
    long pauseMillis = 10;
    while (true) {
      try {
        Map<String, TopicDescription> seen = admin.describeTopics(wanted.keySet()).allTopicNames().get();
        if (wanted.entrySet().stream().allMatch(w -> led(seen.get(w.getKey()), w.getValue()))) {
          return;
        }
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("created topics " + wanted.keySet() + " have no leader after " + LEADER_WAIT);
      }
      Thread.sleep(pauseMillis);
      pauseMillis = Math.min(pauseMillis * 2, 200);
    }
  }

  private static boolean led(TopicDescription description, int partitions) {
    return description != null && description.partitions().size() == partitions
        && description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
  }

  /** Returns false if someone else created the topic meanwhile; it is then compared instead. */
  private boolean create(TopicSpec spec, TopicSpec.Topic topic) throws InterruptedException, ExecutionException {
    NewTopic newTopic = new NewTopic(topic.name(), topic.partitions(), (short) spec.replicationFactorOf(topic))
        .configs(topic.config());
    try {
      admin.createTopics(List.of(newTopic)).all().get();
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        return false;
      }
      throw e;
    }
  }

  private void compare(TopicSpec spec, List<TopicSpec.Topic> topics, List<String> matching, List<Difference> differences)
      throws InterruptedException, ExecutionException {
    Collection<String> names = topics.stream().map(TopicSpec.Topic::name).toList();
    Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames().get();
    Map<ConfigResource, Config> configs = admin.describeConfigs(names.stream()
        .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList()).all().get();
    for (TopicSpec.Topic topic : topics) {
      List<Difference> found = new ArrayList<>();
      TopicDescription description = descriptions.get(topic.name());
      int partitions = description.partitions().size();
      if (partitions != topic.partitions()) {
        found.add(new Difference(topic.name(), "partitions", String.valueOf(topic.partitions()), String.valueOf(partitions)));
      }
      int replicas = description.partitions().get(0).replicas().size();
      if (replicas != spec.replicationFactorOf(topic)) {
        found.add(new Difference(topic.name(), "replication factor",
            String.valueOf(spec.replicationFactorOf(topic)), String.valueOf(replicas)));
      }
      Map<String, String> actual = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic.name())).entries()
          .stream()
          .filter(e -> e.value() != null)
          .collect(Collectors.toMap(ConfigEntry::name, ConfigEntry::value, (a, b) -> a, LinkedHashMap::new));
      for (Map.Entry<String, String> wanted : topic.config().entrySet()) {
        String value = actual.get(wanted.getKey());
        if (!wanted.getValue().equals(value)) {
          found.add(new Difference(topic.name(), wanted.getKey(), wanted.getValue(), String.valueOf(value)));
        }
      }
      if (found.isEmpty()) {
        matching.add(topic.name());
      }
      differences.addAll(found);
    }
  }
}
