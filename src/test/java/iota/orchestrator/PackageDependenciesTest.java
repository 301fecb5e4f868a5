package iota.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The "must not depend on" lines of the package-info files, checked on the main sources: a
 * package's code (imports and full names alike, comments left out) names none of its forbidden
 * packages. A rule is a package and the name prefixes it must not use; add one next to its
 * package-info sentence.
 */
class PackageDependenciesTest {
  private static final Path MAIN = Path.of("src/main/java/iota/orchestrator");
  private static final String OWN = "iota.orchestrator.";
  private static final Set<String> PACKAGES = packages();

  /** Clients of the systems the side effects go to, and the servers: none of them in a pure decision. */
  private static final List<String> INFRASTRUCTURE =
      List.of("org.apache.kafka", "kafka.server", "org.apache.curator", "org.apache.zookeeper", "io.fabric8", "io.javalin", "org.eclipse.jetty", "io.moquette", "org.eclipse.paho");

  private static final Map<String, List<String>> MUST_NOT_USE =
      Map.ofEntries(
          Map.entry("model", plus(INFRASTRUCTURE, ownExcept("health"))),
          Map.entry("health", plus(INFRASTRUCTURE, ownExcept())),
          Map.entry("config", plus(INFRASTRUCTURE, ownExcept("model"))),
          Map.entry("placement", plus(INFRASTRUCTURE, List.of("com.fasterxml.jackson"), ownExcept("model"))),
          Map.entry("autoscale", plus(INFRASTRUCTURE, ownExcept("model", "placement"))),
          Map.entry("orphans", plus(INFRASTRUCTURE, ownExcept("model"))),
          Map.entry("admin", ownExcept()),
          Map.entry("deadletter", ownExcept()),
          Map.entry("topics", plus(List.of("kafka.server", "org.apache.curator", "org.apache.zookeeper", "io.fabric8",
              "io.javalin", "org.eclipse.jetty", "io.moquette", "org.eclipse.paho"), ownExcept("model", "orphans", "deadletter"))),
          Map.entry("topology", own("api", "executor", "connect", "embedded", "cli", "bench", "io.fabric8", "org.apache.curator", "org.apache.zookeeper", "io.javalin")),
          Map.entry("executor", own("topology", "api", "connect", "embedded", "cli", "bench", "io.javalin", "org.eclipse.jetty")),
          Map.entry("api", own("executor", "connect", "embedded", "cli", "bench", "io.fabric8", "org.apache.curator", "org.apache.zookeeper")),
          Map.entry("connect", own("api", "executor", "placement", "embedded", "cli", "bench")),
          Map.entry("embedded", own("cli", "bench")));

  /** A string literal (kept, so that a "/*" in one starts no comment) or a comment (dropped). */
  private static final Pattern COMMENTS = Pattern.compile("(\"(?:\\\\.|[^\"\\\\\n])*\")|/\\*.*?\\*/|//[^\n]*", Pattern.DOTALL);

  @Test
  void noPackageUsesWhatItsPackageInfoForbids() {
    List<String> violations = new ArrayList<>();
    MUST_NOT_USE.forEach(
        (pkg, forbidden) -> {
          for (Path file : sources(MAIN.resolve(pkg))) {
            String code = code(file);
            for (String name : forbidden) {
              if (!name.equals(OWN + pkg) && Pattern.compile("(?<![\\w.])" + Pattern.quote(name) + "\\b").matcher(code).find()) {
                violations.add(pkg + "/" + file.getFileName() + " uses " + name);
              }
            }
          }
        });
    assertEquals(List.of(), violations);
  }

  @Test
  void everyPackageHasARuleAndAPackageInfo() {
    for (String pkg : PACKAGES) {
      assertTrue(Files.exists(MAIN.resolve(pkg).resolve("package-info.java")), pkg + " has no package-info.java saying what it owns");
    }
    Set<String> unruled = new TreeSet<>(PACKAGES);
    unruled.removeAll(MUST_NOT_USE.keySet());
    // cli and bench sit on top: they wire and measure everything.
    assertEquals(Set.of("bench", "cli"), unruled, "packages without a dependency rule");
  }

  /** Every package of ours but {@code allowed} (a package's own name never counts against it). */
  private static List<String> ownExcept(String... allowed) {
    List<String> names = new ArrayList<>();
    for (String pkg : PACKAGES) {
      if (!List.of(allowed).contains(pkg)) {
        names.add(OWN + pkg);
      }
    }
    return names;
  }

  /** Names of ours ("api") made full, others ("io.fabric8") kept. */
  private static List<String> own(String... names) {
    return Stream.of(names).map(n -> n.contains(".") ? n : OWN + n).toList();
  }

  @SafeVarargs
  private static List<String> plus(List<String>... lists) {
    return Stream.of(lists).flatMap(List::stream).toList();
  }

  private static Set<String> packages() {
    try (Stream<Path> dirs = Files.list(MAIN)) {
      return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> sources(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String code(Path file) {
    try {
      return COMMENTS.matcher(Files.readString(file)).replaceAll(m -> m.group(1) == null ? "" : Matcher.quoteReplacement(m.group(1)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
