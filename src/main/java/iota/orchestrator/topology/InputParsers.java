package iota.orchestrator.topology;

import iota.orchestrator.autoscale.PodMetrics;
import iota.orchestrator.config.ResourceType;
import iota.orchestrator.model.ChangeEvent;
import iota.orchestrator.model.ChangeEventParser;
import iota.orchestrator.model.DrainRequest;
import iota.orchestrator.model.EncodedIds;
import iota.orchestrator.model.HeartBeat;
import iota.orchestrator.model.Ids;
import iota.orchestrator.model.InvalidRecordException;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.OrchestrateRequest;
import iota.orchestrator.model.PodInventory;
import iota.orchestrator.model.PodStatus;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The first step of every input: parse the raw bytes, validate, and re-key by resource type. A
 * record that cannot be used throws {@link InvalidRecordException}; the processing exception
 * handler ({@link DeadLetterHandler}) sends its original bytes to the DLQ with the reason, and
 * the stream goes on. Parsing happens before the repartition so the DLQ sees the source topic,
 * partition and offset.
 */
final class InputParsers {
  /** More than the encoded {@link Input} of a change with no ids, empty strings and every flag set needs. */
  static final int ENVELOPE_FIXED_BYTES = 256;

  private InputParsers() {}

  /**
   * @param maxInputBytes the largest encoded {@link Input} the by-type repartition takes: a bulk
   *     change whose ids would not fit is forwarded as consecutive chunks that each fit
   */
  static ProcessorSupplier<byte[], byte[], String, Input> changes(TypeRegistry types, int maxInputBytes) {
    return () -> new Parser() {
      @Override
      public void process(Record<byte[], byte[]> record) {
        ChangeEvent event = ChangeEventParser.parse(record.value());
        if (event.op() == ChangeEvent.Op.OTHER) {
          // {o, t} only: carries nothing to act on, by contract.
          return;
        }
        ResourceType own = types.type(event.table());
        if (own != null) {
          ChangeEventParser.requireIds(event);
          for (ChangeEvent chunk : chunks(event, maxInputBytes)) {
            forward(record, own.name(), Input.change(chunk, false));
          }
          return;
        }
        List<ResourceType> dependents = types.dependents(event.table());
        if (dependents.isEmpty()) {
          throw new InvalidRecordException("t '" + event.table() + "' is neither a resource type nor a table a resource type depends on");
        }
        // Ids do not matter for a dependent table: every instance of each dependent type reloads.
        ChangeEvent slim = new ChangeEvent(event.op(), event.rawOp(), event.table(), List.of());
        for (ResourceType t : dependents) {
          forward(record, t.name(), Input.change(slim, true));
        }
      }
    };
  }

  static ProcessorSupplier<byte[], byte[], String, Input> heartbeats(TypeRegistry types) {
    return () -> new Parser() {
      @Override
      public void process(Record<byte[], byte[]> record) {
        HeartBeat hb = HeartBeat.parse(record.value());
        requireType(types, hb.resource());
        forward(record, hb.resource(), Input.heartbeat(hb.instanceId()));
      }
    };
  }

  static ProcessorSupplier<byte[], byte[], String, Input> requests() {
    return () -> new Parser() {
      @Override
      public void process(Record<byte[], byte[]> record) {
        // An unknown type is answered (404) by the orchestrating processor, so the caller hears back.
        var node = Json.tree(record.value());
        if (DrainRequest.isDrainRequest(node)) {
          DrainRequest drain = DrainRequest.parse(node);
          forward(record, drain.resource(), Input.drain(drain));
          return;
        }
        OrchestrateRequest request = OrchestrateRequest.parse(record.value());
        forward(record, request.resource(), Input.request(request));
      }
    };
  }

  static ProcessorSupplier<byte[], byte[], String, Input> podMetrics(TypeRegistry types) {
    return () -> new Parser() {
      @Override
      public void process(Record<byte[], byte[]> record) {
        PodMetrics metrics = PodMetrics.parse(record.value());
        requireType(types, metrics.resource());
        forward(record, metrics.resource(), Input.metrics(metrics));
      }
    };
  }

  static ProcessorSupplier<byte[], byte[], String, Input> podStatus(TypeRegistry types) {
    return () -> new Parser() {
      @Override
      public void process(Record<byte[], byte[]> record) {
        var node = Json.tree(record.value());
        if (PodInventory.isInventory(node)) {
          PodInventory inventory = PodInventory.parse(node);
          requireType(types, inventory.resource());
          forward(record, inventory.resource(), Input.inventory(inventory));
          return;
        }
        PodStatus status = PodStatus.parse(record.value());
        requireType(types, status.resource());
        forward(record, status.resource(), Input.pod(status));
      }
    };
  }

  /**
   * {@code event} itself when its encoded {@link Input} fits in {@code maxBytes}, else its ids cut
   * into consecutive chunks that each fit, in message order. The cut depends on the message alone,
   * not on the routing, so a replay (which always repartitions) makes the same decisions as a live
   * app that does not. An instance that takes ids from several chunks reloads once per chunk.
   */
  static List<ChangeEvent> chunks(ChangeEvent event, int maxBytes) {
    List<String> ids = event.ids();
    // Every id costs at most twice its 128 bytes (each a quote or backslash) plus quotes and comma.
    long worst = (long) ids.size() * (2L * Ids.MAX_BYTES + 3);
    // Encoding the envelope cost a single create about as much as parsing it, so it is encoded
    // only when its bound could matter: fixed fields well under ENVELOPE_FIXED_BYTES, and every
    // char of its two strings at most 6 bytes (a six-character unicode escape).
    long envelopeBound = ENVELOPE_FIXED_BYTES + 6L * (event.rawOp().length() + (event.table() == null ? 0 : event.table().length()));
    if (envelopeBound + worst <= maxBytes) {
      return List.of(event);
    }
    int envelope = Json.bytes(Input.change(new ChangeEvent(event.op(), event.rawOp(), event.table(), List.of()), false)).length;
    if (envelope + worst <= maxBytes) {
      return List.of(event);
    }
    List<ChangeEvent> out = new ArrayList<>();
    int from = 0;
    long size = envelope;
    for (int i = 0; i < ids.size(); i++) {
      int cost = EncodedIds.encodedLength(ids.get(i)) + 1;
      if (i > from && size + cost > maxBytes) {
        out.add(new ChangeEvent(event.op(), event.rawOp(), event.table(), ids.subList(from, i)));
        from = i;
        size = envelope;
      }
      size += cost;
    }
    out.add(new ChangeEvent(event.op(), event.rawOp(), event.table(), ids.subList(from, ids.size())));
    return out.size() == 1 ? List.of(event) : out;
  }

  private static void requireType(TypeRegistry types, String name) {
    if (types.type(name) == null) {
      throw new InvalidRecordException("resource '" + name + "' is not a configured resource type");
    }
  }

  private abstract static class Parser implements Processor<byte[], byte[], String, Input> {
    private ProcessorContext<String, Input> context;

    @Override
    public void init(ProcessorContext<String, Input> context) {
      this.context = context;
    }

    void forward(Record<byte[], byte[]> record, String type, Input input) {
      context.forward(new Record<>(type, input, record.timestamp()));
    }
  }
}
