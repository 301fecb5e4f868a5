package iota.orchestrator.topology;

import iota.orchestrator.deadletter.DeadLetterHeaders;

/**
 * Every Kafka topic of the system, declared once. Keys are strings; values are JSON bytes except
 * where noted. {@code topics/topics.json} holds their partitions, retention and cleanup policy.
 */
public final class Topics {
  private Topics() {}

  /** The MQTT {@code cm/notify} change feed bridged into Kafka; key = MQTT topic, value = raw payload. */
  public static final String CM_NOTIFY = "iota.cm-notify";
  /** Worker heartbeats {@code {"resource","instanceId",...}}. */
  public static final String HEARTBEAT = "HeartBeat";
  /** Orchestrate requests, keyed by resource type. */
  public static final String REQUESTS = "iota.orchestrator.requests";
  /** Observed pod phases, keyed {@code <Resource>/<instanceId>}. */
  public static final String POD_STATUS = "iota.orchestrator.pod-status";
  /** Compacted: the complete ZooKeeper state of each instance, keyed {@code <Resource>/<instanceId>}. */
  public static final String ASSIGNMENTS = "iota.orchestrator.assignments";
  /** Pod create/delete/recreate commands, keyed {@code <Resource>/<instanceId>}. */
  public static final String POD_COMMANDS = "iota.orchestrator.pod-commands";
  /** Answers to requests, keyed by request id. */
  public static final String RESULTS = "iota.orchestrator.results";
  /**
   * Compacted: the executor's last orphan report per resource type ({@code orphans.OrphanReport}),
   * keyed by the type; the stream app keeps them in the global store {@link Stores#ORPHANS}.
   */
  public static final String ORPHANS = "iota.orchestrator.orphans";
  /** Records that could not be used: original bytes, reason and origin in headers. */
  public static final String DLQ = "iota.orchestrator.dlq";

  /**
   * Header of a tombstone on {@link #ASSIGNMENTS}: the removal's sequence number as decimal text. A
   * tombstone has no value to carry it, and without it the executor could not tell a removal from
   * the instance id's previous life apart from one of its current life.
   */
  public static final String ASSIGNMENT_SEQ_HEADER = "iota.seq";

  /** Name of the repartition that re-keys every input by resource type. */
  public static final String BY_TYPE_REPARTITION = "by-type";

  /**
   * Headers of a dead-letter record, declared in {@link DeadLetterHeaders}; these names stay for the
   * writers that still spell them through {@code Topics}.
   */
  public static final String DLQ_HEADER_EXCEPTION = DeadLetterHeaders.EXCEPTION;
  public static final String DLQ_HEADER_MESSAGE = DeadLetterHeaders.MESSAGE;
  public static final String DLQ_HEADER_STACKTRACE = DeadLetterHeaders.STACKTRACE;
  public static final String DLQ_HEADER_TOPIC = DeadLetterHeaders.TOPIC;
  public static final String DLQ_HEADER_PARTITION = DeadLetterHeaders.PARTITION;
  public static final String DLQ_HEADER_OFFSET = DeadLetterHeaders.OFFSET;
  public static final String DLQ_HEADER_ORIGINAL_BYTES = DeadLetterHeaders.ORIGINAL_BYTES;
  public static final String DLQ_HEADER_OUTPUT_TOPIC = DeadLetterHeaders.OUTPUT_TOPIC;
  public static final String DLQ_HEADER_HEADERS_DROPPED = DeadLetterHeaders.HEADERS_DROPPED;
}
