package iota.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the fast layer fast: a test class that starts a server must carry {@link IntegrationTest}.
 * "Starts a server" is read from the source: it names one of {@link #SERVERS}, or a test helper
 * that does (found transitively, so a new helper around a broker needs no entry here).
 */
class TestLayersTest {
  private static final Path TESTS = Path.of("src/test/java");

  /** What starts a broker, a server, a browser or a child JVM; extend when a new kind appears. */
  private static final List<String> SERVERS =
      List.of(
          "EmbeddedKafka",
          "KafkaClusterTestKit",
          "EmbeddedZooKeeper",
          "TestingServer",
          "EmbeddedMqttBroker",
          "MosquittoBroker",
          "EmbeddedConnect",
          "ConnectStandalone",
          "SimulatedKubernetes",
          "KubernetesMockServer",
          "EmbeddedPlatform",
          "HttpServer",
          "new ApiServer\\(",
          "Javalin\\.create",
          "ProcessBuilder",
          "chromedriver",
          "ScaleBenchmark",
          "EndToEndBenchmark",
          "ApiLoadBenchmark",
          "BridgeBenchmark");

  private static final Pattern TEST_METHOD = Pattern.compile("@(Test|ParameterizedTest|RepeatedTest|TestFactory|Property|Example|FuzzTest)\\b");
  /** A string literal (kept, so that a "/*" in one starts no comment) or a comment (dropped). */
  private static final Pattern COMMENTS = Pattern.compile("(\"(?:\\\\.|[^\"\\\\\n])*\")|/\\*.*?\\*/|//[^\n]*", Pattern.DOTALL);

  @Test
  void everyTestClassThatStartsAServerIsTaggedIntegration() {
    assertEquals(Set.of(), untagged(testSources()), "these tests start a server: mark them @IntegrationTest");
  }

  @Test
  void aServerStartedThroughAHelperCountsAndAMentionInACommentDoesNot() {
    Map<String, String> sources =
        Map.of(
            "Broker", strip("class Broker { TestingServer zk = new TestingServer(); }"),
            "UsesBrokerTest", strip("class UsesBrokerTest { @Test void t() { new Broker(); } }"),
            "TaggedTest", strip("@IntegrationTest class TaggedTest { @Test void t() { new Broker(); } }"),
            "MentionTest", strip("class MentionTest { @Test void t() {} // unlike a TestingServer\n }"),
            "GlobTest", strip("class GlobTest { String all = \"/*\"; @Test void t() { new Broker(); } }"));
    assertEquals(Set.of("UsesBrokerTest", "GlobTest"), untagged(sources), "a \"/*\" in a string starts no comment");
  }

  /** The test classes among {@code sources} that start a server, directly or through a helper, untagged. */
  private static Set<String> untagged(Map<String, String> sources) {
    Map<String, Pattern> starters = new HashMap<>();
    SERVERS.forEach(s -> starters.put(s, Pattern.compile("\\b" + s)));
    boolean grew = true;
    while (grew) {
      grew = false;
      for (Map.Entry<String, String> e : sources.entrySet()) {
        String name = e.getKey();
        if (!starters.containsKey(name) && !TEST_METHOD.matcher(e.getValue()).find() && startsServer(e.getValue(), starters)) {
          starters.put(name, Pattern.compile("\\b" + name + "\\b"));
          grew = true;
        }
      }
    }
    Set<String> untagged = new TreeSet<>();
    sources.forEach(
        (name, code) -> {
          if (TEST_METHOD.matcher(code).find() && startsServer(code, starters) && !code.contains("@IntegrationTest")) {
            untagged.add(name);
          }
        });
    return untagged;
  }

  private static boolean startsServer(String code, Map<String, Pattern> starters) {
    return starters.values().stream().anyMatch(p -> p.matcher(code).find());
  }

  private static String strip(String code) {
    return COMMENTS.matcher(code).replaceAll(m -> m.group(1) == null ? "" : Matcher.quoteReplacement(m.group(1)));
  }

  /** Test sources by simple class name, comments removed; this check and the annotation left out. */
  private static Map<String, String> testSources() {
    Map<String, String> sources = new HashMap<>();
    try (Stream<Path> files = Files.walk(TESTS)) {
      for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
        String name = file.getFileName().toString().replace(".java", "");
        if (!name.equals(TestLayersTest.class.getSimpleName()) && !name.equals(IntegrationTest.class.getSimpleName())) {
          sources.put(name, strip(Files.readString(file)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sources;
  }
}
