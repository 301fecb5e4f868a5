package iota.orchestrator.embedded;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URLDecoder;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.logging.Level;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * A SIMULATED Kubernetes API server: fabric8's {@link KubernetesMockServer} in CRUD mode on
 * 127.0.0.1. No real API server can run on this machine, so {@code embedded} mode and tests use
 * this one. It stores whatever is sent to it and answers create, get, list, edit, patch,
 * updateStatus, delete and watch for pods (and other kinds) the way the API server would — but
 * no kubelet runs anything: pods stay in the phase their creator or a simulated fleet writes.
 * Beside the store it can serve the metrics.k8s.io PodMetrics API ({@link #serveMetrics}), so the
 * executor's real metrics path runs against SIMULATED usage.
 *
 * <p><b>State is in memory only.</b> A restart starts empty; the executor's reconciliation
 * re-creates every pod the plan needs. The server has no discovery endpoints, so {@code kubectl
 * get pods} fails while {@code kubectl get --raw /api/v1/namespaces/iota/pods} works with the file
 * from {@link #writeKubeconfig(Path)}. It speaks plain HTTP without authentication.
 *
 * <p>The mock logs every request at JUL INFO; this class routes JUL through SLF4J and keeps those
 * request lines at WARNING and above.
 */
public final class SimulatedKubernetes implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedKubernetes.class);
  /** The namespace of clients built here and of the kubeconfig; the orchestrator's default. */
  public static final String DEFAULT_NAMESPACE = "iota";
  /**
   * Held strongly: JUL keeps loggers only weakly, and a collected logger would come back at INFO
   * with the next request.
   */
  private static final java.util.logging.Logger MOCK_SERVER_JUL =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private final KubernetesMockServer server;
  private final MetricsBesideCrud dispatcher;
  private final int port;
  private final KubernetesClient client;
  private boolean closed;

  private SimulatedKubernetes(KubernetesMockServer server, MetricsBesideCrud dispatcher, int port) {
    this.server = server;
    this.dispatcher = dispatcher;
    this.port = port;
    this.client = newClient(DEFAULT_NAMESPACE);
  }

  /** Starts the simulated API server on 127.0.0.1 and {@code port} (0 = a free port). */
  public static SimulatedKubernetes start(int port) {
    long began = System.nanoTime();
    routeJulToSlf4j();
    int httpPort = Ports.orFree(port);
    MetricsBesideCrud dispatcher = new MetricsBesideCrud(new KubernetesCrudDispatcher());
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    try {
      server.init(InetAddress.getByName(Ports.HOST), httpPort);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start simulated Kubernetes on port " + httpPort, e);
    }
    LOG.info("SIMULATED Kubernetes API (fabric8 CRUD mock, in-memory) up on {}:{} after {} ms",
        Ports.HOST, httpPort, (System.nanoTime() - began) / 1_000_000);
    return new SimulatedKubernetes(server, dispatcher, httpPort);
  }

  private static synchronized void routeJulToSlf4j() {
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
    MOCK_SERVER_JUL.setLevel(Level.WARNING);
  }

  /** {@code http://127.0.0.1:port}, the API server URL. */
  public String url() {
    return "http://" + Ports.HOST + ":" + port;
  }

  /** The HTTP port; state does not survive a restart, but the address can. */
  public int port() {
    return port;
  }

  /** A client for this server with namespace {@value #DEFAULT_NAMESPACE}; closed with the server. */
  public KubernetesClient client() {
    return client;
  }

  /**
   * A new client for this server with the given default namespace; the caller closes it. It ignores
   * {@code ~/.kube/config} and the environment, so it can never reach a real cluster by accident.
   */
  public KubernetesClient newClient(String namespace) {
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl(url())
        .withNamespace(namespace)
        .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /**
   * Writes a kubeconfig for this server (context {@code iota-simulated}, namespace {@value
   * #DEFAULT_NAMESPACE}, no credentials) to {@code file}, for processes and tools configured by a
   * kubeconfig, and returns the file.
   */
  public Path writeKubeconfig(Path file) {
    String yaml = String.join("\n",
        "# SIMULATED Kubernetes API (fabric8 KubernetesMockServer, CRUD mode, in-memory) written by",
        "# iota-orchestrator. Not a real cluster: no pod here ever runs.",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: iota-simulated",
        "  cluster:",
        "    server: " + url(),
        "users:",
        "- name: iota-simulated",
        "  user: {}",
        "contexts:",
        "- name: iota-simulated",
        "  context:",
        "    cluster: iota-simulated",
        "    user: iota-simulated",
        "    namespace: " + DEFAULT_NAMESPACE,
        "current-context: iota-simulated",
        "");
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, yaml, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write kubeconfig " + file, e);
    }
    return file;
  }

  /**
   * Serves {@code GET /apis/metrics.k8s.io/v1beta1/namespaces/<ns>/pods[/<name>]} from {@code
   * metrics} from now on, beside the CRUD store; null stops it. Without it the server answers those
   * paths 404, as a cluster without metrics-server does.
   */
  public void serveMetrics(MetricsApi metrics) {
    dispatcher.metrics = metrics;
  }

  /** The SIMULATED metrics.k8s.io PodMetrics API: what a metrics-server would answer. */
  public interface MetricsApi {
    /**
     * @param namespace the namespace asked for
     * @param name the pod asked for, or null for a list
     * @param labels the list's {@code labelSelector} as equality terms; empty for none
     */
    Answer pods(String namespace, String name, Map<String, String> labels);

    /** An HTTP status and its JSON body. */
    record Answer(int status, String body) {}
  }

  /** The CRUD dispatcher, with the metrics.k8s.io pod paths answered by a {@link MetricsApi} first. */
  private static final class MetricsBesideCrud extends Dispatcher {
    private static final String PREFIX = "/apis/metrics.k8s.io/v1beta1/";
    private static final Pattern POD_PATH = Pattern.compile("/apis/metrics\\.k8s\\.io/v1beta1/namespaces/([^/]+)/pods(?:/([^/]+))?");
    private final Dispatcher crud;
    private volatile MetricsApi metrics;

    MetricsBesideCrud(Dispatcher crud) {
      this.crud = crud;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getPath();
      if (path == null || !path.startsWith(PREFIX)) {
        return crud.dispatch(request);
      }
      int q = path.indexOf('?');
      Matcher m = POD_PATH.matcher(q < 0 ? path : path.substring(0, q));
      MetricsApi api = metrics;
      if (api == null || !m.matches() || !"GET".equals(request.getMethod())) {
        return new MockResponse().setResponseCode(404).setHeader("Content-Type", "application/json")
            .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                + "\"message\":\"the server could not find the requested resource\",\"reason\":\"NotFound\",\"code\":404}");
      }
      MetricsApi.Answer answer = api.pods(m.group(1), m.group(2), labelSelector(q < 0 ? "" : path.substring(q + 1)));
      return new MockResponse().setResponseCode(answer.status()).setHeader("Content-Type", "application/json").setBody(answer.body());
    }

    private static Map<String, String> labelSelector(String query) {
      Map<String, String> labels = new LinkedHashMap<>();
      for (String param : query.split("&")) {
        int eq = param.indexOf('=');
        if (eq > 0 && param.substring(0, eq).equals("labelSelector")) {
          for (String term : URLDecoder.decode(param.substring(eq + 1), StandardCharsets.UTF_8).split(",")) {
            int t = term.indexOf('=');
            if (t > 0) {
              labels.put(term.substring(0, t).trim(), term.substring(t + 1).replaceFirst("^=", "").trim());
            }
          }
        }
      }
      return labels;
    }

    @Override
    public void shutdown() {
      crud.shutdown();
    }
  }

  /** Closes {@link #client()} and stops the server; every stored object is gone. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    client.close();
    server.destroy();
    LOG.info("SIMULATED Kubernetes API on port {} stopped", port);
  }
}
