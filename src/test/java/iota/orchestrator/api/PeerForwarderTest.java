package iota.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import iota.orchestrator.IntegrationTest;
import iota.orchestrator.config.HostPort;
import iota.orchestrator.model.OrchestrateRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** A read relayed to a peer, against a recording HTTP server standing in for the peer. */
@IntegrationTest
class PeerForwarderTest {
  private static final int LIMIT = 1024;

  private HttpServer peer;
  private final List<Map<String, List<String>>> received = new CopyOnWriteArrayList<>();
  private final Map<String, byte[]> bodies = new ConcurrentHashMap<>();
  private PeerForwarder forwarder;
  private HostPort address;

  @BeforeEach
  void start() throws IOException {
    peer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    peer.createContext(
        "/",
        exchange -> {
          received.add(Map.copyOf(exchange.getRequestHeaders()));
          String key = exchange.getRequestURI().getRawPath() + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
          byte[] body = bodies.getOrDefault(key, "{\"ok\":true}".getBytes(StandardCharsets.UTF_8));
          boolean chunked = key.contains("chunked");
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, chunked ? 0 : body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    peer.start();
    address = new HostPort("127.0.0.1", peer.getAddress().getPort());
    forwarder = new PeerForwarder(Duration.ofSeconds(5), LIMIT, new HostPort("127.0.0.1", 7070));
  }

  @AfterEach
  void stop() {
    peer.stop(0);
  }

  private String header(int request, String name) {
    List<String> values = received.get(request).entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst().orElse(null);
    return values == null ? null : String.join(",", values);
  }

  @Test
  void forwardedReadCarriesTheCallersCredentialAndNeverTheAdminToken() throws Exception {
    Reply anonymous = forwarder.forward(address, false, ReadRequest.direct("Thing", ApiServer.API + "/Thing?ids=false", null));
    assertEquals(200, anonymous.status());
    assertNull(header(0, "Authorization"), "a caller without a credential is forwarded without one");
    assertEquals("127.0.0.1:7070", header(0, StreamsPlanQueries.FORWARDED_HEADER));
    assertNull(header(0, StreamsPlanQueries.STALE_HEADER));

    forwarder.forward(address, true, ReadRequest.direct("Thing", ApiServer.API + "/Thing", "Bearer callers-own"));
    assertEquals("Bearer callers-own", header(1, "Authorization"));
    assertEquals("true", header(1, StreamsPlanQueries.STALE_HEADER));
  }

  @Test
  void forwardedReadCarriesTheCallersRequestIdSoThePeerLogsItUnderTheSameId() throws Exception {
    forwarder.forward(address, false, ReadRequest.direct("Thing", ApiServer.API + "/Thing", null));
    assertNull(header(0, ApiServer.REQUEST_ID_HEADER), "no id outside a request");
    MDC.put(OrchestrateRequest.MDC_REQUEST_ID, "req-42");
    try {
      forwarder.forward(address, false, ReadRequest.direct("Thing", ApiServer.API + "/Thing", null));
    } finally {
      MDC.remove(OrchestrateRequest.MDC_REQUEST_ID);
    }
    assertEquals("req-42", header(1, ApiServer.REQUEST_ID_HEADER));
  }

  @Test
  void pathAndQueryArriveAsTheCallerSentThem() throws Exception {
    bodies.put(ApiServer.API + "/Thing/a%25b/instances", "{\"runIn\":\"3\"}".getBytes(StandardCharsets.UTF_8));
    Reply r = forwarder.forward(address, false, ReadRequest.direct("Thing", ApiServer.API + "/Thing/a%25b/instances", null));
    assertEquals("{\"runIn\":\"3\"}", r.body());
  }

  @Test
  void answerLargerThanTheLimitIs502WhetherItsLengthIsKnownOrNot() throws Exception {
    byte[] big = ("{\"pad\":\"" + "x".repeat(LIMIT) + "\"}").getBytes(StandardCharsets.UTF_8);
    bodies.put(ApiServer.API + "/Thing", big);
    bodies.put(ApiServer.API + "/Thing?chunked", big);
    bodies.put(ApiServer.API + "/Rule", new byte[LIMIT]);
    for (String path : List.of("/Thing", "/Thing?chunked")) {
      Reply r = forwarder.forward(address, false, ReadRequest.direct("Thing", ApiServer.API + path, null));
      assertEquals(502, r.status(), path);
      assertTrue(r.body().contains("iota.api.forward.max.bytes"), r.body());
    }
    assertEquals(200, forwarder.forward(address, false, ReadRequest.direct("Rule", ApiServer.API + "/Rule", null)).status(), "exactly the limit passes");
  }
}
