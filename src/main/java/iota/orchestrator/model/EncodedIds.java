package iota.orchestrator.model;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;

/**
 * One instance's ids in String natural order together with their JSON encoding ({@code
 * "a","b",...}, the inside of the {@code ids} array). Immutable.
 *
 * <p>A busy instance is written whole at every flush although only a few of its thousands of ids
 * changed. Walking a tree of thousands of scattered strings and encoding each one was most of the
 * stream thread's time (profiled in the e2e benchmark), so {@link #with} builds the next encoding
 * from this one: the unchanged runs are copied as bytes, only added ids are encoded.
 */
public final class EncodedIds {
  private static final EncodedIds EMPTY = new EncodedIds(new String[0], new byte[0], new int[0], 0);

  /** {@code {"ids":[]}}: the resources znode around its ids. */
  public static final int ZNODE_WRAPPER = 10;

  private final String[] ids;
  private final byte[] bytes;
  /** {@code ends[i]}: offset just after id i's encoding; id i starts at 0 or {@code ends[i-1] + 1}. */
  private final int[] ends;
  private final int length;

  private EncodedIds(String[] ids, byte[] bytes, int[] ends, int length) {
    this.ids = ids;
    this.bytes = bytes;
    this.ends = ends;
    this.length = length;
  }

  /** Encodes ids given in String natural order. */
  public static EncodedIds of(Collection<String> sorted) {
    if (sorted.isEmpty()) {
      return EMPTY;
    }
    String[] ids = sorted.toArray(new String[0]);
    int[] ends = new int[ids.length];
    JsonOut out = new JsonOut(ids.length * 16);
    for (int i = 0; i < ids.length; i++) {
      if (i > 0) {
        out.comma();
      }
      out.string(ids[i]);
      ends[i] = out.size();
    }
    return new EncodedIds(ids, out.buffer(), ends, out.size());
  }

  /**
   * The bytes one id takes in an encoded list, its quotes included and its separating comma not:
   * exactly what {@link #of} and {@link #with} write for it. The planner's byte budget adds these up,
   * so the budget and the written znode agree whichever way the JSON writer encodes a character.
   */
  public static int encodedLength(String id) {
    return JsonOut.stringLength(id);
  }

  /**
   * The bytes of the {@code resources} znode, {@code {"ids":[...]}}, for a list of {@code count} ids
   * whose {@link #encodedLength}s add up to {@code idBytes}: the wrapper plus a comma between ids.
   */
  public static long znodeLength(int count, long idBytes) {
    return ZNODE_WRAPPER + idBytes + Math.max(0, count - 1);
  }

  public int size() {
    return ids.length;
  }

  int byteLength() {
    return length;
  }

  void writeTo(JsonOut out) {
    out.raw(bytes, 0, length);
  }

  /** The ids, in order; for tests and checks. */
  public List<String> ids() {
    return List.of(ids);
  }

  /**
   * This list with {@code added} (none of them present yet, in natural order) put in and {@code
   * removed} (each present) taken out. Costs a binary search per changed id and one pass of array
   * copies, whatever the size.
   *
   * @throws IllegalArgumentException when an added id is present or a removed one is not: the
   *     caller's idea of this list is wrong, and it must encode the ids afresh with {@link #of}
   */
  public EncodedIds with(SortedSet<String> added, Set<String> removed) {
    if (added.isEmpty() && removed.isEmpty()) {
      return this;
    }
    int[] gone = new int[removed.size()];
    int g = 0;
    for (String id : removed) {
      int at = Arrays.binarySearch(ids, id);
      if (at < 0) {
        throw new IllegalArgumentException("removed id " + id + " is not in the list");
      }
      gone[g++] = at;
    }
    Arrays.sort(gone);
    String[] fresh = added.toArray(new String[0]);
    int[] at = new int[fresh.length];
    for (int k = 0; k < fresh.length; k++) {
      int found = Arrays.binarySearch(ids, fresh[k]);
      if (found >= 0) {
        throw new IllegalArgumentException("added id " + fresh[k] + " is already in the list");
      }
      at[k] = -found - 1;
    }

    int size = ids.length - gone.length + fresh.length;
    if (size == 0) {
      return EMPTY;
    }
    String[] nextIds = new String[size];
    int[] nextEnds = new int[size];
    JsonOut out = new JsonOut(length + fresh.length * 24 + 16);
    int k = 0;
    int a = 0;
    g = 0;
    int i = 0;
    while (true) {
      while (a < fresh.length && at[a] == i) {
        if (k > 0) {
          out.comma();
        }
        out.string(fresh[a]);
        nextIds[k] = fresh[a++];
        nextEnds[k++] = out.size();
      }
      if (i == ids.length) {
        break;
      }
      if (g < gone.length && gone[g] == i) {
        g++;
        i++;
        continue;
      }
      // a run of kept ids: up to the next removal or insertion point
      int end = ids.length;
      if (g < gone.length) {
        end = Math.min(end, gone[g]);
      }
      if (a < fresh.length) {
        end = Math.min(end, at[a]);
      }
      if (k > 0) {
        out.comma();
      }
      int from = i == 0 ? 0 : ends[i - 1] + 1;
      int shift = out.size() - from;
      out.raw(bytes, from, ends[end - 1]);
      for (int t = i; t < end; t++) {
        nextIds[k] = ids[t];
        nextEnds[k++] = ends[t] + shift;
      }
      i = end;
    }
    return new EncodedIds(nextIds, out.buffer(), nextEnds, out.size());
  }
}
