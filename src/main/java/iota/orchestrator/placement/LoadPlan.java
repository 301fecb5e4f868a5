package iota.orchestrator.placement;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a load-aware re-plan ({@link LoadRebalancer}) proposes. Nothing is applied yet: {@link
 * TypePlan#applyMoves} applies {@link #moves()}, then {@link TypePlan#deleteInstances} deletes
 * {@link #removed()}.
 *
 * <p><b>Make-before-break.</b> A writer that must never leave a placed resource on no instance writes
 * in two steps: first every instance of {@link #receivers()} with its incoming resources added and its
 * outgoing ones still listed, then every changed instance in its final state. After the first step a
 * moving resource is listed twice, never zero times.
 *
 * @param moves every resource whose instance changes, once each (from its instance before to its
 *     instance after), in ascending resource order
 * @param removed instances to delete once their resources have moved off (scale-down); ascending
 * @param unplaced resources that had to leave a draining or removed instance but found no instance
 *     with room (count or bytes); they stay where they are, and such an instance is not in {@code
 *     removed}
 * @param mean the mean estimated load over the instances that take resources (not draining or removed)
 * @param maxLoad the highest estimated load of those instances after the moves
 * @param minLoad the lowest estimated load of those instances after the moves
 * @param band the band asked for: every instance within {@code mean × (1 ± band)}
 * @param withinBand whether every instance that takes resources ends within the band
 */
public record LoadPlan(
    List<Move> moves,
    SortedSet<Integer> removed,
    List<String> unplaced,
    double mean,
    double maxLoad,
    double minLoad,
    double band,
    boolean withinBand) {

  public LoadPlan {
    moves = List.copyOf(moves);
    removed = Collections.unmodifiableSortedSet(new TreeSet<>(removed));
    unplaced = List.copyOf(unplaced);
  }

  /** Instances that take at least one resource: written first. */
  public SortedSet<Integer> receivers() {
    TreeSet<Integer> ids = new TreeSet<>();
    for (Move m : moves) {
      ids.add(m.to());
    }
    return ids;
  }

  /** Instances that give at least one resource: written (in their final state) after every receiver. */
  public SortedSet<Integer> givers() {
    TreeSet<Integer> ids = new TreeSet<>();
    for (Move m : moves) {
      ids.add(m.from());
    }
    return ids;
  }

  /** The resources that move onto {@code instanceId}. */
  public List<String> movesInto(int instanceId) {
    List<String> ids = new ArrayList<>();
    for (Move m : moves) {
      if (m.to() == instanceId) {
        ids.add(m.resource());
      }
    }
    return ids;
  }

  /** The resources that move off {@code instanceId}. */
  public List<String> movesOutOf(int instanceId) {
    List<String> ids = new ArrayList<>();
    for (Move m : moves) {
      if (m.from() == instanceId) {
        ids.add(m.resource());
      }
    }
    return ids;
  }

  /** {@code maxLoad / mean}; 1 when the mean is 0 (nothing measured: nothing to balance). */
  public double maxOverMean() {
    return mean > 0 ? maxLoad / mean : 1;
  }
}
