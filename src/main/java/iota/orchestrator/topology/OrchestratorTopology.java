package iota.orchestrator.topology;

import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.orphans.OrphanReport;
import iota.orchestrator.topics.JsonSerde;
import iota.orchestrator.topics.Topic;
import iota.orchestrator.topics.Topics;
import iota.orchestrator.topics.Utf8Serde;
import java.util.HashMap;
import iota.orchestrator.placement.LoadEstimator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.BranchedKStream;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestration topology, built by one function from the configuration so that the stream
 * app, the replay tool and the tests all run the same code.
 *
 * <pre>
 *  iota.cm-notify ─ parse-change ──┐
 *  HeartBeat ────── parse-heartbeat ┤
 *  requests ─────── parse-request ──┼─ repartition "by-type" ─ orchestrate ─ route-┬ assignments-sink
 *  pod-metrics ──── parse-pod-metrics┤  (key = resource type)   [placements,       ├ pod-commands-sink
 *  pod-status ───── parse-pod-status┘                            instances, types,  │
 *                                                                 scaling, elastic,  ├ results-sink
 *                                                                 load-instances,    │
 *                                                                 load-weights]      │
 *  (unusable records at any step ──────────────────────────────────────────────────└ dlq-sink)
 *
 *  iota.orchestrator.orphans ── global store "orphans" (the executor's reports, for the REST API)
 * </pre>
 *
 * <p>When every input topic has a single partition, one task reads them all and already sees every
 * type, so the inputs may go straight to the processor ({@link Routing#DIRECT}). The repartition
 * would only add an exactly-once commit to every change's path.
 */
public final class OrchestratorTopology {
  private static final Logger LOG = LoggerFactory.getLogger(OrchestratorTopology.class);

  private OrchestratorTopology() {}

  /** What the topology is built for. */
  public enum Mode {
    /** The live application: every input, every output. */
    LIVE,
    /**
     * Rebuilding the plan from history: only the inputs that decide placement (changes, requests
     * and pod metrics) and no outputs, so a replay can never command a pod or touch the live topics.
     */
    REPLAY
  }

  /** How the parsed inputs reach the orchestrating processor. */
  public enum Routing {
    /**
     * Through the {@code by-type} repartition topic, keyed by resource type. Works for any
     * partition counts and lets the application scale out. Under exactly-once, a change then
     * waits for two commits: the repartition's, then the outputs'.
     */
    BY_TYPE,
    /**
     * Straight from the parsers to the processor, in the same task. Only correct when every input
     * topic has exactly one partition: then one task reads every input, so it owns every type.
     * A change waits for one commit.
     */
    DIRECT
  }

  /** The topics a live application writes. */
  static final List<Topic<?, ?>> OUTPUTS = List.of(Topics.ASSIGNMENTS, Topics.POD_COMMANDS, Topics.RESULTS, Topics.DLQ);

  /** The input topics a live application reads. */
  static final List<String> LIVE_INPUTS = Stream.of(Topics.CM_NOTIFY, Topics.REQUESTS, Topics.HEARTBEAT, Topics.POD_STATUS, Topics.POD_METRICS).map(Topic::name).toList();

  /** Name of the repartition that re-keys every input by resource type. */
  static final String BY_TYPE_REPARTITION = "by-type";

  public static Topology build(OrchestratorConfig config) {
    return build(config, Mode.LIVE);
  }

  public static Topology build(OrchestratorConfig config, Mode mode) {
    return build(config, mode, Routing.BY_TYPE);
  }

  /**
   * {@link Routing#DIRECT} when every live input topic exists with one partition, else {@link
   * Routing#BY_TYPE}. A topic that cannot be described counts as "not known to be single", so the
   * answer is the routing that is always correct.
   */
  public static Routing routingFor(Admin admin) {
    return routingFor(admin, LIVE_INPUTS);
  }

  static Routing routingFor(Admin admin, List<String> inputs) {
    try {
      Map<String, TopicDescription> topics = admin.describeTopics(inputs).allTopicNames().get(30, TimeUnit.SECONDS);
      boolean single = topics.values().stream().allMatch(t -> t.partitions().size() == 1);
      return single ? Routing.DIRECT : Routing.BY_TYPE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Routing.BY_TYPE;
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("could not describe the input topics {} ({}); routing through the by-type repartition", inputs, e.toString());
      return Routing.BY_TYPE;
    }
  }

  /**
   * The {@code max.message.bytes} of each of {@code topics} that could be read; a topic that
   * could not (missing, no permission) is left out and keeps the configured limit.
   */
  static Map<String, Integer> maxMessageBytes(Admin admin, List<String> topics) {
    List<ConfigResource> resources = topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
    Map<String, Integer> limits = new HashMap<>();
    var futures = admin.describeConfigs(resources).values();
    for (var f : futures.entrySet()) {
      try {
        ConfigEntry e = f.getValue().get(30, TimeUnit.SECONDS).get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        if (e != null && e.value() != null) {
          limits.put(f.getKey().name(), Integer.parseInt(e.value()));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return limits;
      } catch (ExecutionException | TimeoutException | RuntimeException e) {
        LOG.warn("could not read max.message.bytes of {} ({}); keeping iota.record.max.bytes for it", f.getKey().name(), e.toString());
      }
    }
    return limits;
  }

  public static Topology build(OrchestratorConfig config, Mode mode, Routing routing) {
    return build(config, mode, routing, RecordLimits.of(config));
  }

  /**
   * @param limits the largest record each sink writes; a larger one goes to the DLQ instead
   *     ({@link RecordLimits})
   */
  public static Topology build(OrchestratorConfig config, Mode mode, Routing routing, RecordLimits limits) {
    TypeRegistry types = new TypeRegistry(config.resourceTypes());
    StreamsBuilder builder = new StreamsBuilder();
    // Keys become store keys: strict UTF-8, so two different ids can never share one.
    Serde<String> strings = Utf8Serde.INSTANCE;
    builder.addStateStore(store(StoreNames.PLACEMENTS, strings));
    builder.addStateStore(store(StoreNames.INSTANCE_RESOURCES, strings));
    // An instance's state (and its type's) is rewritten by every change that touches it, so these
    // two stores sit behind the record cache: a commit writes each key's last value to the changelog
    // once instead of once per change (a create burst rewrites one instance thousands of times).
    // Reads, interactive queries included, see the cache; a placement and its index entry are
    // written once per resource, so caching them would only add work.
    builder.addStateStore(store(StoreNames.INSTANCES, JsonSerde.of(InstanceState.class)).withCachingEnabled());
    builder.addStateStore(store(StoreNames.TYPES, JsonSerde.of(TypeState.class)).withCachingEnabled());
    // Written once per metrics round or drain of a type, so a record cache would save nothing.
    builder.addStateStore(store(StoreNames.SCALING, Serdes.ByteArray()));
    builder.addStateStore(store(StoreNames.ELASTIC, JsonSerde.of(ElasticState.class)));
    builder.addStateStore(store(StoreNames.LOAD_INSTANCES, JsonSerde.of(LoadEstimator.InstanceLoad.class)));
    builder.addStateStore(store(StoreNames.LOAD_WEIGHTS, JsonSerde.of(Double.class)));

    // Inputs come in as bytes, not in their topics' formats: the parsers refuse a bad record with a
    // reason the dead letter carries, where a failing deserializer would only say that it failed.
    Consumed<byte[], byte[]> raw = Consumed.with(Serdes.ByteArray(), Serdes.ByteArray());
    KStream<String, Input> changes = builder.stream(Topics.CM_NOTIFY.name(), raw.withName("cm-notify-source"))
        .process(InputParsers.changes(types, limits.valueLimit(BY_TYPE_REPARTITION)), Named.as("parse-change"));
    KStream<String, Input> inputs = changes.merge(
        builder.stream(Topics.REQUESTS.name(), raw.withName("requests-source"))
            .process(InputParsers.requests(), Named.as("parse-request")),
        Named.as("merge-requests"));
    // Pod usage decides the pool size and the load moves, so a replay reads it as it reads changes.
    inputs = inputs.merge(
        builder.stream(Topics.POD_METRICS.name(), raw.withName("pod-metrics-source"))
            .process(InputParsers.podMetrics(types), Named.as("parse-pod-metrics")),
        Named.as("merge-pod-metrics"));
    if (mode == Mode.LIVE) {
      KStream<String, Input> heartbeats = builder.stream(Topics.HEARTBEAT.name(), raw.withName("heartbeat-source"))
          .process(InputParsers.heartbeats(types), Named.as("parse-heartbeat"));
      KStream<String, Input> pods = builder.stream(Topics.POD_STATUS.name(), raw.withName("pod-status-source"))
          .process(InputParsers.podStatus(types), Named.as("parse-pod-status"));
      inputs = inputs.merge(heartbeats, Named.as("merge-heartbeats")).merge(pods, Named.as("merge-pod-status"));
    }

    KStream<String, Input> routed = routing == Routing.DIRECT
        ? inputs
        : inputs.repartition(Repartitioned.<String, Input>as(BY_TYPE_REPARTITION)
            .withKeySerde(strings)
            .withValueSerde(SizeCheckedSerializer.limited(JsonSerde.of(Input.class), limits)));
    KStream<String, Output> outputs = routed
        .process(() -> new OrchestratorProcessor(config), Named.as("orchestrate"), StoreNames.PLACEMENTS, StoreNames.INSTANCE_RESOURCES, StoreNames.INSTANCES, StoreNames.TYPES,
            StoreNames.SCALING, StoreNames.ELASTIC, StoreNames.LOAD_INSTANCES, StoreNames.LOAD_WEIGHTS);
    if (mode == Mode.LIVE) {
      // The executor's orphan reports, kept as they come and served by every instance from its copy.
      Topic<String, OrphanReport> orphans = Topics.ORPHANS;
      builder.globalTable(orphans.name(),
          Consumed.with(orphans.keySerde(), orphans.valueSerde()).withName("orphans-source"),
          Materialized.<String, OrphanReport, KeyValueStore<Bytes, byte[]>>as(StoreNames.ORPHANS)
              .withKeySerde(orphans.keySerde()).withValueSerde(orphans.valueSerde()));
      emit(outputs, strings, Output.serde(limits));
    }
    return builder.build();
  }

  /**
   * One named sink per output topic, so {@link Topology#describe()} shows where each record goes. The
   * split forwards each output to its sink as the processor emits it, so the producer still receives
   * the outputs of one input in the order they were decided in.
   */
  private static void emit(KStream<String, Output> outputs, Serde<String> keys, Serde<Output> values) {
    BranchedKStream<String, Output> routes = outputs.split(Named.as("route-"));
    for (Topic<?, ?> topic : OUTPUTS) {
      String name = topic.name();
      String shortName = sinkName(topic);
      routes = routes.branch((key, out) -> out.topic().equals(name),
          Branched.withConsumer(s -> s.to(name, Produced.with(keys, values).withName(shortName + "-sink")), shortName));
    }
    routes.noDefaultBranch();
  }

  /** {@code iota.orchestrator.pod-commands} -> {@code pod-commands}. */
  private static String sinkName(Topic<?, ?> topic) {
    return topic.name().substring(topic.name().lastIndexOf('.') + 1);
  }

  private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> values) {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Utf8Serde.INSTANCE, values);
  }

  /** Streams client properties from the configuration; {@code kafka.*} overrides come last. */
  public static Properties properties(OrchestratorConfig config) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.require(ConfigKeys.APPLICATION_ID));
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.require(ConfigKeys.BOOTSTRAP_SERVERS));
    p.put(StreamsConfig.STATE_DIR_CONFIG, config.require(ConfigKeys.STATE_DIR));
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.require(ConfigKeys.PROCESSING_GUARANTEE));
    p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.get(ConfigKeys.NUM_STANDBY_REPLICAS));
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.get(ConfigKeys.COMMIT_INTERVAL).toMillis());
    p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
    p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
    p.put("processing.exception.handler.global.enabled", true);
    p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
    p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
    // The handler keeps every dead letter well below what the producer would accept.
    p.put(RecordLimits.PROPERTY, RecordLimits.of(config).maxBytes());
    // max.task.idle.ms stays at its default (0): when changes and requests are both buffered, the
    // task takes them in timestamp order, which is the order a replay of the retained topics
    // reproduces. (-1 would take whatever is buffered first and let a replay diverge.)
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    String server = config.get(ConfigKeys.APPLICATION_SERVER);
    if (server != null) {
      p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, server);
    }
    String instance = config.get(ConfigKeys.INSTANCE_ID);
    if (instance != null) {
      // Static membership: Kafka Streams suffixes it per stream thread, and the group hands a
      // restarted instance its tasks back at once instead of waiting out the dead member's session.
      // Only the main consumer is in a group; the restore and global consumers must not carry it.
      p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), instance);
    }
    p.putAll(config.kafkaOverrides());
    return p;
  }
}
