package iota.orchestrator.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HeartbeatRuleTest {
  private static final long TIMEOUT = 90_000;
  private final HeartbeatRule rule = new HeartbeatRule(TIMEOUT);

  @Test
  void theDeadlineCountsFromTheLatestOfCreateHeartbeatAndRecreate() {
    Life s = Life.created(1_000);
    assertEquals(1_000 + TIMEOUT, rule.deadline(s, 0));
    assertEquals(5_000 + TIMEOUT, rule.deadline(s.heartbeat(5_000), 0));
    assertEquals(9_000 + TIMEOUT, rule.deadline(s.heartbeat(5_000).recreated(9_000), 0));
  }

  @Test
  void theDeadlineNeverCountsFromBeforeTheGraceStart() {
    Life s = Life.created(1_000).heartbeat(2_000);
    assertEquals(500_000 + TIMEOUT, rule.deadline(s, 500_000));
  }

  @Test
  void anInstanceIsLateFromItsDeadlineOn() {
    Life s = Life.created(1_000).heartbeat(2_000);
    assertFalse(rule.isLate(s, 2_000 + TIMEOUT - 1, 0));
    assertTrue(rule.isLate(s, 2_000 + TIMEOUT, 0));
  }

  @Test
  void noStormARecreateWaitsAFullTimeoutAfterTheLastOne() {
    assertTrue(rule.mayRecreate(Life.created(1_000), 1_000));
    Life recreated = Life.created(1_000).recreated(10_000);
    assertFalse(rule.mayRecreate(recreated, 10_000 + TIMEOUT - 1));
    assertTrue(rule.mayRecreate(recreated, 10_000 + TIMEOUT));
    assertEquals(10_000 + TIMEOUT, rule.recreateAllowedAt(recreated));
    assertEquals(0, rule.recreateAllowedAt(Life.created(1_000)));
  }

  @Test
  void theLateReasonSaysWhetherAnyHeartbeatCame() {
    assertEquals("no heartbeat within 90000 ms", rule.lateReason(Life.created(0), 100_000));
    assertEquals("no heartbeat for 95000 ms (timeout 90000 ms)", rule.lateReason(Life.created(0).heartbeat(5_000), 100_000));
  }

  @Test
  void healthOfAHeartbeatTypeFollowsItsHeartbeats() {
    Life created = Life.created(1_000);
    assertEquals("starting", rule.health(created, true, 1_000 + TIMEOUT - 1));
    assertEquals("late", rule.health(created, true, 1_000 + TIMEOUT));
    Life heard = created.heartbeat(2_000);
    assertEquals("healthy", rule.health(heard, true, 2_000 + TIMEOUT - 1));
    assertEquals("late", rule.health(heard, true, 2_000 + TIMEOUT));
    assertEquals("starting", rule.health(heard.recreated(3_000), true, 4_000), "no heartbeat since the recreate");
  }

  @Test
  void healthOfATypeWithoutHeartbeatsFollowsThePodPhase() {
    Life s = Life.created(1_000);
    assertEquals("unknown", rule.health(s, false, 10 * TIMEOUT));
    assertEquals("starting", rule.health(s.pod("Pending", false), false, 10 * TIMEOUT));
    assertEquals("healthy", rule.health(s.pod("Running", false), false, 10 * TIMEOUT));
  }

  @Test
  void aTerminalOrGonePodIsFailedWhateverTheHeartbeats() {
    Life heard = Life.created(1_000).heartbeat(2_000);
    for (String phase : new String[] {"Failed", "Succeeded", "Unknown"}) {
      assertEquals("failed", rule.health(heard.pod(phase, false), true, 2_001), phase);
      assertEquals("failed", rule.health(heard.pod(phase, false), false, 2_001), phase);
    }
    assertEquals("failed", rule.health(heard.pod(null, true), true, 2_001));
  }

  @Test
  void theTimeoutMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new HeartbeatRule(0));
  }
}
