package iota.orchestrator.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Closing several resources: all of them, in order, with every failure kept. */
class ClosingTest {
  private final List<String> closed = new ArrayList<>();

  private AutoCloseable ok(String name) {
    return () -> closed.add(name);
  }

  private AutoCloseable failing(String name, Exception e) {
    return () -> {
      closed.add(name);
      throw e;
    };
  }

  @Test
  void everyOneIsClosedInOrderAndNothingFailedIsNull() {
    assertNull(Closing.closeAll(List.of(ok("a"), ok("b")), "closing failed", null));
    assertEquals(List.of("a", "b"), closed);
  }

  @Test
  void aFailureDoesNotLeaveTheRestOpenTheFirstIsWrappedTheLaterSuppressed() {
    IOException first = new IOException("first");
    IllegalStateException second = new IllegalStateException("second");

    RuntimeException failure = Closing.closeAll(List.of(failing("a", first), ok("b"), failing("c", second)), "closing the thing failed", null);

    assertEquals(List.of("a", "b", "c"), closed);
    assertTrue(failure instanceof IllegalStateException);
    assertEquals("closing the thing failed", failure.getMessage());
    assertSame(first, failure.getCause());
    assertArrayEquals(new Throwable[] {second}, failure.getSuppressed());
  }

  @Test
  void anEarlierFailureStaysTheOneReported() {
    RuntimeException earlier = new RuntimeException("the loop failed");
    IOException late = new IOException("late");

    assertSame(earlier, Closing.closeAll(List.of(failing("a", late)), "closing failed", earlier));
    assertArrayEquals(new Throwable[] {late}, earlier.getSuppressed());
  }
}
