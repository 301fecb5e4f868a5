package iota.orchestrator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import iota.orchestrator.embedded.Ports;
import iota.orchestrator.model.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * A minimal W3C WebDriver client for headless Chromium through {@code chromedriver}, over the JDK
 * HttpClient: Selenium is not on the mirror and the protocol is a handful of JSON calls.
 */
final class WebDriver implements AutoCloseable {
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

  private final Process driver;
  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;
  private final String session;

  /** Whether this machine can run the browser tests. */
  static boolean available() {
    return Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM);
  }

  WebDriver() {
    int port = Ports.free();
    try {
      driver = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    base = "http://127.0.0.1:" + port;
    try {
      session = newSession();
    } catch (RuntimeException e) {
      driver.destroy();
      throw e;
    }
  }

  private String newSession() {
    Awaitility.await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> call("GET", "/status", null).path("ready").asBoolean());
    ObjectNode caps = Json.MAPPER.createObjectNode();
    ObjectNode always = caps.putObject("capabilities").putObject("alwaysMatch");
    always.put("browserName", "chrome");
    ObjectNode options = always.putObject("goog:chromeOptions");
    options.put("binary", CHROMIUM.toString());
    var args = options.putArray("args");
    List.of("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900").forEach(args::add);
    return call("POST", "/session", caps).get("sessionId").asText();
  }

  void open(String url) {
    call("POST", "/session/" + session + "/url", Json.MAPPER.valueToTree(Map.of("url", url)));
  }

  /** The element with {@code data-testid}, or throws when it is not (yet) on the page. */
  String byTestId(String testId) {
    return call("POST", "/session/" + session + "/element", Json.MAPPER.valueToTree(Map.of("using", "css selector", "value", "[data-testid=\"" + testId + "\"]"))).get(ELEMENT).asText();
  }

  String text(String testId) {
    return call("GET", "/session/" + session + "/element/" + byTestId(testId) + "/text", null).asText();
  }

  void type(String testId, String text) {
    String element = byTestId(testId);
    call("POST", "/session/" + session + "/element/" + element + "/clear", Json.MAPPER.createObjectNode());
    call("POST", "/session/" + session + "/element/" + element + "/value", Json.MAPPER.valueToTree(Map.of("text", text)));
  }

  void click(String testId) {
    call("POST", "/session/" + session + "/element/" + byTestId(testId) + "/click", Json.MAPPER.createObjectNode());
  }

  /** Runs a script in the page and returns its value. */
  JsonNode script(String script) {
    return call("POST", "/session/" + session + "/execute/sync", Json.MAPPER.valueToTree(Map.of("script", script, "args", List.of())));
  }

  private JsonNode call(String method, String path, JsonNode body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(Json.string(body)));
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode value = Json.tree(r.body().getBytes(StandardCharsets.UTF_8)).get("value");
      if (r.statusCode() != 200) {
        throw new IllegalStateException("WebDriver " + method + " " + path + ": " + r.statusCode() + " " + value);
      }
      return value;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      call("DELETE", "/session/" + session, null);
    } finally {
      driver.destroy();
    }
  }
}
