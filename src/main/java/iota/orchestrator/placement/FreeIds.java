package iota.orchestrator.placement;

import java.util.Map;
import java.util.TreeMap;

/**
 * The instance ids not in use, as disjoint runs {@code [start, end)} below the highest id in use,
 * plus everything from that id on. The lowest free id, taking an id and releasing one each cost a
 * tree lookup, however many instances there are and however sparse their ids: a linear walk over
 * the ids made a bulk create that grows a large pool quadratic.
 */
final class FreeIds {
  /** Free runs below {@link #top}: start to exclusive end; never adjacent, never empty. */
  private final TreeMap<Integer, Integer> runs = new TreeMap<>();
  /** Every id from here on is free. */
  private int top;

  /** The smallest free id. */
  int lowest() {
    return runs.isEmpty() ? top : runs.firstKey();
  }

  /** Marks {@code id} as in use; taking one already in use changes nothing. */
  void take(int id) {
    if (id >= top) {
      if (id > top) {
        addRun(top, id);
      }
      top = id + 1;
      return;
    }
    Map.Entry<Integer, Integer> run = runs.floorEntry(id);
    if (run == null || run.getValue() <= id) {
      return;
    }
    int start = run.getKey();
    int end = run.getValue();
    runs.remove(start);
    if (start < id) {
      runs.put(start, id);
    }
    if (id + 1 < end) {
      runs.put(id + 1, end);
    }
  }

  /** Marks {@code id} as free again; releasing a free id changes nothing. */
  void release(int id) {
    if (id >= top) {
      return;
    }
    Map.Entry<Integer, Integer> before = runs.floorEntry(id);
    if (before != null && before.getValue() > id) {
      return;
    }
    if (id == top - 1) {
      // The top shrinks, swallowing the run that now touches it.
      top = id;
      Map.Entry<Integer, Integer> last = runs.lastEntry();
      if (last != null && last.getValue() == top) {
        runs.remove(last.getKey());
        top = last.getKey();
      }
      return;
    }
    addRun(id, id + 1);
  }

  /** Adds a free run below {@link #top}, merging it with the runs it touches. */
  private void addRun(int start, int end) {
    Map.Entry<Integer, Integer> before = runs.lowerEntry(start);
    if (before != null && before.getValue() == start) {
      runs.remove(before.getKey());
      start = before.getKey();
    }
    Integer after = runs.get(end);
    if (after != null) {
      runs.remove(end);
      end = after;
    }
    runs.put(start, end);
  }
}
