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
import java.util.HashMap;
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
  private final int port;
  private final KubernetesClient client;
  private boolean closed;

  private SimulatedKubernetes(KubernetesMockServer server, int port) {
    this.server = server;
    this.port = port;
    this.client = newClient(DEFAULT_NAMESPACE);
  }

  /** Starts the simulated API server on 127.0.0.1 and {@code port} (0 = a free port). */
  public static SimulatedKubernetes start(int port) {
    long began = System.nanoTime();
    routeJulToSlf4j();
    int httpPort = Ports.orFree(port);
    KubernetesMockServer server = new KubernetesMockServer(
        new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    try {
      server.init(InetAddress.getByName(Ports.HOST), httpPort);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start simulated Kubernetes on port " + httpPort, e);
    }
    LOG.info("SIMULATED Kubernetes API (fabric8 CRUD mock, in-memory) up on {}:{} after {} ms",
        Ports.HOST, httpPort, (System.nanoTime() - began) / 1_000_000);
    return new SimulatedKubernetes(server, httpPort);
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
