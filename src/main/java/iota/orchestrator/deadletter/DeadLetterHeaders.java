package iota.orchestrator.deadletter;

/**
 * The headers of a dead-letter record, whoever writes it. The first six are the names Kafka
 * Streams' own dead-letter records use, so a tool that reads those reads ours.
 */
public final class DeadLetterHeaders {
  private DeadLetterHeaders() {}

  /** Class name of the exception that made the record unusable. */
  public static final String EXCEPTION = "__streams.errors.exception";
  /** Why, in words (bounded, see {@link DeadLetter#MAX_REASON_BYTES}). */
  public static final String MESSAGE = "__streams.errors.message";
  /** The exception's stack trace, where it is worth one (bounded, see {@link DeadLetter#MAX_TRACE_BYTES}). */
  public static final String STACKTRACE = "__streams.errors.stacktrace";
  /** Topic, partition and offset of the original record. */
  public static final String TOPIC = "__streams.errors.topic";
  public static final String PARTITION = "__streams.errors.partition";
  public static final String OFFSET = "__streams.errors.offset";
  /** Set when the dead letter holds only a prefix: the size in bytes of the whole value. */
  public static final String ORIGINAL_BYTES = "iota.dlq.original.bytes";
  /** For an output the broker would refuse: the topic it was meant for. */
  public static final String OUTPUT_TOPIC = "iota.dlq.output.topic";
  /** Set when some of the source record's headers did not fit into the dead letter. */
  public static final String HEADERS_DROPPED = "iota.dlq.headers.dropped";
}
