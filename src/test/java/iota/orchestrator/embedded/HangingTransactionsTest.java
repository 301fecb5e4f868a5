package iota.orchestrator.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;

import iota.orchestrator.embedded.HangingTransactions.Open;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class HangingTransactionsTest {
  private static final TopicPartition CHANGELOG = new TopicPartition("iota-orchestrator-placements-changelog", 0);
  private static final TopicPartition OUTPUT = new TopicPartition("iota.orchestrator.assignments", 0);

  @Test
  void anOpenTransactionWhoseCoordinatorCompletedItIsHanging() {
    Open dead = new Open(CHANGELOG, 2, 301, 4);
    assertEquals(List.of(dead), HangingTransactions.hanging(List.of(dead), Set.of()));
  }

  @Test
  void aTransactionTheCoordinatorStillHasInProgressIsLeftToIt() {
    Open live = new Open(OUTPUT, 7, 12, 4);
    Open dead = new Open(CHANGELOG, 2, 301, 4);
    assertEquals(List.of(dead), HangingTransactions.hanging(List.of(live, dead), Set.of(7L)));
  }
}
