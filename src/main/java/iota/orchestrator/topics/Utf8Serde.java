package iota.orchestrator.topics;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Strings as UTF-8 that refuse what UTF-8 cannot hold, for store and topic keys. Kafka's String
 * serde replaces an unencodable lone surrogate with {@code ?} and undecodable bytes with U+FFFD,
 * so two different ids could share one store key while the in-memory plan keeps them apart. The
 * edge refuses such ids ({@link iota.orchestrator.model.Ids}); this makes a key that slipped past
 * it fail loudly instead of colliding.
 */
public final class Utf8Serde implements Serde<String> {
  public static final Utf8Serde INSTANCE = new Utf8Serde();

  private Utf8Serde() {}

  @Override
  public Serializer<String> serializer() {
    return (topic, s) -> {
      if (s == null) {
        return null;
      }
      try {
        ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .encode(CharBuffer.wrap(s));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
      } catch (CharacterCodingException e) {
        throw new SerializationException("key for " + topic + " is not encodable as UTF-8 (lone surrogate)");
      }
    };
  }

  @Override
  public Deserializer<String> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      try {
        return StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes))
            .toString();
      } catch (CharacterCodingException e) {
        throw new SerializationException("key from " + topic + " is not UTF-8");
      }
    };
  }
}
