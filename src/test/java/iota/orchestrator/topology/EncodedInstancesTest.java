package iota.orchestrator.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import iota.orchestrator.placement.InstanceView;
import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class EncodedInstancesTest {
  /** An instance whose ids the test changes directly. */
  private static final class Instance implements InstanceView {
    final TreeSet<String> ids = new TreeSet<>();

    @Override
    public int id() {
      return 4;
    }

    @Override
    public int count() {
      return 100;
    }

    @Override
    public int used() {
      return ids.size();
    }

    @Override
    public long reload() {
      return 0;
    }

    @Override
    public SortedSet<String> resources() {
      return Collections.unmodifiableSortedSet(ids);
    }
  }

  private final EncodedInstances cache = new EncodedInstances();
  private final Instance instance = new Instance();

  private void add(String id) {
    instance.ids.add(id);
    cache.added(4, id);
  }

  private void remove(String id) {
    instance.ids.remove(id);
    cache.removed(4, id);
  }

  private void assertCurrent() {
    assertEquals(List.copyOf(instance.ids), cache.current("Thing", instance).ids());
  }

  @Test
  void followsAddsRemovesAndTheirUndoingWithoutEncodingEverythingAgain() {
    add("b");
    add("d");
    assertCurrent();
    assertEquals(1, cache.afreshCount(), "the first write knows nothing yet");

    add("a");
    add("c");
    remove("d");
    assertCurrent();
    remove("a");
    add("a");
    add("e");
    remove("e");
    assertCurrent();
    assertCurrent();
    assertEquals(1, cache.afreshCount());
    assertEquals(2, cache.patchedCount());
  }

  @Test
  void aForgottenInstanceOrAChangeNotReportedIsEncodedAfresh() {
    add("a");
    assertCurrent();
    instance.ids.add("moved-in");
    cache.forget(4);
    assertCurrent();
    assertEquals(2, cache.afreshCount());

    instance.ids.add("not-reported");
    assertCurrent();
    assertEquals(3, cache.afreshCount(), "the count disagrees with the plan");

    remove("never-there");
    assertCurrent();
    assertEquals(4, cache.afreshCount(), "a removal of an id it never wrote");
  }
}
