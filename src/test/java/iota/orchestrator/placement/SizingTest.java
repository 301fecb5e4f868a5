package iota.orchestrator.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SizingTest {

  @Test
  void instancesAreCountOverCapacityPlusOne() throws SizingException {
    assertEquals(new Sizing.Result(3, 100), Sizing.size(250, 1, 10, 100));
  }

  @Test
  void exactMultipleStillGetsOneMoreInstance() throws SizingException {
    assertEquals(new Sizing.Result(4, 100), Sizing.size(300, 1, 10, 100));
  }

  @Test
  void tooManyInstancesFailsWithTheOriginalText() {
    SizingException e = assertThrows(SizingException.class, () -> Sizing.size(1000, 1, 9, 100));
    assertEquals("require instances more than the max: 11/9", e.getMessage());
    assertEquals(11, e.instances());
    assertEquals(9, e.maxInstances());
  }

  @Test
  void exactlyMaxInstancesIsAllowed() throws SizingException {
    assertEquals(new Sizing.Result(10, 100), Sizing.size(999, 1, 10, 100));
  }

  @Test
  void fewerThanInitRaisesToInitAndShrinksCapacity() throws SizingException {
    assertEquals(new Sizing.Result(10, 26), Sizing.size(250, 10, 100, 5000));
  }

  @Test
  void zeroResourcesWithInitGetCapacityOne() throws SizingException {
    assertEquals(new Sizing.Result(10, 1), Sizing.size(0, 10, 100, 5000));
  }

  @Test
  void zeroResourcesWithoutInitKeepOneInstanceAndTheCapacity() throws SizingException {
    assertEquals(new Sizing.Result(1, 5000), Sizing.size(0, 1, 100, 5000));
  }

  @Test
  void maxIsCheckedBeforeTheInitRaise() throws SizingException {
    // The original compares with max first, so an init above max is not a failure by itself.
    assertEquals(new Sizing.Result(5, 1), Sizing.size(0, 5, 3, 5000));
  }

  @Test
  void raisedPoolAlwaysHasRoomForEveryResource() throws SizingException {
    for (int count = 0; count < 2000; count += 7) {
      Sizing.Result r = Sizing.size(count, 17, 100, 4999);
      assertEquals(true, (long) r.instances() * r.resourcePerInstance() > count, "count " + count);
    }
  }

  @Test
  void negativeCountOrNonPositiveCapacityIsAProgrammingError() {
    assertThrows(IllegalArgumentException.class, () -> Sizing.size(-1, 1, 10, 100));
    assertThrows(IllegalArgumentException.class, () -> Sizing.size(10, 1, 10, 0));
  }
}
