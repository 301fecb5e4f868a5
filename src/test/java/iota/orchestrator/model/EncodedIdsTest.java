package iota.orchestrator.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class EncodedIdsTest {
  private static final String[] ODD = {"q\"uote", "back\\slash", "ü", "emoji-\uD83D\uDE00", "tab\tx"};

  private static String id(Random rnd) {
    return rnd.nextInt(20) == 0 ? ODD[rnd.nextInt(ODD.length)] + rnd.nextInt(50) : "thing-" + rnd.nextInt(2_000);
  }

  private static byte[] json(EncodedIds ids) {
    return AssignmentJson.write("Thing", "0", 1, 5000, ids, 0);
  }

  @Test
  void patchingGivesTheSameBytesAsEncodingAfresh() {
    Random rnd = new Random(7);
    for (int round = 0; round < 300; round++) {
      TreeSet<String> set = new TreeSet<>();
      int start = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(300);
      while (set.size() < start) {
        set.add(id(rnd));
      }
      EncodedIds encoded = EncodedIds.of(set);
      for (int step = 0; step < 5; step++) {
        TreeSet<String> added = new TreeSet<>();
        Set<String> removed = new HashSet<>();
        List<String> present = new ArrayList<>(set);
        int removals = present.isEmpty() ? 0 : rnd.nextInt(rnd.nextInt(8) == 0 ? present.size() + 1 : Math.min(5, present.size() + 1));
        for (int r = 0; r < removals; r++) {
          removed.add(present.get(rnd.nextInt(present.size())));
        }
        int additions = rnd.nextInt(8) == 0 ? rnd.nextInt(200) : rnd.nextInt(6);
        for (int r = 0; r < additions; r++) {
          String id = id(rnd);
          if (!set.contains(id)) {
            added.add(id);
          }
        }
        set.removeAll(removed);
        set.addAll(added);
        encoded = encoded.with(added, removed);
        assertEquals(List.copyOf(set), encoded.ids());
        assertArrayEquals(json(EncodedIds.of(set)), json(encoded), "round " + round + " step " + step);
      }
    }
  }

  @Test
  void theEncodingIsDatabindsOwn() {
    TreeSet<String> set = new TreeSet<>(List.of("b", "a", "q\"uote", "emoji-\uD83D\uDE00"));
    EncodedIds encoded = EncodedIds.of(new TreeSet<>(List.of("a"))).with(new TreeSet<>(List.of("b", "q\"uote", "emoji-\uD83D\uDE00")), Set.of());
    assertArrayEquals(Json.bytes(Assignment.of("Thing", "0", 1, 5000, List.copyOf(set), 0)), json(encoded));
  }

  @Test
  void nothingChangedIsTheSameObject() {
    EncodedIds encoded = EncodedIds.of(List.of("a", "b"));
    assertSame(encoded, encoded.with(new TreeSet<>(), Set.of()));
  }

  @Test
  void aWrongIdeaOfTheListIsRefused() {
    EncodedIds encoded = EncodedIds.of(List.of("a", "b"));
    assertThrows(IllegalArgumentException.class, () -> encoded.with(new TreeSet<>(List.of("a")), Set.of()));
    assertThrows(IllegalArgumentException.class, () -> encoded.with(new TreeSet<>(), Set.of("c")));
  }

  @Test
  void theBudgetsLengthOfAnIdIsWhatTheWritersWrite() {
    List<String> ids = List.of(
        "plain-ascii-42", "x", "ü-bmp-é", "中文标识", "emoji-\uD83D\uDE00\uD83C\uDF89", "q\"uote", "back\\slash",
        "tab\tand\nnewline", "del\u007F", "slash/ok", "\u2028line-separator", "a".repeat(128));
    for (String id : ids) {
      byte[] alone = Json.bytes(id);
      assertEquals(alone.length, EncodedIds.encodedLength(id), id);
      // In a list the id's bytes are the same; the list adds one comma between neighbours.
      byte[] list = Json.bytes(new Assignment.Resources(List.of("a", id)));
      assertEquals(EncodedIds.znodeLength(2, EncodedIds.encodedLength("a") + EncodedIds.encodedLength(id)), list.length, id);
    }
  }

  @Test
  void theZnodeLengthOfAnyListIsTheResourcesZnodeTheExecutorWrites() {
    Random rnd = new Random(11);
    for (int round = 0; round < 200; round++) {
      TreeSet<String> set = new TreeSet<>();
      int size = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(100);
      while (set.size() < size) {
        set.add(id(rnd));
      }
      long idBytes = 0;
      for (String id : set) {
        idBytes += EncodedIds.encodedLength(id);
      }
      byte[] written = Json.bytes(new Assignment.Resources(List.copyOf(set)));
      assertEquals(written.length, EncodedIds.znodeLength(set.size(), idBytes), set.toString());
      // The topology's own writer puts the same bytes inside its assignment record.
      String assignment = new String(json(EncodedIds.of(set)), StandardCharsets.UTF_8);
      assertTrue(assignment.contains(new String(written, StandardCharsets.UTF_8)));
    }
  }
}
