package iota.orchestrator.topology;

import iota.orchestrator.model.EncodedIds;
import iota.orchestrator.placement.InstanceView;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The id lists of one type's instances as last written, and the ids each instance gained or lost
 * since, so that a flush patches the encoding instead of walking and encoding every id again (see
 * {@link EncodedIds}). A cache only: the plan stays the truth. An instance it knows nothing about,
 * or whose changes it could not follow (it was deleted, or a change was not reported), is encoded afresh
 * from the plan, and so is one whose patched list disagrees with the plan.
 */
final class EncodedInstances {
  private static final Logger LOG = LoggerFactory.getLogger(EncodedInstances.class);

  private final Map<Integer, EncodedIds> written = new HashMap<>();
  private final Map<Integer, Changes> changes = new HashMap<>();
  /** How many writes had to encode every id, because nothing was known or the changes were not followed. */
  private long afresh;
  private long patched;

  private static final class Changes {
    final TreeSet<String> added = new TreeSet<>();
    final Set<String> removed = new HashSet<>();
  }

  /** {@code id} was placed on {@code instance}. */
  void added(int instance, String id) {
    if (written.containsKey(instance)) {
      Changes c = changes.computeIfAbsent(instance, k -> new Changes());
      if (!c.removed.remove(id)) {
        c.added.add(id);
      }
    }
  }

  /** {@code id} was taken off {@code instance}. */
  void removed(int instance, String id) {
    if (written.containsKey(instance)) {
      Changes c = changes.computeIfAbsent(instance, k -> new Changes());
      if (!c.added.remove(id)) {
        c.removed.add(id);
      }
    }
  }

  /** The instance's ids changed in a way not reported one by one, or it is gone. */
  void forget(int instance) {
    written.remove(instance);
    changes.remove(instance);
  }

  /** The encoding of the instance's ids as the plan has them now, remembered as written. */
  EncodedIds current(String type, InstanceView view) {
    int instance = view.id();
    EncodedIds before = written.get(instance);
    Changes c = changes.remove(instance);
    EncodedIds now;
    if (before == null) {
      now = afresh(view);
    } else if (c == null) {
      now = before;
    } else {
      try {
        now = before.with(c.added, c.removed);
        patched++;
      } catch (IllegalArgumentException e) {
        LOG.warn("ids of {}/{} were not followed correctly ({}); encoding them afresh", type, instance, e.getMessage());
        now = afresh(view);
      }
    }
    if (now.size() != view.used()) {
      LOG.warn("ids of {}/{} were not followed correctly ({} encoded, {} placed); encoding them afresh", type, instance, now.size(), view.used());
      now = afresh(view);
    }
    written.put(instance, now);
    return now;
  }

  private EncodedIds afresh(InstanceView view) {
    afresh++;
    return EncodedIds.of(view.resources());
  }

  long afreshCount() {
    return afresh;
  }

  long patchedCount() {
    return patched;
  }
}
