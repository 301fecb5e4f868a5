package iota.orchestrator.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.health.PodStartPolicy;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.PodStatus;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The start time limit of {@link PodStartPolicy} as it plays out on a stored {@link InstanceState}. */
class PodStartPolicyTest {
  private static final long TIMEOUT = 300_000;
  private final PodStartPolicy policy = new PodStartPolicy(TIMEOUT);

  private static PodStatus status(String phase, String uid) {
    return new PodStatus("Rule", "0", "iota-rules-engine-0", phase, uid, false, 1);
  }

  private InstanceState observe(InstanceState s, PodStatus status) {
    return s.observed(status, policy);
  }

  private static PodStatus gone() {
    return new PodStatus("Rule", "0", "iota-rules-engine-0", null, null, true, 1);
  }

  @Test
  void aCreatedInstanceMustStartWithinTheTimeoutOfItsCreate() {
    InstanceState s = InstanceState.created(5, 1, 1_000);
    assertTrue(s.startPending());
    assertEquals(1_000 + TIMEOUT, policy.deadline(s, 0));
  }

  @Test
  void theClockOfARecreateStartsAtTheRecreate() {
    InstanceState s = InstanceState.created(5, 1, 1_000).withStarted().withRecreate(50_000, "pod is Failed");
    assertTrue(s.startPending());
    assertEquals(50_000 + TIMEOUT, policy.deadline(s, 0));
    assertEquals("pod is Failed", s.lastRecreateReason());
  }

  @Test
  void theClockNeverStartsBeforeTheGraceStartOfTheTask() {
    InstanceState s = InstanceState.created(5, 1, 1_000);
    assertEquals(900_000 + TIMEOUT, policy.deadline(s, 900_000));
  }

  @Test
  void aRunningPodEndsThePendingStart() {
    InstanceState s = observe(InstanceState.created(5, 1, 1_000), status("Running", "u1"));
    assertFalse(s.startPending());
    assertEquals(Long.MAX_VALUE, policy.deadline(s, 0));
    assertEquals("Running", s.podPhase());
  }

  @Test
  void pendingAndGonePodsDoNotEndThePendingStart() {
    InstanceState s = InstanceState.created(5, 1, 1_000);
    s = observe(s, status("Pending", "u1"));
    assertTrue(s.startPending());
    s = observe(s, gone());
    assertTrue(s.startPending());
    assertEquals(1_000 + TIMEOUT, policy.deadline(s, 0));
  }

  @Test
  void aLateRunningStatusOfTheReplacedPodIsNotTheNewPodsStart() {
    InstanceState s = observe(InstanceState.created(5, 1, 1_000), status("Running", "old"));
    s = s.withRecreate(10_000, "no heartbeat");
    assertEquals("old", s.replacedUid());
    s = observe(s, status("Running", "old"));
    assertTrue(s.startPending(), "the old pod still reported Running before its deletion showed");
    s = observe(s, status("Running", "new"));
    assertFalse(s.startPending());
  }

  @Test
  void aRemovedInstanceHasNoDeadline() {
    InstanceState s = InstanceState.created(5, 1, 1_000).asRemoved(2);
    assertEquals(Long.MAX_VALUE, policy.deadline(s, 0));
  }

  @Test
  void statesStoredBeforeTheRuleExistedHaveNoPendingStart() {
    String old = "{\"count\":5,\"used\":1,\"reload\":0,\"seq\":3,\"emittedSeq\":3,\"removed\":false,\"createdAt\":1000,"
        + "\"lastHeartbeat\":0,\"lastRecreate\":0,\"recreates\":0,\"podPhase\":\"Pending\",\"podUid\":\"u\",\"podGone\":false,\"podObservedAt\":5}";
    InstanceState s = Json.read(old.getBytes(StandardCharsets.UTF_8), InstanceState.class);
    assertFalse(s.startPending());
    assertEquals(Long.MAX_VALUE, policy.deadline(s, 0));
  }

  @Test
  void theReasonNamesThePodTheLimitAndWhatWasSeen() {
    InstanceState s = observe(InstanceState.created(5, 1, 1_000), status("Pending", "u1"));
    assertEquals("pod iota-rules-engine-0 not Running within 300000 ms of its create (last phase Pending)", policy.reason(s, "iota-rules-engine-0"));
    InstanceState recreated = InstanceState.created(5, 1, 1_000).withRecreate(2_000, "x");
    assertEquals("pod p not Running within 300000 ms of its recreate (no pod status seen)", policy.reason(recreated, "p"));
  }
}
