package iota.orchestrator.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PodHealthPolicyTest {
  private static final long HEARTBEAT = 90_000;
  private static final long START = 60_000;
  private final PodHealthPolicy policy = new PodHealthPolicy(HEARTBEAT, START);

  @Test
  void theShortestTimeoutIsTheSmallerOfTheTwo() {
    assertEquals(START, policy.shortestTimeoutMs());
    assertEquals(HEARTBEAT, new PodHealthPolicy(HEARTBEAT, 120_000).shortestTimeoutMs());
  }

  @Test
  void aHeartbeatInstanceThatMissesItsDeadlineIsRecreated() {
    Life s = Life.created(0).started().heartbeat(1_000);
    PodHealthPolicy.Check check = policy.check(s, true, "iota-dac-0", 1_000 + HEARTBEAT, 0);
    assertTrue(check.recreate());
    assertFalse(check.startTimedOut());
    assertEquals("no heartbeat for 90000 ms (timeout 90000 ms)", check.recreateReason());
    assertEquals(1_000 + HEARTBEAT + START, check.nextCheck());
  }

  @Test
  void beforeAnyDeadlineTheNextCheckIsTheEarliestDeadline() {
    Life s = Life.created(1_000);
    PodHealthPolicy.Check check = policy.check(s, true, "iota-dac-0", 2_000, 0);
    assertFalse(check.recreate());
    assertEquals(1_000 + START, check.nextCheck(), "the start deadline comes first");
    assertEquals(1_000 + HEARTBEAT, policy.check(s.started(), true, "iota-dac-0", 2_000, 0).nextCheck());
  }

  @Test
  void aTypeWithoutHeartbeatsHasOnlyTheStartDeadline() {
    Life s = Life.created(1_000);
    assertEquals(1_000 + START, policy.check(s, false, "p", 2_000, 0).nextCheck());
    assertEquals(Long.MAX_VALUE, policy.check(s.started(), false, "p", 10 * HEARTBEAT, 0).nextCheck());
  }

  @Test
  void aStartThatTookTooLongIsRecreatedAndCountedAsAStartTimeout() {
    Life s = Life.created(1_000).pod("Pending", false);
    PodHealthPolicy.Check check = policy.check(s, false, "iota-rules-engine-0", 1_000 + START, 0);
    assertTrue(check.recreate());
    assertTrue(check.startTimedOut());
    assertEquals("pod iota-rules-engine-0 not Running within 60000 ms of its create (last phase Pending)", check.recreateReason());
  }

  @Test
  void aTimedOutStartWaitsForTheNoStormRule() {
    Life s = Life.created(0).recreated(10_000);
    long now = 10_000 + START;
    PodHealthPolicy.Check check = policy.check(s, false, "p", now, 0);
    assertFalse(check.recreate(), "recreated less than a heartbeat timeout ago");
    assertEquals(10_000 + HEARTBEAT, check.nextCheck());
    assertTrue(policy.check(s, false, "p", 10_000 + HEARTBEAT, 0).recreate());
  }

  @Test
  void theGraceStartPostponesEveryDeadline() {
    Life s = Life.created(1_000);
    assertFalse(policy.check(s, true, "p", 1_000 + HEARTBEAT, 500_000).recreate());
    assertEquals(500_000 + START, policy.check(s, true, "p", 1_000 + HEARTBEAT, 500_000).nextCheck());
  }

  @Test
  void aRemovedInstanceIsNeverJudged() {
    Life s = Life.created(0).asRemoved();
    PodHealthPolicy.Check check = policy.check(s, true, "p", 100 * HEARTBEAT, 0);
    assertFalse(check.recreate());
    assertEquals(Long.MAX_VALUE, check.nextCheck());
    assertFalse(policy.recreateUnlisted(s, 100 * HEARTBEAT));
  }

  @Test
  void aTerminalOrGonePodIsRecreatedUnlessRecreatedRecently() {
    Life s = Life.created(0).started();
    assertEquals(Optional.of("pod p is Failed"), policy.recreateForStatus(s, "p", "Failed", false, 1_000));
    assertEquals(Optional.of("pod p is gone"), policy.recreateForStatus(s, "p", null, true, 1_000));
    assertEquals(Optional.empty(), policy.recreateForStatus(s, "p", "Running", false, 1_000));
    assertEquals(Optional.empty(), policy.recreateForStatus(s, "p", "Pending", false, 1_000));
    Life recent = s.recreated(500);
    assertEquals(Optional.empty(), policy.recreateForStatus(recent, "p", "Failed", false, 500 + HEARTBEAT - 1));
    assertEquals(Optional.of("pod p is Failed"), policy.recreateForStatus(recent, "p", "Failed", false, 500 + HEARTBEAT));
  }

  @Test
  void anUnlistedInstanceIsRecreatedOnlyAFullTimeoutAfterItsCreateOrRecreate() {
    Life s = Life.created(1_000);
    assertFalse(policy.recreateUnlisted(s, 1_000 + HEARTBEAT - 1), "its pod may not exist yet");
    assertTrue(policy.recreateUnlisted(s, 1_000 + HEARTBEAT));
    Life recreated = s.recreated(5_000);
    assertFalse(policy.recreateUnlisted(recreated, 5_000 + HEARTBEAT - 1));
    assertTrue(policy.recreateUnlisted(recreated, 5_000 + HEARTBEAT));
  }

  @Test
  void terminalPhasesAreTheOnesAPodDoesNotLeaveByItself() {
    assertTrue(PodPhases.isTerminal("Failed", false));
    assertTrue(PodPhases.isTerminal("Succeeded", false));
    assertTrue(PodPhases.isTerminal("Unknown", false));
    assertTrue(PodPhases.isTerminal(null, true));
    assertFalse(PodPhases.isTerminal("Running", false));
    assertFalse(PodPhases.isTerminal("Pending", false));
  }
}
