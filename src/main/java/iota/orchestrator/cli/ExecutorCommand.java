package iota.orchestrator.cli;

import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.executor.Executor;
import iota.orchestrator.executor.PodMetricsPoller;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code executor}: the production process that applies the topology's commands to ZooKeeper and
 * Kubernetes and reports pod phases; beside it, the {@link PodMetricsPoller} samples the pods' usage
 * every {@code iota.metrics.interval}. Runs until SIGTERM (or until its loop fails, exit code 1, so
 * the orchestrator of the orchestrator restarts it). Options map to configuration keys; everything
 * else comes from {@code IOTA_*} / {@code KAFKA_*} variables or the {@code --config} file.
 */
@Command(
    name = "executor",
    resourceBundle = ConfigDefaults.BUNDLE,
    mixinStandardHelpOptions = true,
    description = "Apply assignments to ZooKeeper and pod commands to Kubernetes; report pod phases and pod usage (metrics.k8s.io).")
public final class ExecutorCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ExecutorCommand.class);

  @Mixin ClusterOptions cluster;

  @Option(names = "--zookeeper", paramLabel = "HOST:PORT,...", description = "ZooKeeper connect string (iota.zookeeper.connect).")
  String zookeeper;

  @Option(names = "--namespace", description = "Kubernetes namespace of the worker pods (iota.kubernetes.namespace, default ${bundle:iota.kubernetes.namespace}).")
  String namespace;

  @Option(names = "--templates-dir", paramLabel = "DIR", description = "Folder of <instanceName>/pod-template.yml (iota.templates.dir, default ${bundle:iota.templates.dir}).")
  Path templatesDir;

  @Option(names = "--instance-id", description = "Stable identity in the executor's consumer group, e.g. the pod name (iota.instance.id / IOTA_INSTANCE_ID): restarted with the same one it takes its partitions back at once.")
  String instanceId;

  /** The options given, as configuration keys; options not given are absent so lower sources apply. */
  public Map<String, String> flags() {
    return cluster.flags()
        .put(ConfigKeys.ZOOKEEPER_CONNECT, zookeeper)
        .put(ConfigKeys.KUBERNETES_NAMESPACE, namespace)
        .put(ConfigKeys.TEMPLATES_DIR, templatesDir)
        .put(ConfigKeys.INSTANCE_ID, instanceId)
        .map();
  }

  @Override
  public Integer call() {
    OrchestratorConfig config = OrchestratorConfig.load(flags());
    // Fail before any client starts, with the message naming the missing key (Main prints it).
    config.require(ConfigKeys.BOOTSTRAP_SERVERS);
    config.require(ConfigKeys.ZOOKEEPER_CONNECT);
    Executor executor = Executor.start(config);
    PodMetricsPoller metrics;
    try {
      metrics = PodMetricsPoller.start(config);
    } catch (RuntimeException e) {
      executor.close();
      throw e;
    }
    // SIGTERM runs the hook: close() wakes the consumer, which ends the loop and completes termination.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      metrics.close();
      executor.close();
    }, "iota-executor-shutdown"));
    try {
      executor.termination().join();
      return 0;
    } catch (CompletionException e) {
      log.error("the executor stopped on an error", e.getCause());
      metrics.close();
      executor.close();
      return 1;
    }
  }
}
