package iota.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.topology.OrchestratorTopology;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the query layer answers while the Streams client cannot serve state (no broker needed). */
class StreamsPlanQueriesTest {
  @TempDir Path stateDir;

  @Test
  void everyReadIs503WithRetryAfterBeforeTheStreamsClientRuns() throws Exception {
    for (boolean advertise : new boolean[] {true, false}) {
      Map<String, String> flags =
          advertise
              ? Map.of("iota.bootstrap.servers", "127.0.0.1:1", "iota.state.dir", stateDir.toString(), "iota.application.server", "127.0.0.1:7070")
              : Map.of("iota.bootstrap.servers", "127.0.0.1:1", "iota.state.dir", stateDir.toString());
      OrchestratorConfig config = OrchestratorConfig.of(flags);
      try (KafkaStreams streams = new KafkaStreams(OrchestratorTopology.build(config), OrchestratorTopology.properties(config))) {
        StreamsPlanQueries queries = new StreamsPlanQueries(streams, config);
        ReadRequest request = ReadRequest.direct("Thing", ApiServer.API + "/Thing", null);
        for (Reply reply :
            new Reply[] {
              queries.plan(request, true).get(), queries.summary(request).get(), queries.placement(request, "t1").get(), queries.instance(request, "0", true).get(),
              queries.resources(request, "0", null, 10).get(), queries.scaling(request).get()
            }) {
          assertEquals(503, reply.status(), reply.body());
          assertEquals("1", reply.headers().get("Retry-After"));
          assertTrue(reply.body().contains("CREATED"), reply.body());
        }
        assertTrue(queries.localCounts("Thing").isEmpty());
        assertTrue(queries.localScaling("Thing").isEmpty());
      }
    }
  }
}
