package iota.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import iota.orchestrator.model.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PlanCommandTest {

  @TempDir Path dir;

  private record Result(int exit, String out, String err) {
    /** Standard error as lines, so tests can insist on exactly one. */
    List<String> errLines() {
      return err.isEmpty() ? List.of() : List.of(err.split("\\R"));
    }
  }

  private static Result execute(InputStream stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new PlanCommand(stdin));
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  private Result plan(String json) throws IOException {
    Path file = Files.writeString(dir.resolve("input-" + System.nanoTime() + ".json"), json);
    return execute(InputStream.nullInputStream(), "--input", file.toString());
  }

  private Result rejected(String json) throws IOException {
    Result r = plan(json);
    assertEquals(2, r.exit(), r.toString());
    assertEquals("", r.out());
    assertEquals(1, r.errLines().size(), r.err());
    return r;
  }

  @Test
  void plansAFileAndPrintsInstancesAndReport() throws IOException {
    Result r =
        plan(
            """
            {"resource":"Thing","settings":{"initInstances":2,"maxInstances":5,"resourcePerInstance":10},
             "instances":{"3":["d"],"0":["c","a","b"]},"resources":["a","b","c","d","e"]}
            """);

    assertEquals(0, r.exit(), r.err());
    assertEquals("", r.err());
    assertEquals(
        "{\"instances\":{\"0\":{\"count\":3,\"used\":3,\"ids\":[\"a\",\"b\",\"c\"]},"
            + "\"3\":{\"count\":3,\"used\":2,\"ids\":[\"d\",\"e\"]}},"
            + "\"report\":{\"moved\":0,\"kept\":4,\"created\":[],\"deleted\":[],\"maxLoad\":3,\"minLoad\":2}}"
            + System.lineSeparator(),
        r.out());
  }

  @Test
  void reportsCreatedAndDeletedInstancesAndMoves() throws IOException {
    Result r =
        plan(
            """
            {"settings":{"initInstances":3,"resourcePerInstance":100},
             "instances":{"0":["a","b","c","d"],"1":[],"5":["e"],"9":["f"]},"resources":["a","b","c","d","e","f"]}
            """);

    assertEquals(0, r.exit(), r.err());
    JsonNode out = Json.tree(r.out().getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of("0", "1", "5"), fieldNames(out.get("instances")));
    JsonNode report = out.get("report");
    assertEquals("[\"9\"]", report.get("deleted").toString());
    assertEquals("[]", report.get("created").toString());
    assertEquals(3, report.get("moved").intValue());
    assertEquals(3, report.get("kept").intValue());
    assertEquals(2, report.get("maxLoad").intValue());
    assertEquals(2, report.get("minLoad").intValue());
  }

  @Test
  void withoutInstancesAFreshPlanUsesTheDefaults() throws IOException {
    Result r = plan("{\"resources\":[\"a\",\"b\"]}");

    assertEquals(0, r.exit(), r.err());
    JsonNode out = Json.tree(r.out().getBytes(StandardCharsets.UTF_8));
    // Defaults: initInstances 10, so ten instances of capacity floor(2 / 10) + 1 = 1.
    assertEquals(10, out.get("instances").size());
    assertEquals(1, out.get("instances").get("0").get("count").intValue());
    assertEquals(10, out.get("report").get("created").size());
    assertEquals(0, out.get("report").get("moved").intValue());
  }

  @Test
  void aResourceListedOnSeveralInstancesStaysOnTheLowestId() throws IOException {
    Result r =
        plan(
            """
            {"settings":{"initInstances":2},"instances":{"1":["x","y"],"0":["x"]},"resources":["x","y"]}
            """);

    assertEquals(0, r.exit(), r.err());
    JsonNode instances = Json.tree(r.out().getBytes(StandardCharsets.UTF_8)).get("instances");
    assertEquals("[\"x\"]", instances.get("0").get("ids").toString());
    assertEquals("[\"y\"]", instances.get("1").get("ids").toString());
  }

  @Test
  void dashReadsStandardInput() {
    byte[] json = "{\"settings\":{\"initInstances\":1},\"resources\":[\"a\"]}".getBytes(StandardCharsets.UTF_8);

    Result r = execute(new ByteArrayInputStream(json), "--input", "-");

    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().startsWith("{\"instances\":{\"0\":{\"count\":5000,\"used\":1,\"ids\":[\"a\"]}}"), r.out());
  }

  @Test
  void sameInputGivesTheSameBytes() throws IOException {
    Random rnd = new Random(7);
    StringBuilder json = new StringBuilder("{\"settings\":{\"initInstances\":7,\"resourcePerInstance\":40},\"instances\":{");
    Set<String> live = new HashSet<>();
    for (int id = 0; id < 9; id++) {
      json.append(id == 0 ? "" : ",").append('"').append(id * 2).append("\":[");
      int n = rnd.nextInt(60);
      for (int i = 0; i < n; i++) {
        String r = "r" + rnd.nextInt(400);
        json.append(i == 0 ? "" : ",").append('"').append(r).append('"');
        if (rnd.nextInt(10) > 0) {
          live.add(r);
        }
      }
      json.append(']');
    }
    for (int i = 0; i < 30; i++) {
      live.add("new" + rnd.nextInt(1000));
    }
    List<String> liveList = new ArrayList<>(live);
    json.append("},\"resources\":").append(Json.string(liveList)).append('}');

    Result first = plan(json.toString());
    Result second = plan(json.toString());

    assertEquals(0, first.exit(), first.err());
    assertTrue(first.out().length() > 100);
    assertEquals(first.out(), second.out());
  }

  @Test
  void sizingFailureExitsTwoWithTheOriginalText() throws IOException {
    Result r =
        rejected(
            """
            {"settings":{"maxInstances":3,"resourcePerInstance":1,"initInstances":1},"resources":["a","b","c","d"]}
            """);
    assertEquals("require instances more than the max: 5/3", r.errLines().get(0));
  }

  @Test
  void theByteBudgetSizesThePoolAndIsChecked() throws IOException {
    StringBuilder resources = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      resources.append(i == 0 ? "" : ",").append('"').append(String.format("%03d", i)).append("x".repeat(120)).append('"');
    }
    String input = "{\"settings\":{\"maxInstances\":3,\"resourcePerInstance\":1000,\"initInstances\":1},\"resources\":[" + resources + "]}";
    Path file = Files.writeString(dir.resolve("long.json"), input);

    Result roomy = execute(InputStream.nullInputStream(), "--input", file.toString());
    assertEquals(0, roomy.exit(), roomy.err());
    assertEquals(1, Json.tree(roomy.out().getBytes(StandardCharsets.UTF_8)).get("instances").size());

    Result tight = execute(InputStream.nullInputStream(), "--input", file.toString(), "--max-bytes", "4096");
    assertEquals(2, tight.exit());
    assertEquals("require instances more than the max: 4/3 (the ids need 4 instances of at most 4096 bytes)", tight.errLines().get(0));

    Result tiny = execute(InputStream.nullInputStream(), "--input", file.toString(), "--max-bytes", "100");
    assertEquals(2, tiny.exit());
    assertEquals("invalid input: --max-bytes must be in [4096, 67108864], got 100", tiny.errLines().get(0));
  }

  @Test
  void badJsonIsRejectedOnOneLine() throws IOException {
    Result r = rejected("{\"resources\": [\"a\",");
    assertTrue(r.err().startsWith("invalid input: not JSON"), r.err());
  }

  @Test
  void emptyInputIsRejected() throws IOException {
    assertTrue(rejected("").err().contains("empty"));
  }

  @Test
  void aNonObjectIsRejected() throws IOException {
    assertTrue(rejected("[1,2]").err().contains("JSON object"));
  }

  @Test
  void settingOutOfRangeNamesTheFieldAndRange() throws IOException {
    Result r = rejected("{\"settings\":{\"maxInstances\":100},\"resources\":[]}");
    assertEquals("invalid input: maxInstances must be in [3, 100), got 100", r.errLines().get(0));
  }

  @Test
  void severalBadSettingsStillGiveOneLine() throws IOException {
    Result r = rejected("{\"settings\":{\"maxInstances\":1,\"resourcePerInstance\":0},\"resources\":[]}");
    assertTrue(r.err().contains("maxInstances") && r.err().contains("resourcePerInstance"), r.err());
  }

  @Test
  void nonIntegerSettingIsRejected() throws IOException {
    assertTrue(rejected("{\"settings\":{\"initInstances\":2.5},\"resources\":[]}").err().contains("initInstances must be an integer"));
    assertTrue(rejected("{\"settings\":{\"initInstances\":\"3\"},\"resources\":[]}").err().contains("initInstances must be an integer"));
  }

  @Test
  void initAboveMaxIsRejected() throws IOException {
    Result r = rejected("{\"settings\":{\"initInstances\":20,\"maxInstances\":10},\"resources\":[]}");
    assertTrue(r.err().contains("initInstances must be at most maxInstances"), r.err());
  }

  @Test
  void invalidInstanceIdIsRejected() throws IOException {
    assertTrue(rejected("{\"instances\":{\"01\":[\"a\"]},\"resources\":[\"a\"]}").err().contains("'01' is not an instance id"));
    assertTrue(rejected("{\"instances\":{\"x\":[]},\"resources\":[]}").err().contains("is not an instance id"));
  }

  @Test
  void invalidResourceIdIsRejected() throws IOException {
    assertTrue(rejected("{\"resources\":[\"a/b\"]}").err().contains("resources[0] must not contain '/'"));
    assertTrue(rejected("{\"instances\":{\"0\":[\"\"]},\"resources\":[]}").err().contains("instances.0[0] is empty"));
    assertTrue(rejected("{\"resources\":[\"a\\nb\"]}").err().contains("control characters"));
    assertTrue(rejected("{\"resources\":[1]}").err().contains("resources[0] must be a string"));
  }

  @Test
  void missingOrMalformedResourcesIsRejected() throws IOException {
    assertTrue(rejected("{\"instances\":{}}").err().contains("resources is missing"));
    assertTrue(rejected("{\"resources\":{}}").err().contains("resources must be an array"));
    assertTrue(rejected("{\"instances\":[],\"resources\":[]}").err().contains("instances must be an object"));
  }

  @Test
  void unreadableFileIsRejectedOnOneLine() {
    Result r = execute(InputStream.nullInputStream(), "--input", dir.resolve("absent.json").toString());
    assertEquals(2, r.exit());
    assertEquals(1, r.errLines().size(), r.err());
    assertTrue(r.err().contains("no such file"), r.err());
  }

  @Test
  void inputIsRequired() {
    Result r = execute(InputStream.nullInputStream());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--input"), r.err());
  }

  @Test
  void helpDescribesTheCommand() {
    Result r = execute(InputStream.nullInputStream(), "--help");
    assertEquals(0, r.exit());
    assertTrue(r.out().contains("Usage: plan"), r.out());
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
