package iota.orchestrator.topology;

import iota.orchestrator.admin.TopicReader;
import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.model.PlanSnapshot;
import iota.orchestrator.model.StoreKey;
import iota.orchestrator.topics.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.commons.io.FileUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Rebuilds every type's plan from the retained change and request topics in a fresh application
 * — its own application id, state directory and internal topics, all removed afterwards — and
 * compares it with the live plan on the assignments topic, and each type's scaling history (the
 * {@code scaling} store: decisions, events, the plotted hour) byte for byte with the live
 * application's, read from that store's changelog. Metrics keep arriving while a replay runs, so the
 * live history may be rounds ahead: the replayed report must equal one of the states the live one
 * went through, not necessarily its newest. The replay topology has no outputs
 * ({@link OrchestratorTopology.Mode#REPLAY}), so it cannot command a pod or touch a live topic.
 */
public final class Replay {
  private static final Duration POLL = Duration.ofMillis(200);

  private final OrchestratorConfig config;
  private final PrintStream progress;

  public Replay(OrchestratorConfig config, PrintStream progress) {
    this.config = config;
    this.progress = progress;
  }

  /** The replayed plan and the live one. */
  public record Outcome(PlanSnapshot replayed, PlanSnapshot live, List<String> differences) {
    public boolean equal() {
      return differences.isEmpty();
    }
  }

  public Outcome run(Duration timeout) throws InterruptedException {
    String appId = config.require(ConfigKeys.APPLICATION_ID) + "-replay-" + UUID.randomUUID().toString().substring(0, 8);
    Path stateDir = createStateDir();
    Properties props = OrchestratorTopology.properties(config);
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 0);
    props.remove(StreamsConfig.APPLICATION_SERVER_CONFIG);
    try (Admin admin = Admin.create(adminProps())) {
      KafkaStreams streams = new KafkaStreams(OrchestratorTopology.build(config, OrchestratorTopology.Mode.REPLAY), props);
      try {
        Map<TopicPartition, Long> ends = endOffsets(admin, Set.of(Topics.CM_NOTIFY.name(), Topics.REQUESTS.name(), Topics.POD_METRICS.name()));
        long total = ends.values().stream().mapToLong(Long::longValue).sum();
        progress.printf("replaying %,d records of %s, %s and %s as application %s%n", total, Topics.CM_NOTIFY.name(), Topics.REQUESTS.name(), Topics.POD_METRICS.name(), appId);
        streams.start();
        awaitCaughtUp(admin, streams, appId, ends, total, timeout);
        PlanSnapshot replayed = readStores(streams);
        PlanSnapshot live = readLive();
        List<String> differences = new ArrayList<>(replayed.differences(live, "replay", "live"));
        differences.addAll(scalingDifferences(readScaling(streams), readLiveScaling()));
        return new Outcome(replayed, live, differences);
      } finally {
        streams.close(Duration.ofSeconds(10));
        streams.cleanUp();
        deleteInternalTopics(admin, appId);
        admin.deleteConsumerGroups(List.of(appId)).all().whenComplete((v, e) -> { });
        FileUtils.deleteQuietly(stateDir.toFile());
      }
    }
  }

  private void awaitCaughtUp(Admin admin, KafkaStreams streams, String appId, Map<TopicPartition, Long> ends, long total, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long lastReport = 0;
    while (true) {
      KafkaStreams.State state = streams.state();
      if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR) {
        throw new IllegalStateException("the replay application failed (state " + state + ")");
      }
      if (state == KafkaStreams.State.RUNNING) {
        Map<TopicPartition, Long> committed = committed(admin, appId);
        long done = 0;
        boolean inputsDone = true;
        for (var e : ends.entrySet()) {
          long c = committed.getOrDefault(e.getKey(), 0L);
          done += Math.min(c, e.getValue());
          inputsDone &= c >= e.getValue();
        }
        if (inputsDone && repartitionDrained(admin, appId, committed)) {
          progress.printf("replayed %,d of %,d records%n", total, total);
          return;
        }
        if (System.nanoTime() - lastReport > 2_000_000_000L) {
          progress.printf("replayed %,d of %,d records%n", done, total);
          lastReport = System.nanoTime();
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the replay did not catch up within " + timeout);
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  private boolean repartitionDrained(Admin admin, String appId, Map<TopicPartition, Long> committed) {
    String topic = appId + "-" + OrchestratorTopology.BY_TYPE_REPARTITION + "-repartition";
    Map<TopicPartition, Long> ends = endOffsets(admin, Set.of(topic));
    for (var e : ends.entrySet()) {
      if (committed.getOrDefault(e.getKey(), 0L) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private Map<TopicPartition, Long> committed(Admin admin, String appId) {
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, Long> out = new HashMap<>();
      offsets.forEach((tp, om) -> {
        if (om != null) out.put(tp, om.offset());
      });
      return out;
    } catch (Exception e) {
      return Map.of();
    }
  }

  private static Map<TopicPartition, Long> endOffsets(Admin admin, Set<String> topics) {
    try {
      Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get();
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      described.forEach((name, d) -> d.partitions().forEach(p -> request.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = admin.listOffsets(request).all().get();
      return result.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return Map.of();
      }
      throw new IllegalStateException("cannot read end offsets of " + topics + ": " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static PlanSnapshot readStores(KafkaStreams streams) {
    ReadOnlyKeyValueStore<String, String> placements =
        streams.store(StoreQueryParameters.fromNameAndType(StoreNames.PLACEMENTS, QueryableStoreTypes.<String, String>keyValueStore()));
    ReadOnlyKeyValueStore<String, InstanceState> instances =
        streams.store(StoreQueryParameters.fromNameAndType(StoreNames.INSTANCES, QueryableStoreTypes.<String, InstanceState>keyValueStore()));
    Map<String, List<String>> idsByInstance = new HashMap<>();
    try (KeyValueIterator<String, String> it = placements.all()) {
      while (it.hasNext()) {
        KeyValue<String, String> kv = it.next();
        StoreKey placement = StoreKey.parse(kv.key);
        idsByInstance.computeIfAbsent(StoreKey.of(placement.type(), kv.value), k -> new ArrayList<>()).add(placement.id());
      }
    }
    PlanSnapshot plan = new PlanSnapshot();
    try (KeyValueIterator<String, InstanceState> it = instances.all()) {
      while (it.hasNext()) {
        KeyValue<String, InstanceState> kv = it.next();
        if (kv.value.removed()) {
          continue;
        }
        List<String> ids = idsByInstance.getOrDefault(kv.key, new ArrayList<>());
        ids.sort(null);
        StoreKey instance = StoreKey.parse(kv.key);
        plan.put(instance.type(), instance.instanceId(),
            new PlanSnapshot.Instance(ids.size(), kv.value.count(), ids, kv.value.reload()));
      }
    }
    return plan;
  }

  private static Map<String, byte[]> readScaling(KafkaStreams streams) {
    ReadOnlyKeyValueStore<String, byte[]> store =
        streams.store(StoreQueryParameters.fromNameAndType(StoreNames.SCALING, QueryableStoreTypes.<String, byte[]>keyValueStore()));
    Map<String, byte[]> reports = new TreeMap<>();
    try (KeyValueIterator<String, byte[]> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        reports.put(kv.key, kv.value);
      }
    }
    return reports;
  }

  /** The live application's scaling reports: every state per type on the store's changelog, oldest first. */
  private Map<String, List<byte[]>> readLiveScaling() {
    Properties p = new Properties();
    p.putAll(config.kafkaOverrides());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.require(ConfigKeys.BOOTSTRAP_SERVERS));
    Map<String, List<byte[]>> reports = new TreeMap<>();
    String changelog = config.require(ConfigKeys.APPLICATION_ID) + "-" + StoreNames.SCALING + "-changelog";
    TopicReader.readCommitted(p, changelog, r -> {
      if (r.value() == null) {
        reports.remove(r.key());
      } else {
        reports.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
      }
    });
    return reports;
  }

  /** One line per type whose scaling history differs between the replay and the live application. */
  static List<String> scalingDifferences(Map<String, byte[]> replayed, Map<String, List<byte[]>> live) {
    List<String> differences = new ArrayList<>();
    TreeSet<String> types = new TreeSet<>(replayed.keySet());
    types.addAll(live.keySet());
    for (String type : types) {
      byte[] r = replayed.get(type);
      List<byte[]> states = live.getOrDefault(type, List.of());
      if (r == null) {
        differences.add("scaling of " + type + ": only in live");
      } else if (states.isEmpty()) {
        differences.add("scaling of " + type + ": only in replay");
      } else if (states.stream().noneMatch(l -> Arrays.equals(r, l))) {
        differences.add("scaling of " + type + ": the replayed report (" + r.length + " bytes) is none of the "
            + states.size() + " states the live one went through");
      }
    }
    return differences;
  }

  /** The live plan: the assignments topic read to its end, newest state per instance. */
  public PlanSnapshot readLive() {
    Properties p = new Properties();
    p.putAll(config.kafkaOverrides());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.require(ConfigKeys.BOOTSTRAP_SERVERS));
    PlanSnapshot plan = new PlanSnapshot();
    TopicReader.readCommitted(p, Topics.ASSIGNMENTS.name(), r -> plan.apply(r.key(), Topics.ASSIGNMENTS.value(r.value())));
    return plan;
  }

  private Properties adminProps() {
    Properties p = new Properties();
    p.putAll(config.kafkaOverrides());
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.require(ConfigKeys.BOOTSTRAP_SERVERS));
    return p;
  }

  private static void deleteInternalTopics(Admin admin, String appId) {
    try {
      Set<String> internal = admin.listTopics().names().get().stream().filter(t -> t.startsWith(appId + "-")).collect(Collectors.toSet());
      if (!internal.isEmpty()) {
        admin.deleteTopics(internal).all().get();
      }
    } catch (Exception e) {
      // Leftover internal topics of a replay are inert; say so rather than fail the comparison.
      System.err.println("could not delete the replay's internal topics (" + appId + "-*): " + e.getMessage());
    }
  }

  private Path createStateDir() {
    try {
      Path base = Path.of(config.require(ConfigKeys.STATE_DIR)).toAbsolutePath().getParent();
      Files.createDirectories(base);
      return Files.createTempDirectory(base, "replay-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
