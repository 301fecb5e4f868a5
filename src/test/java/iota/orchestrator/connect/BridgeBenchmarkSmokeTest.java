package iota.orchestrator.connect;

import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.IntegrationTest;
import iota.orchestrator.bench.BridgeBenchmark;
import iota.orchestrator.embedded.MosquittoBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bridge benchmark at a toy size, so that it cannot rot; its numbers are not checked here. */
@IntegrationTest
class BridgeBenchmarkSmokeTest {
  @Test
  void benchmarkPrintsAFigurePerBroker() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    BridgeBenchmark.run(out, 300, List.of(10));

    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(printed.matches("(?s).*bridge, single messages, Moquette 0\\.17 \\(10 in flight, fixed\\): [0-9,]+ msg/s.*"), printed);
    assertTrue(printed.contains(MosquittoBroker.available()
        ? "bridge, single messages, mosquitto 2 (max_inflight_messages 10): "
        : "mosquitto: not installed"), printed);
  }
}
