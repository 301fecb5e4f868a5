package iota.orchestrator.topology;

import iota.orchestrator.config.ResourceType;
import iota.orchestrator.health.PodHealthPolicy;
import iota.orchestrator.model.PodCommand;
import iota.orchestrator.model.PodInventory;
import iota.orchestrator.model.PodStatus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every planned pod alive: takes in heartbeats, pod phases and pod inventories, judges the
 * heartbeat and start deadlines, and recreates a pod when the {@link PodHealthPolicy} says so. It
 * never moves a resource: health decides pod re-creation, never placement (DESIGN.md §4).
 */
final class PodSupervisor {
  private static final Logger LOG = LoggerFactory.getLogger(PodSupervisor.class);

  private final PodHealthPolicy health;
  private final PlanCache cache;
  private final TaskOutputs outputs;
  private final LongSupplier clock;
  /** When this task started judging deadlines: nothing is late from before it (see {@link PodHealthPolicy}). */
  private final long graceStart;
  /** No deadline falls before this, so ticks until then skip the check. */
  private long nextDeadlineCheck;

  /**
   * A supervisor for a task that was just assigned or restored: it has not been hearing heartbeats,
   * so every instance gets one full timeout from now before it is judged.
   */
  PodSupervisor(PodHealthPolicy health, PlanCache cache, TaskOutputs outputs, LongSupplier clock) {
    this.health = health;
    this.cache = cache;
    this.outputs = outputs;
    this.clock = clock;
    long now = clock.getAsLong();
    this.graceStart = now;
    this.nextDeadlineCheck = now + health.shortestTimeoutMs();
  }

  void onHeartbeat(ResourceType type, String instanceId) {
    TypeRuntime rt = cache.get(type.name());
    int id = Integer.parseInt(instanceId);
    InstanceState state = rt == null ? null : rt.instances.get(id);
    if (state == null || state.removed()) {
      LOG.debug("heartbeat from {}/{} which is not planned; ignored", type.name(), instanceId);
      return;
    }
    // A worker that heartbeats is running, whatever the pod watcher has or has not reported.
    cache.putInstance(rt, id, state.withHeartbeat(clock.getAsLong()).withStarted());
  }

  void onPodStatus(long timestamp, ResourceType type, PodStatus pod) {
    TypeRuntime rt = cache.get(type.name());
    int id = Integer.parseInt(pod.instanceId());
    InstanceState state = rt == null ? null : rt.instances.get(id);
    if (state == null || state.removed()) {
      return;
    }
    InstanceState observed = state.observed(pod, health.start());
    cache.putInstance(rt, id, observed);
    health.recreateForStatus(observed, pod.podName(), pod.phase(), pod.gone(), clock.getAsLong())
        .ifPresent(reason -> recreate(timestamp, rt, id, reason));
  }

  /** Recreates every planned instance the inventory does not list, as far as the policy allows. */
  void onInventory(long timestamp, ResourceType type, PodInventory inventory) {
    TypeRuntime rt = cache.get(type.name());
    if (rt == null) {
      return;
    }
    long now = clock.getAsLong();
    Set<String> present = new HashSet<>(inventory.inventory());
    List<Integer> missing = new ArrayList<>();
    for (var e : rt.instances.entrySet()) {
      if (!present.contains(String.valueOf(e.getKey())) && health.recreateUnlisted(e.getValue(), now)) {
        missing.add(e.getKey());
      }
    }
    for (int id : missing) {
      recreate(timestamp, rt, id, "no pod found for the instance");
    }
  }

  /**
   * At a tick: recreates every instance the policy finds past a deadline, when one may have passed,
   * and remembers the earliest deadline left so that ticks in between cost nothing. A heartbeat or a
   * start only moves a deadline later, and a recreate or a new instance between checks lowers the
   * cached minimum to its own first deadline ({@link #podCreated}), so the cached minimum stays a
   * safe lower bound.
   */
  void tick(long now) {
    if (now < nextDeadlineCheck) {
      return;
    }
    long earliest = Long.MAX_VALUE;
    for (TypeRuntime rt : cache.all()) {
      Map<Integer, String> late = new TreeMap<>();
      int startsTimedOut = 0;
      for (var e : rt.instances.entrySet()) {
        String podName = PodCommand.podName(rt.type.instanceName(), String.valueOf(e.getKey()));
        PodHealthPolicy.Check check = health.check(e.getValue(), rt.type.heart(), podName, now, graceStart);
        if (check.recreate()) {
          late.put(e.getKey(), check.recreateReason());
          startsTimedOut += check.startTimedOut() ? 1 : 0;
        }
        earliest = Math.min(earliest, check.nextCheck());
      }
      for (var e : late.entrySet()) {
        recreate(now, rt, e.getKey(), e.getValue());
      }
      if (startsTimedOut > 0) {
        cache.putType(rt, rt.state.withStartTimeouts(startsTimedOut));
      }
    }
    nextDeadlineCheck = earliest == Long.MAX_VALUE ? now + health.shortestTimeoutMs() : earliest;
  }

  /**
   * A pod was just created (a new instance or a recreate): its first deadline comes one timeout from
   * now. The two timeouts differ, so it can fall before the cached earliest one (a start of 60 s
   * after a recreate, while every heartbeat deadline is 89 s away).
   */
  void podCreated(long now) {
    nextDeadlineCheck = Math.min(nextDeadlineCheck, now + health.shortestTimeoutMs());
  }

  private void recreate(long timestamp, TypeRuntime rt, int id, String reason) {
    long now = clock.getAsLong();
    InstanceState state = rt.instances.get(id).withRecreate(now, reason);
    cache.putInstance(rt, id, state);
    podCreated(now);
    cache.putType(rt, rt.state.recreated());
    LOG.info("recreating pod of {}/{}: {}", rt.name(), id, reason);
    outputs.podCommand(timestamp, rt, id, PodCommand.Action.recreate, "r" + state.recreates(), reason, List.of());
  }
}
