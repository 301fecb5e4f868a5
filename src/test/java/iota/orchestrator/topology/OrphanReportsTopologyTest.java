package iota.orchestrator.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import iota.orchestrator.model.Json;
import iota.orchestrator.orphans.OrphanReport;
import iota.orchestrator.topics.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** The stream app keeps the executor's latest orphan report per type in a global store. */
class OrphanReportsTopologyTest {

  @Test
  void theLatestReportOfEachTypeIsKept() {
    try (TopologyFixture f = new TopologyFixture(Map.of())) {
      TestInputTopic<String, byte[]> reports = f.driver.createInputTopic(Topics.ORPHANS.name(), new StringSerializer(), new ByteArraySerializer());
      OrphanReport first = new OrphanReport("Thing", 1, true, 600_000, null, List.of(new OrphanReport.Entry("pod", "iota-dac-7", null, 1, 600_001)), 0);
      OrphanReport second = new OrphanReport("Thing", 2, true, 600_000, null, List.of(), 1);
      reports.pipeInput("Thing", Json.bytes(first));
      reports.pipeInput("Thing", Json.bytes(second));
      KeyValueStore<String, OrphanReport> store = f.driver.getKeyValueStore(StoreNames.ORPHANS);
      assertEquals(second, store.get("Thing"));
      assertNull(store.get("Rule"));
    }
  }
}
