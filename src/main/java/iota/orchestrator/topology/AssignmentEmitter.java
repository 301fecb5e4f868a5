package iota.orchestrator.topology;

import iota.orchestrator.model.Assignment;
import iota.orchestrator.model.AssignmentJson;
import iota.orchestrator.model.Precondition;
import iota.orchestrator.placement.Delta;
import iota.orchestrator.placement.InstanceView;
import iota.orchestrator.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Writes instances to {@link Topics#ASSIGNMENTS}: the whole state of an instance, so it is written
 * once per flush interval however many changes it took meanwhile, instead of once per change (a
 * 5,000-resource instance would otherwise cost 200 KB per created resource).
 *
 * <p>Under at-least-once the first change after a quiet interval is written at once (leading
 * edge), so a lone change waits for no flush; the rest wait for the flush tick. Under exactly-once
 * consumers see nothing before the commit, so every write waits for the tick, which asks for the
 * commit right after. A pending write is recorded in the instance's state ({@code emittedSeq <
 * seq}), so a crash between a change and its flush loses nothing: {@link #restart} picks it up.
 */
final class AssignmentEmitter {
  private final ProcessorContext<String, Output> context;
  private final PlanCache cache;
  private final long flushIntervalMs;
  private final boolean exactlyOnce;
  private final Map<String, Pending> pending = new HashMap<>();

  /** What one type has left to write, and what it wrote. */
  private static final class Pending {
    final TreeSet<Integer> dirty = new TreeSet<>();
    /** Wall-clock ms of each instance's last write (memory only: after a restart all may write). */
    final Map<Integer, Long> lastEmit = new HashMap<>();
    /** Each instance's ids as last written, patched at the next write. */
    final EncodedInstances encoded = new EncodedInstances();
    /** Preconditions each instance's next write carries (a load move's giver waits for its receivers). */
    final Map<Integer, List<Precondition>> after = new HashMap<>();
  }

  AssignmentEmitter(ProcessorContext<String, Output> context, PlanCache cache, Duration flushInterval, boolean exactlyOnce) {
    this.context = context;
    this.cache = cache;
    this.flushIntervalMs = flushInterval.toMillis();
    this.exactlyOnce = exactlyOnce;
  }

  /** Forgets what was written and takes every instance whose write is pending in the cache as dirty. */
  void restart() {
    pending.clear();
    for (TypeRuntime rt : cache.all()) {
      for (var e : rt.instances.entrySet()) {
        if (e.getValue().pendingEmit()) {
          pending(rt).dirty.add(e.getKey());
        }
      }
    }
  }

  private Pending pending(TypeRuntime rt) {
    return pending.computeIfAbsent(rt.name(), k -> new Pending());
  }

  /**
   * The next write of instance {@code id} must carry {@code preconditions} (added to any it carries
   * already): call before the change that makes the write due, so a write at once carries them too.
   */
  void after(TypeRuntime rt, int id, List<Precondition> preconditions) {
    pending(rt).after.computeIfAbsent(id, k -> new ArrayList<>()).addAll(preconditions);
  }

  /**
   * Writes the due instances among {@code ids} now, whatever the flush interval: a step of load
   * moves must be on the topic before the next step's records name its sequence numbers, and an
   * emptied instance before the tombstone that deletes it.
   */
  void writeNow(TypeRuntime rt, Collection<Integer> ids, long now) {
    Pending p = pending(rt);
    for (int id : new TreeSet<>(ids)) {
      if (p.dirty.remove(id)) {
        write(rt, p, id, now);
      }
    }
  }

  /**
   * The plan of a type changed as {@code delta} says, and the instances' new states are in the
   * cache: they are due for a write, which under at-least-once happens now for an instance not
   * written within the last flush interval.
   */
  void planChanged(TypeRuntime rt, Delta delta, long now) {
    Pending p = pending(rt);
    for (Map.Entry<Integer, List<String>> e : delta.lost().entrySet()) {
      for (String id : e.getValue()) {
        p.encoded.removed(e.getKey(), id);
      }
    }
    for (Map.Entry<Integer, List<String>> e : delta.gained().entrySet()) {
      for (String id : e.getValue()) {
        p.encoded.added(e.getKey(), id);
      }
    }
    for (int id : delta.deleted()) {
      p.encoded.forget(id);
    }
    p.dirty.addAll(delta.deleted());
    p.dirty.addAll(delta.changed());
    if (!exactlyOnce) {
      writeQuiet(rt, p, delta.deleted(), now);
      writeQuiet(rt, p, delta.changed(), now);
    }
  }

  /** Writes the quiet ones of {@code ids}; those that wait for others (a move's givers) after the rest. */
  private void writeQuiet(TypeRuntime rt, Pending p, Collection<Integer> ids, long now) {
    for (boolean waiting : new boolean[] {false, true}) {
      for (int id : ids) {
        Long last = p.lastEmit.get(id);
        if (p.after.containsKey(id) == waiting && (last == null || now - last >= flushIntervalMs) && p.dirty.remove(id)) {
          write(rt, p, id, now);
        }
      }
    }
  }

  /** The flush tick: writes every dirty instance of every type. */
  void flush(long now) {
    boolean wrote = false;
    for (TypeRuntime rt : cache.all()) {
      Pending p = pending.get(rt.name());
      if (p == null || p.dirty.isEmpty()) {
        continue;
      }
      for (int id : p.dirty) {
        write(rt, p, id, now);
      }
      p.dirty.clear();
      wrote = true;
    }
    if (wrote && exactlyOnce) {
      // Commit right after the flush rather than up to a commit interval later. (Kafka Streams
      // keeps its own interval commits as well: a requested commit does not restart that timer.)
      context.commit();
    }
  }

  /**
   * Writes the whole state of one instance, or once removed a tombstone with the removal's sequence
   * in a header, and records it as written.
   */
  private void write(TypeRuntime rt, Pending p, int id, long now) {
    String type = rt.name();
    InstanceState s = rt.instances.get(id);
    String key = Assignment.key(type, String.valueOf(id));
    if (s.removed()) {
      p.after.remove(id);
      RecordHeaders headers = new RecordHeaders();
      headers.add(Topics.ASSIGNMENT_SEQ_HEADER, Long.toString(s.seq()).getBytes(StandardCharsets.UTF_8));
      context.forward(new Record<>(key, new Output(Topics.ASSIGNMENTS.name(), null), now, headers));
    } else {
      InstanceView view = rt.plan.instance(id);
      List<Precondition> after = p.after.remove(id);
      byte[] value = AssignmentJson.write(type, String.valueOf(id), s.seq(), view.count(), p.encoded.current(type, view), view.reload(),
          after == null ? List.of() : after);
      context.forward(new Record<>(key, new Output(Topics.ASSIGNMENTS.name(), value), now));
    }
    cache.putInstance(rt, id, s.emitted());
    p.lastEmit.put(id, now);
  }
}
