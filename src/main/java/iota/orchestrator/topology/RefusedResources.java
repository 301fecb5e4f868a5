package iota.orchestrator.topology;

import iota.orchestrator.deadletter.DeadLetterHeaders;
import iota.orchestrator.model.EncodedIds;
import iota.orchestrator.model.Json;
import iota.orchestrator.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resources no instance could take within the byte budget at the pool's maximum are not placed:
 * placing them would make an assignment Kafka or ZooKeeper refuses, which stops the whole instance.
 * They go to the DLQ as bulk creates of the type (each record within the budget too), with the
 * reason, so an operator can publish them again once there is room.
 */
final class RefusedResources {
  private static final Logger LOG = LoggerFactory.getLogger(RefusedResources.class);

  private final ProcessorContext<String, Output> context;
  private final int maxBytes;

  RefusedResources(ProcessorContext<String, Output> context, int maxBytes) {
    this.context = context;
    this.maxBytes = maxBytes;
  }

  /** Dead-letters {@code refused} ids of {@code type}, whose pool is at its maximum of {@code maxInstances}. */
  void deadLetter(Record<String, Input> record, String type, int maxInstances, List<String> refused) {
    String reason = refused.size() + " " + type + " resource(s) not placed: every instance is full by bytes at the pool's maximum of "
        + maxInstances + " (iota.assignment.max.bytes " + maxBytes + " per resources znode)";
    LOG.warn("{}; dead-lettering them, first {}", reason, refused.get(0));
    Headers headers = new RecordHeaders();
    headers.add(DeadLetterHeaders.EXCEPTION, utf8("over capacity"));
    headers.add(DeadLetterHeaders.MESSAGE, utf8(reason));
    context.recordMetadata().ifPresent(m -> {
      headers.add(DeadLetterHeaders.TOPIC, utf8(m.topic()));
      headers.add(DeadLetterHeaders.PARTITION, utf8(String.valueOf(m.partition())));
      headers.add(DeadLetterHeaders.OFFSET, utf8(String.valueOf(m.offset())));
    });
    List<String> chunk = new ArrayList<>();
    long room = maxBytes - change(type, List.of()).length;
    long bytes = 0;
    for (String id : refused) {
      int length = EncodedIds.encodedLength(id) + 1;
      if (!chunk.isEmpty() && bytes + length > room) {
        chunk(record, type, chunk, headers);
        chunk = new ArrayList<>();
        bytes = 0;
      }
      chunk.add(id);
      bytes += length;
    }
    chunk(record, type, chunk, headers);
  }

  private void chunk(Record<String, Input> record, String type, List<String> ids, Headers headers) {
    context.forward(new Record<>(type, new Output(Topics.DLQ.name(), change(type, ids)), record.timestamp(), new RecordHeaders(headers.toArray())));
    DeadLetterHandler.countSent();
  }

  /** A bulk create of {@code ids}, as the config service would publish it. */
  private static byte[] change(String type, List<String> ids) {
    Map<String, Object> change = new LinkedHashMap<>();
    change.put("o", "bc");
    change.put("t", type);
    change.put("keys", ids);
    return Json.bytes(change);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
