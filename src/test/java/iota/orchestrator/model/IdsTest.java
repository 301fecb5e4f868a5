package iota.orchestrator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class IdsTest {
  private static final String EMOJI = "\uD83D\uDE00";

  @Test
  void theLimitIsOneHundredTwentyEightBytesOfUtf8() {
    assertNull(Ids.problem("x".repeat(128)));
    assertNotNull(Ids.problem("x".repeat(129)));
    // 32 emoji are 64 UTF-16 units but 128 bytes: the most that fits.
    assertNull(Ids.problem(EMOJI.repeat(32)));
    String tooLong = Ids.problem(EMOJI.repeat(33));
    assertNotNull(tooLong);
    assertTrue(tooLong.contains("128 bytes"), tooLong);
    assertNotNull(Ids.problem("é".repeat(65)), "130 bytes in 65 characters");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069", "\u200E", "\u200F", "\u061C"})
  void bidiControlsAreRefused(String bidi) {
    String problem = Ids.problem("a" + bidi + "b");
    assertNotNull(problem);
    assertTrue(problem.contains("bidirectional"), problem);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\uD800", "\uDC00a", "a\uDC00\uD800b", "\uD800"})
  void loneSurrogatesAreRefused(String id) {
    String problem = Ids.problem(id);
    assertNotNull(problem);
    assertTrue(problem.contains("surrogate"), problem);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\u0000", "a\u001F", "a\u007F", "a\u0085", "a\u009F", "a\nb"})
  void controlCharactersAreRefused(String id) {
    assertTrue(Ids.problem(id).contains("control"), Ids.problem(id));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".", "..", "a/b", "/"})
  void emptyDotsAndSlashesAreRefused(String id) {
    assertNotNull(Ids.problem(id));
  }

  @ParameterizedTest
  @ValueSource(strings = {"thing-1", "42", "-7", "a.b", "...", "Ünïcödé", "名前", "\uD83D\uDE00", "a b", "a?"})
  void ordinaryIdsPass(String id) {
    assertNull(Ids.problem(id));
  }

  @Test
  void aReasonNamesTheField() {
    assertEquals("k.id must not contain '/'", assertThrows(InvalidRecordException.class, () -> Ids.require("k.id", "a/b")).getMessage());
  }

  @Test
  void utf8LengthCountsBytesWithoutEncoding() {
    assertEquals("a\u00e9\u4e2d\uD83D\uDE00".getBytes(StandardCharsets.UTF_8).length, Ids.utf8Length("a\u00e9\u4e2d\uD83D\uDE00"));
  }
}
