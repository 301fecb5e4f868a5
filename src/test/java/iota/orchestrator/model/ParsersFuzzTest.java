package iota.orchestrator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.topics.Utf8Serde;
import java.util.Arrays;
import java.util.List;

/**
 * Every parser of input from outside, fuzzed: whatever the bytes, a parser either returns ids that
 * pass {@link Ids} (and survive the key serde and a JSON round trip unchanged) or throws its own
 * {@link InvalidRecordException}; any other exception is a finding.
 *
 * <p>One fuzz test for all five parsers (the first input byte picks one), because Jazzer fuzzes a
 * single {@code @FuzzTest} per JVM. {@code mvn test} runs it twice: on the seeds in {@code
 * ParsersFuzzTestInputs} with the other tests, and fuzzing for a few seconds in its own JVM (the
 * {@code fuzz} profile of the POM sets {@code JAZZER_FUZZ}).
 */
class ParsersFuzzTest {

  @FuzzTest(maxDuration = "6s")
  @DictionaryEntries({"\"o\"", "\"t\"", "\"k\"", "\"id\"", "\"c\"", "\"u\"", "\"d\"", "\"bc\"", "\"bu\"", "\"bd\"",
      "\"keys\"", "\"where\"", "\"$in\"", "\"in\"", "\"instance\"", "\"Thing\"", "\"resource\"", "\"instanceId\"",
      "\"inventory\"", "\"observedAt\"", "\"phase\"", "\"Running\"", "\"gone\"", "\"podName\"", "\"uid\"",
      "\"requestId\"", "\"maxInstances\"", "\"resourcePerInstance\"", "\"initInstances\"", "\\uD800", "\\u202E", "\\u0000",
      "99999999999999999999999999999999999999999", "1e5", "-0", "true", "null", "[]", "{}"})
  void everyParserReturnsValidIdsOrRefusesWithItsOwnException(byte[] input) {
    if (input.length == 0) {
      return;
    }
    byte[] payload = Arrays.copyOfRange(input, 1, input.length);
    try {
      switch (Math.floorMod(input[0], 5)) {
        case 0 -> changeEvent(payload);
        case 1 -> heartbeat(payload);
        case 2 -> podStatus(payload);
        case 3 -> podInventory(payload);
        default -> orchestrateRequest(payload);
      }
    } catch (InvalidRecordException refused) {
      assertTrue(refused.getMessage() != null && !refused.getMessage().isEmpty(), "a refusal says why");
    }
  }

  private static void changeEvent(byte[] payload) {
    ChangeEvent e = ChangeEventParser.parse(payload);
    if (e.table() != null) {
      valid(e.table());
    }
    e.ids().forEach(ParsersFuzzTest::valid);
    ChangeEventParser.requireIds(e);
  }

  private static void heartbeat(byte[] payload) {
    HeartBeat hb = HeartBeat.parse(payload);
    valid(hb.resource());
    assertTrue(InstanceIds.isValid(hb.instanceId()), hb.instanceId());
  }

  private static void podStatus(byte[] payload) {
    PodStatus s = PodStatus.parse(payload);
    valid(s.resource());
    assertTrue(InstanceIds.isValid(s.instanceId()), s.instanceId());
    assertTrue(s.phase() == null ? s.gone() : PodStatus.PHASES.contains(s.phase()), String.valueOf(s.phase()));
    if (s.podName() != null) valid(s.podName());
    if (s.uid() != null) valid(s.uid());
  }

  private static void podInventory(byte[] payload) {
    JsonNode node = Json.tree(payload);
    if (!PodInventory.isInventory(node)) {
      return;
    }
    PodInventory inv = PodInventory.parse(node);
    valid(inv.resource());
    inv.inventory().forEach(id -> assertTrue(InstanceIds.isValid(id), id));
  }

  private static void orchestrateRequest(byte[] payload) {
    OrchestrateRequest r = OrchestrateRequest.parse(payload);
    valid(r.requestId());
    valid(r.resource());
    r.params().problems();
  }

  /** A usable id: passes the one definition, encodes as a store key, and reads back from JSON as itself. */
  private static void valid(String id) {
    assertNull(Ids.problem(id), id);
    assertTrue(Ids.utf8Length(id) <= Ids.MAX_BYTES);
    assertEquals(id, Utf8Serde.INSTANCE.deserializer().deserialize("t", Utf8Serde.INSTANCE.serializer().serialize("t", id)));
    assertEquals(List.of(id), Json.read(Json.bytes(List.of(id)), List.class));
  }
}
