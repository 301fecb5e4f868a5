package iota.orchestrator.topics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import iota.orchestrator.model.Json;
import iota.orchestrator.topics.Utf8Serde;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

class Utf8SerdeTest {
  private final Serde<String> serde = Utf8Serde.INSTANCE;

  @Test
  void aLoneSurrogateCannotShareAKeyWithAQuestionMark() {
    byte[] plain = serde.serializer().serialize("t", "Thing/a?");
    assertArrayEquals("Thing/a?".getBytes(StandardCharsets.UTF_8), plain);
    // The stock String serde writes '?' for the lone surrogate: two ids, one store key.
    assertArrayEquals(plain, Serdes.String().serializer().serialize("t", "Thing/a\uD800"));
    assertThrows(SerializationException.class, () -> serde.serializer().serialize("t", "Thing/a\uD800"));
  }

  @Test
  void bytesThatAreNotUtf8AreRefusedInsteadOfReplaced() {
    assertThrows(SerializationException.class, () -> serde.deserializer().deserialize("t", new byte[] {'a', (byte) 0xC3}));
  }

  @Test
  void everyValidStringRoundTripsAndNullStaysNull() {
    for (String s : List.of("", "Thing/1", "Ünï/\uD83D\uDE00", "名前")) {
      assertEquals(s, serde.deserializer().deserialize("t", serde.serializer().serialize("t", s)));
    }
    assertNull(serde.serializer().serialize("t", null));
    assertNull(serde.deserializer().deserialize("t", null));
  }

  @Test
  void jsonValuesKeepALoneSurrogateDistinctFromAQuestionMark() {
    // Values are JSON: a lone surrogate is escaped, so it reads back as itself, not as '?'.
    List<?> back = Json.read(Json.bytes(List.of("a\uD800", "a?")), List.class);
    assertEquals(List.of("a\uD800", "a?"), back);
  }
}
