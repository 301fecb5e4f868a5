package iota.orchestrator.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplayScalingTest {

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aReplayedHistoryMatchesWhenTheLiveOneWentThroughItEvenIfItMovedOnSince() {
    Map<String, List<byte[]>> live = Map.of("Thing", List.of(b("round 1"), b("round 2"), b("round 3")));
    assertEquals(List.of(), Replay.scalingDifferences(Map.of("Thing", b("round 2")), live));
  }

  @Test
  void aHistoryTheLiveAppNeverHadIsADifference() {
    Map<String, List<byte[]>> live = Map.of("Thing", List.of(b("round 1"), b("round 2")));
    assertEquals(List.of("scaling of Thing: the replayed report (7 bytes) is none of the 2 states the live one went through"),
        Replay.scalingDifferences(Map.of("Thing", b("round X")), live));
  }

  @Test
  void aTypeOnOneSideOnlyIsNamed() {
    assertEquals(List.of("scaling of Rule: only in live", "scaling of Thing: only in replay"),
        Replay.scalingDifferences(Map.of("Thing", b("a")), Map.of("Rule", List.of(b("b")))));
  }
}
