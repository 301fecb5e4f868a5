package iota.orchestrator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.model.ChangeEvent.Op;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ChangeEventParserTest {
  private static ChangeEvent parse(String json) {
    return ChangeEventParser.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String reason(String json) {
    return assertThrows(InvalidRecordException.class, () -> {
      ChangeEvent e = parse(json);
      ChangeEventParser.requireIds(e);
    }).getMessage();
  }

  @Test
  void singleRowFormsTakeTheIdFromK() {
    assertEquals(new ChangeEvent(Op.CREATE, "c", "Thing", List.of("t1")), parse("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"t1\"},\"instance\":{\"id\":\"t1\",\"name\":\"n\"}}"));
    assertEquals(new ChangeEvent(Op.UPDATE, "u", "Thing", List.of("t1")), parse("{\"o\":\"u\",\"t\":\"Thing\",\"k\":\"t1\"}"));
    assertEquals(new ChangeEvent(Op.DELETE, "d", "Rule", List.of("42")), parse("{\"o\":\"d\",\"t\":\"Rule\",\"k\":{\"id\":42}}"));
  }

  @Test
  void missingKFallsBackToTheRowId() {
    assertEquals(List.of("t9"), parse("{\"o\":\"c\",\"t\":\"Thing\",\"instance\":{\"id\":\"t9\"}}").ids());
  }

  @Test
  void bulkCreateTakesObjectAndScalarKeysInOrder() {
    assertEquals(List.of("a", "b", "7"), parse("{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[{\"id\":\"a\"},\"b\",7]}").ids());
  }

  @Test
  void bulkUpdateAndDeleteTakeWhereIdAsScalarListOrIn() {
    assertEquals(List.of("x"), parse("{\"o\":\"bu\",\"t\":\"Thing\",\"where\":{\"id\":\"x\"}}").ids());
    assertEquals(List.of("x", "y"), parse("{\"o\":\"bd\",\"t\":\"Thing\",\"where\":{\"id\":[\"x\",\"y\"]}}").ids());
    assertEquals(List.of("x", "y"), parse("{\"o\":\"bd\",\"t\":\"Thing\",\"where\":{\"id\":{\"$in\":[\"x\",\"y\"]}}}").ids());
    assertEquals(Op.BULK_UPDATE, parse("{\"o\":\"bu\",\"t\":\"DeviceMeta\",\"where\":{\"vendor\":\"v\"}}").op());
  }

  @Test
  void unknownOperationKeepsOnlyOAndT() {
    ChangeEvent e = parse("{\"o\":\"truncate\",\"t\":\"Thing\",\"k\":{\"id\":\"ignored\"}}");
    assertEquals(Op.OTHER, e.op());
    assertEquals("truncate", e.rawOp());
    assertEquals(List.of(), e.ids());
    assertEquals(Op.OTHER, parse("{\"o\":\"x\"}").op());
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
    "not json|not JSON",
    "[1]|not a JSON object",
    "{\"t\":\"Thing\"}|o is missing",
    "{\"o\":\"c\",\"k\":\"a\"}|t is missing",
    "{\"o\":\"c\",\"t\":5,\"k\":\"a\"}|t is not a string",
    "{\"o\":\"c\",\"t\":\"Thing\"}|k.id is missing",
    "{\"o\":\"c\",\"t\":\"Thing\",\"k\":{}}|k.id is missing",
    "{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"a/b\"}}|k.id must not contain '/'",
    "{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"\"}}|k.id is empty",
    "{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"..\"}}|k.id must not be '..'",
    "{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"a\\u0007\"}}|k.id must not contain control characters",
    "{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":true}}|k.id is not a string or an integer",
    "{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":1.5}}|k.id is not a string or an integer",
    "{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":{\"id\":\"a\"}}|keys is not a list",
    "{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[\"a\",{\"x\":1}]}|keys[1].id is missing",
    "{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[]}|keys is missing",
    "{\"o\":\"bd\",\"t\":\"Thing\",\"where\":{\"id\":[\"a\",null]}}|where.id[1] is not a string or an integer",
    "{\"o\":\"bd\",\"t\":\"Thing\",\"where\":{\"id\":{\"$like\":\"a%\"}}}|where.id uses an operator other than $in",
    "{\"o\":\"bd\",\"t\":\"Thing\",\"where\":{\"name\":\"a\"}}|where.id is missing",
    "{\"o\":\"bd\",\"t\":\"Thing\",\"where\":\"a\"}|where is not an object",
  })
  void unusableMessagesAreRejectedWithAReasonNamingTheField(String json, String expected) {
    String reason = reason(json);
    assertTrue(reason.contains(expected), () -> "'" + reason + "' should contain '" + expected + "'");
  }

  @Test
  void aRepeatedFieldCountsByItsLastOccurrence() {
    assertEquals(List.of("b"), parse("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"a\"},\"k\":{\"id\":\"b\"}}").ids());
    assertEquals(List.of("row"), parse("{\"o\":\"c\",\"t\":\"Thing\",\"k\":\"a\",\"k\":null,\"instance\":{\"id\":\"row\"}}").ids());
    assertEquals(List.of(), parse("{\"o\":\"c\",\"t\":\"Thing\",\"instance\":{\"id\":\"row\"},\"instance\":5}").ids());
    assertEquals("k.id is missing", reason("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":\"a\",\"id\":null}}"));
    assertEquals("o is missing or not a string", reason("{\"o\":\"c\",\"o\":1,\"t\":\"Thing\",\"k\":\"a\"}"));
  }

  @Test
  void aBrokenDocumentIsNotJsonWhateverItsEarlierFieldsSay() {
    assertTrue(reason("{\"o\":5,\"t\":\"Thing\",\"k\":").startsWith("not JSON: "));
    assertTrue(reason("{\"o\":\"c\",\"t\":\"a/b\",\"instance\":{\"x\":[1,}}").startsWith("not JSON: "));
  }

  @Test
  void anIgnoredFieldIsHeldToTheSameJsonRulesAsTheRest() {
    // A surrogate encoded as UTF-8 bytes (CESU-8) is not JSON, even in a column of the row nobody reads.
    byte[] prefix = "{\"o\":\"c\",\"t\":\"Thing\",\"k\":\"a\",\"instance\":{\"name\":\"".getBytes(StandardCharsets.UTF_8);
    byte[] payload = java.util.Arrays.copyOf(prefix, prefix.length + 6);
    System.arraycopy(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}', '}'}, 0, payload, prefix.length, 6);
    String reason = assertThrows(InvalidRecordException.class, () -> ChangeEventParser.parse(payload)).getMessage();
    assertTrue(reason.startsWith("not JSON: "), reason);
  }

  @Test
  void onlyTheRowsIdIsReadFromALargeRow() {
    String columns = "\"name\":\"n\",\"tags\":[1,{\"id\":\"not-this\"},[null]],\"meta\":{\"id\":\"nor-this\"}";
    assertEquals(List.of("t9"), parse("{\"o\":\"c\",\"t\":\"Thing\",\"instance\":{" + columns + ",\"id\":\"t9\"}}").ids());
  }

  @Test
  void idsLongerThan128CharactersAreRejected() {
    assertEquals(List.of("x".repeat(128)), parse("{\"o\":\"c\",\"t\":\"Thing\",\"k\":\"" + "x".repeat(128) + "\"}").ids());
    assertTrue(reason("{\"o\":\"c\",\"t\":\"Thing\",\"k\":\"" + "x".repeat(129) + "\"}").contains("longer than 128"));
  }

  @Test
  void integerIdsAreValidatedLikeStrings() {
    String digits = "9".repeat(200);
    assertTrue(reason("{\"o\":\"c\",\"t\":\"Thing\",\"k\":{\"id\":" + digits + "}}").contains("k.id is longer than 128"));
    assertTrue(reason("{\"o\":\"bc\",\"t\":\"Thing\",\"keys\":[1," + digits + "]}").contains("keys[1] is longer than 128"));
    assertTrue(reason("{\"o\":\"bd\",\"t\":\"Thing\",\"where\":{\"id\":{\"$in\":[" + digits + "]}}}").contains("where.id.$in[0] is longer than 128"));
    assertTrue(reason("{\"o\":\"c\",\"t\":\"Thing\",\"instance\":{\"id\":" + digits + "}}").contains("instance.id is longer than 128"));
    assertEquals(List.of("9".repeat(128)), parse("{\"o\":\"c\",\"t\":\"Thing\",\"k\":" + "9".repeat(128) + "}").ids());
  }

  @Test
  void escapedLoneSurrogatesAndBidiControlsAreRejected() {
    assertTrue(reason("{\"o\":\"c\",\"t\":\"Thing\",\"k\":\"a\\uD800\"}").contains("surrogate"));
    assertTrue(reason("{\"o\":\"c\",\"t\":\"Thing\",\"k\":\"a\\u202Eb\"}").contains("bidirectional"));
    assertTrue(reason("{\"o\":\"c\",\"t\":\"Th\\uDC00ing\",\"k\":\"a\"}").contains("t must not contain"));
  }

  @Test
  void sixtyFourEmojiAreOverTheByteLimit() {
    String emoji = "\uD83D\uDE00";
    assertEquals(List.of(emoji.repeat(32)), parse("{\"o\":\"c\",\"t\":\"Thing\",\"k\":\"" + emoji.repeat(32) + "\"}").ids());
    assertTrue(reason("{\"o\":\"c\",\"t\":\"Thing\",\"k\":\"" + emoji.repeat(64) + "\"}").contains("longer than 128 bytes"));
  }

  @Test
  void podStatusFieldsAreValidated() {
    String ok = "{\"resource\":\"Thing\",\"instanceId\":\"3\",\"podName\":\"iota-dac-3\",\"phase\":\"Running\",\"uid\":\"u-1\",\"gone\":false,\"observedAt\":1}";
    assertEquals("Running", PodStatus.parse(ok.getBytes(StandardCharsets.UTF_8)).phase());
    for (String bad : List.of(
        ok.replace("\"Running\"", "\"" + "R".repeat(200) + "\""),
        ok.replace("\"Running\"", "\"Sleeping\""),
        ok.replace("\"iota-dac-3\"", "\"" + "p".repeat(300) + "\""),
        ok.replace("\"u-1\"", "\"u\\u202E\""),
        ok.replace("\"Thing\"", "\"T/x\""))) {
      assertThrows(InvalidRecordException.class, () -> PodStatus.parse(bad.getBytes(StandardCharsets.UTF_8)), bad);
    }
  }

  @Test
  void podInventoryEntriesMustBeInstanceIds() {
    var ok = Json.tree("{\"resource\":\"Thing\",\"inventory\":[\"0\",1],\"observedAt\":5}".getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of("0", "1"), PodInventory.parse(ok).inventory());
    for (String bad : List.of("{\"resource\":\"Thing\",\"inventory\":[{\"a\":1}]}", "{\"resource\":\"Thing\",\"inventory\":[" + "1".repeat(200) + "]}",
        "{\"resource\":\"Thing\",\"inventory\":null}", "{\"resource\":\"T\\uD800\",\"inventory\":[]}")) {
      assertThrows(InvalidRecordException.class, () -> PodInventory.parse(Json.tree(bad.getBytes(StandardCharsets.UTF_8))), bad);
    }
  }

  @Test
  void heartbeatAcceptsNumericAndStringInstanceIdsAndExtraFields() {
    assertEquals(new HeartBeat("Thing", "3"), HeartBeat.parse("{\"resource\":\"Thing\",\"instanceId\":3,\"ts\":1,\"load\":{\"cpu\":0.3}}".getBytes(StandardCharsets.UTF_8)));
    assertEquals(new HeartBeat("Thing", "12"), HeartBeat.parse("{\"resource\":\"Thing\",\"instanceId\":\"12\"}".getBytes(StandardCharsets.UTF_8)));
    for (String bad : List.of("{\"resource\":\"Thing\"}", "{\"instanceId\":1}", "{\"resource\":\"Thing\",\"instanceId\":\"01\"}",
        "{\"resource\":\"Thing\",\"instanceId\":-1}", "{\"resource\":\"Thing\",\"instanceId\":\"a\"}", "{\"resource\":\"Thing\",\"instanceId\":1.5}")) {
      assertThrows(InvalidRecordException.class, () -> HeartBeat.parse(bad.getBytes(StandardCharsets.UTF_8)), bad);
    }
  }

  @Test
  void orchestrateRequestNamesTheFieldOfAWrongTypeAndRejectsUnknownFields() {
    String wrongType = assertThrows(InvalidRecordException.class, () -> OrchestrateRequest.parse(
        "{\"requestId\":\"r\",\"resource\":\"Thing\",\"maxInstances\":\"ten\"}".getBytes(StandardCharsets.UTF_8))).getMessage();
    assertEquals("maxInstances must be an integer", wrongType);
    String unknown = assertThrows(InvalidRecordException.class, () -> OrchestrateRequest.parse(
        "{\"requestId\":\"r\",\"resource\":\"Thing\",\"maxinstances\":10}".getBytes(StandardCharsets.UTF_8))).getMessage();
    assertEquals("unknown field maxinstances", unknown);
  }

  @Test
  void parameterProblemsNameTheFieldAndTheRange() {
    assertEquals(List.of(), new OrchestrationParams(3, 4999, 1).problems());
    assertEquals(List.of(
        "maxInstances must be in [3, 100), got 100",
        "resourcePerInstance must be in (0, 5000), got 0",
        "initInstances must be in [1, 100), got 0"), new OrchestrationParams(100, 0, 0).problems());
    assertThrows(InvalidRecordException.class, () -> new OrchestrationParams(5, null, 6).withDefaults(new OrchestrationParams.Sizing(10, 100, 5000)));
    assertEquals(new OrchestrationParams.Sizing(10, 100, 5000), OrchestrationParams.EMPTY.withDefaults(new OrchestrationParams.Sizing(10, 100, 5000)));
  }
}
