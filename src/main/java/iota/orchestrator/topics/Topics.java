package iota.orchestrator.topics;

import iota.orchestrator.deadletter.DeadLetterHeaders;
import iota.orchestrator.model.Assignment;
import iota.orchestrator.model.HeartBeat;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.OrchestrateRequest;
import iota.orchestrator.model.PodCommand;
import iota.orchestrator.model.RequestResult;
import iota.orchestrator.orphans.OrphanReport;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Every Kafka topic of the system, declared once with its key and value format. Keys are strict
 * UTF-8 strings ({@link Utf8Serde}) and values JSON, except where noted. {@code topics/topics.json}
 * holds their partitions, retention and cleanup policy; a test keeps the two lists equal.
 */
public final class Topics {
  private Topics() {}

  /** The MQTT {@code cm/notify} change feed bridged into Kafka; key = MQTT topic, value = the raw payload. */
  public static final Topic<String, byte[]> CM_NOTIFY = new Topic<>("iota.cm-notify", Utf8Serde.INSTANCE, Serdes.ByteArray());
  /** Worker heartbeats {@code {"resource","instanceId",...}}. */
  public static final Topic<String, HeartBeat> HEARTBEAT = new Topic<>("HeartBeat", Utf8Serde.INSTANCE, json(HeartBeat::parse));
  /** Orchestrate requests, keyed by resource type. */
  public static final Topic<String, OrchestrateRequest> REQUESTS = new Topic<>("iota.orchestrator.requests", Utf8Serde.INSTANCE, requests());
  /**
   * Observed pod phases ({@code model.PodStatus}) keyed {@code <Resource>/<instanceId>}, and pod
   * inventories ({@code model.PodInventory}) keyed {@code <Resource>/inventory}: JSON bytes, told
   * apart by their fields.
   */
  public static final Topic<String, byte[]> POD_STATUS = new Topic<>("iota.orchestrator.pod-status", Utf8Serde.INSTANCE, Serdes.ByteArray());
  /**
   * Measured pod usage joined with the pods' requests, one record per resource type and metrics
   * round, keyed by the type; published by the executor's metrics poller. JSON bytes, read with
   * {@code autoscale.PodMetrics.parse} so a bad record can be dead-lettered.
   */
  public static final Topic<String, byte[]> POD_METRICS = new Topic<>("iota.orchestrator.pod-metrics", Utf8Serde.INSTANCE, Serdes.ByteArray());
  /** Compacted: the complete ZooKeeper state of each instance, keyed {@code <Resource>/<instanceId>}. */
  public static final Topic<String, Assignment> ASSIGNMENTS = new Topic<>("iota.orchestrator.assignments", Utf8Serde.INSTANCE, JsonSerde.of(Assignment.class));
  /** Pod create/delete/recreate commands, keyed {@code <Resource>/<instanceId>}. */
  public static final Topic<String, PodCommand> POD_COMMANDS = new Topic<>("iota.orchestrator.pod-commands", Utf8Serde.INSTANCE, JsonSerde.of(PodCommand.class));
  /** Answers to requests, keyed by request id. */
  public static final Topic<String, RequestResult> RESULTS = new Topic<>("iota.orchestrator.results", Utf8Serde.INSTANCE, JsonSerde.of(RequestResult.class));
  /**
   * Compacted: the executor's last orphan report per resource type ({@code orphans.OrphanReport}),
   * keyed by the type; the stream app keeps them in a global store.
   */
  public static final Topic<String, OrphanReport> ORPHANS = new Topic<>("iota.orchestrator.orphans", Utf8Serde.INSTANCE, JsonSerde.of(OrphanReport.class));
  /** Records that could not be used: the original key and value bytes, reason and origin in the {@link DeadLetterHeaders}. */
  public static final Topic<byte[], byte[]> DLQ = new Topic<>("iota.orchestrator.dlq", Serdes.ByteArray(), Serdes.ByteArray());

  /**
   * Header of a tombstone on {@link #ASSIGNMENTS}: the removal's sequence number as decimal text. A
   * tombstone has no value to carry it, and without it the executor could not tell a removal from
   * the instance id's previous life apart from one of its current life.
   */
  public static final String ASSIGNMENT_SEQ_HEADER = "iota.seq";

  /** Every topic above, in the order of {@code topics/topics.json}. */
  public static final List<Topic<?, ?>> ALL = List.of(CM_NOTIFY, HEARTBEAT, REQUESTS, POD_STATUS, POD_METRICS, ASSIGNMENTS, POD_COMMANDS, RESULTS, ORPHANS, DLQ);

  /** The request's own JSON form, which leaves unset parameters out. */
  private static Serde<OrchestrateRequest> requests() {
    Serializer<OrchestrateRequest> write = (topic, r) -> r == null ? null : r.toJson();
    Deserializer<OrchestrateRequest> read = (topic, bytes) -> bytes == null ? null : OrchestrateRequest.parse(bytes);
    return Serdes.serdeFrom(write, read);
  }

  /** JSON written from the record's fields, read back by the model's own parser (which validates). */
  private static <T> Serde<T> json(Function<byte[], T> parse) {
    Serializer<T> write = (topic, value) -> value == null ? null : Json.bytes(value);
    Deserializer<T> read = (topic, bytes) -> bytes == null ? null : parse.apply(bytes);
    return Serdes.serdeFrom(write, read);
  }
}
