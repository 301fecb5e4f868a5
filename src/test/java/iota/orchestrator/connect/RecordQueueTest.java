package iota.orchestrator.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RecordQueueTest {
  @Test
  void anItemThatWouldPassTheByteBoundWaitsForRoom() throws Exception {
    RecordQueue<String> queue = new RecordQueue<>(100, 1_000);
    assertTrue(queue.offer("a", 600, 0, TimeUnit.MILLISECONDS));

    assertFalse(queue.offer("b", 600, 10, TimeUnit.MILLISECONDS), "600 + 600 bytes is over the bound");
    assertTrue(queue.offer("c", 400, 0, TimeUnit.MILLISECONDS));

    List<String> out = new ArrayList<>();
    assertEquals(2, queue.drainTo(out, 10, 0, TimeUnit.MILLISECONDS));
    assertEquals(List.of("a", "c"), out);
    assertEquals(0, queue.bytes());
    assertTrue(queue.offer("b", 600, 0, TimeUnit.MILLISECONDS));
  }

  @Test
  void anEmptyQueueTakesAnItemLargerThanItsByteBound() throws Exception {
    RecordQueue<String> queue = new RecordQueue<>(100, 1_000);

    assertTrue(queue.offer("big", 5_000, 0, TimeUnit.MILLISECONDS));
    assertFalse(queue.offer("small", 1, 10, TimeUnit.MILLISECONDS), "nothing joins it until it is taken");
  }

  @Test
  void theItemBoundStillHolds() throws Exception {
    RecordQueue<String> queue = new RecordQueue<>(2, 1_000_000);
    assertTrue(queue.offer("a", 1, 0, TimeUnit.MILLISECONDS));
    assertTrue(queue.offer("b", 1, 0, TimeUnit.MILLISECONDS));

    assertFalse(queue.offer("c", 1, 10, TimeUnit.MILLISECONDS));
    List<String> out = new ArrayList<>();
    assertEquals(1, queue.drainTo(out, 1, 0, TimeUnit.MILLISECONDS));
    assertEquals(List.of("a"), out);
    assertEquals(1, queue.size());
  }

  @Test
  void boundsMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new RecordQueue<String>(0, 10));
    assertThrows(IllegalArgumentException.class, () -> new RecordQueue<String>(10, 0));
  }
}
