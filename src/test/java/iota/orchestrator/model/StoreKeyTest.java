package iota.orchestrator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StoreKeyTest {
  @Test
  void keysKeepTheBytesTheStoresAndChangelogsAlreadyHold() {
    assertEquals("Thing/t1", StoreKey.of("Thing", "t1"));
    assertEquals("Thing/3", StoreKey.of("Thing", 3));
    assertEquals("Thing/3/t1", StoreKey.Indexed.of("Thing", "3", "t1"));
    assertEquals("Thing/", StoreKey.typePrefix("Thing"));
    assertEquals("Thing/3/", StoreKey.Indexed.prefix("Thing", "3"));
  }

  @Test
  void parsingGivesBackThePartsAKeyWasBuiltFrom() {
    assertEquals(new StoreKey("Thing", "t1"), StoreKey.parse(StoreKey.of("Thing", "t1")));
    assertEquals(7, StoreKey.parse(StoreKey.of("Rule", 7)).instanceId());
    assertEquals(new StoreKey.Indexed("Thing", "3", "t1"), StoreKey.Indexed.parse(StoreKey.Indexed.of("Thing", "3", "t1")));
    assertEquals("Thing", StoreKey.typeOf("Thing/3"));
    assertEquals("Thing", StoreKey.typeOf("Thing"));
    assertEquals("Thing/3", new StoreKey("Thing", "3").toString());
  }

  @Test
  void aTypePrefixMatchesNoKeyOfATypeItStartsWith() {
    assertTrue(StoreKey.of("Thing", "1").startsWith(StoreKey.typePrefix("Thing")));
    assertFalse(StoreKey.of("ThingB", "1").startsWith(StoreKey.typePrefix("Thing")));
    assertFalse(StoreKey.Indexed.of("Thing", "12", "a").startsWith(StoreKey.Indexed.prefix("Thing", "1")));
  }

  @Test
  void keysWithTheWrongNumberOfPartsAreRefused() {
    assertThrows(InvalidRecordException.class, () -> StoreKey.parse("Thing"));
    assertThrows(InvalidRecordException.class, () -> StoreKey.parse("Thing/3/t1"));
    assertThrows(InvalidRecordException.class, () -> StoreKey.Indexed.parse("Thing/3"));
    assertThrows(InvalidRecordException.class, () -> StoreKey.Indexed.parse("Thing/3/t1/x"));
    assertThrows(InvalidRecordException.class, () -> StoreKey.parse("Thing/x").instanceId());
  }
}
