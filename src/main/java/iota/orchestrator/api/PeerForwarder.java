package iota.orchestrator.api;

import iota.orchestrator.config.HostPort;
import iota.orchestrator.model.OrchestrateRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import org.slf4j.MDC;

/**
 * Relays a read to another app instance of the same application and returns its answer.
 *
 * <p>The request carries the caller's own {@code Authorization} header, or none when the caller
 * sent none: a forward is the caller's read made elsewhere, so it passes on the peer exactly when
 * it would have passed here, and an anonymous caller never borrows the admin token. The peer's
 * answer is read up to {@code maxBodyBytes}; a larger one is cut off and answered 502, so a
 * misbehaving peer cannot make this instance buffer without bound. The address is a {@link
 * HostPort}, already validated, and the built URI is checked to name exactly that peer.
 */
final class PeerForwarder {
  private final HttpClient http;
  private final Duration timeout;
  private final int maxBodyBytes;
  private final String self;

  /**
   * @param timeout per forwarded request
   * @param maxBodyBytes the largest answer accepted from a peer
   * @param self this instance's address, sent in {@link StreamsPlanQueries#FORWARDED_HEADER}
   */
  PeerForwarder(Duration timeout, int maxBodyBytes, HostPort self) {
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    this.timeout = timeout;
    this.maxBodyBytes = maxBodyBytes;
    this.self = self.authority();
  }

  /** The request sent to {@code peer} for {@code request}; {@code standby} lets a stale copy answer. */
  HttpRequest request(HostPort peer, boolean standby, ReadRequest request) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(peer, request.pathAndQuery()))
            .timeout(timeout)
            .header(StreamsPlanQueries.FORWARDED_HEADER, self)
            .header("Accept", "application/json")
            .GET();
    if (standby) {
      b.header(StreamsPlanQueries.STALE_HEADER, "true");
    }
    if (request.authorization() != null) {
      b.header("Authorization", request.authorization());
    }
    // The peer logs the forwarded read under the caller's id, so one grep follows it across instances.
    String requestId = MDC.get(OrchestrateRequest.MDC_REQUEST_ID);
    if (requestId != null) {
      b.header(ApiServer.REQUEST_ID_HEADER, requestId);
    }
    return b.build();
  }

  /** Sends the read to {@code peer} and relays its status, body and {@code Retry-After}. */
  Reply forward(HostPort peer, boolean standby, ReadRequest request) throws IOException, InterruptedException {
    HttpResponse<InputStream> r = http.send(request(peer, standby, request), HttpResponse.BodyHandlers.ofInputStream());
    byte[] body;
    try (InputStream in = r.body()) {
      OptionalLong length = r.headers().firstValueAsLong("Content-Length");
      if (length.isPresent() && length.getAsLong() > maxBodyBytes) {
        return tooLarge(peer);
      }
      body = in.readNBytes(maxBodyBytes + 1);
    }
    if (body.length > maxBodyBytes) {
      return tooLarge(peer);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    r.headers().firstValue("Retry-After").ifPresent(v -> headers.put("Retry-After", v));
    return new Reply(r.statusCode(), new String(body, StandardCharsets.UTF_8), headers);
  }

  private Reply tooLarge(HostPort peer) {
    return Reply.error(502, "the answer of app instance " + peer + " is larger than iota.api.forward.max.bytes (" + maxBodyBytes + ")");
  }

  /**
   * {@code http://<peer><pathAndQuery>}. The path and query are the raw (still escaped) ones the
   * caller sent and are passed on as they are; a path that starts with '/' cannot change the
   * authority, and the parsed URI is checked to name exactly the peer.
   */
  static URI uri(HostPort peer, String pathAndQuery) {
    if (!pathAndQuery.startsWith("/") || pathAndQuery.startsWith("//")) {
      throw new IllegalArgumentException("not an absolute path: " + pathAndQuery);
    }
    URI uri = URI.create("http://" + peer.authority() + pathAndQuery);
    if (uri.getRawUserInfo() != null || uri.getPort() != peer.port() || !peer.authority().equals(uri.getRawAuthority().toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException("forwarding " + pathAndQuery + " would not reach " + peer);
    }
    return uri;
  }
}
