package iota.orchestrator.topics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import iota.orchestrator.model.Assignment;
import iota.orchestrator.model.OrchestrateRequest;
import iota.orchestrator.model.OrchestrationParams;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class TopicTest {
  @Test
  void aRecordCarriesTheTopicsNameAndBothPartsInItsFormats() {
    Assignment a = Assignment.of("Thing", "0", 4, 10, List.of("t1", "t2"), 2);

    ProducerRecord<byte[], byte[]> r = Topics.ASSIGNMENTS.record(a.key(), a);

    assertEquals("iota.orchestrator.assignments", r.topic());
    assertArrayEquals("Thing/0".getBytes(StandardCharsets.UTF_8), r.key());
    assertEquals(a, Topics.ASSIGNMENTS.value(r.value()));
  }

  @Test
  void aTombstoneStaysATombstone() {
    assertNull(Topics.ASSIGNMENTS.record("Thing/0", null).value());
    assertNull(Topics.ASSIGNMENTS.value(null));
  }

  @Test
  void aRequestIsWrittenInTheFormTheTopologyParses() {
    OrchestrateRequest request = new OrchestrateRequest("r1", "Thing", new OrchestrationParams(null, 50, null));

    ProducerRecord<byte[], byte[]> r = Topics.REQUESTS.record(request.resource(), request);

    assertArrayEquals(request.toJson(), r.value());
    assertEquals(request, Topics.REQUESTS.value(r.value()));
  }

  @Test
  void aTopicPrintsAsItsName() {
    assertEquals("HeartBeat", Topics.HEARTBEAT.toString());
  }
}
