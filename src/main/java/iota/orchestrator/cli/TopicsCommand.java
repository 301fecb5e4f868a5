package iota.orchestrator.cli;

import iota.orchestrator.admin.TopicApplier;
import iota.orchestrator.admin.TopicSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code topics apply}: creates the declared Kafka topics that are missing and reports how existing
 * ones differ from the spec, without changing them (see {@link TopicApplier}).
 */
@Command(name = "topics", mixinStandardHelpOptions = true,
    description = "Manage the Kafka topics declared in topics/topics.json.",
    subcommands = {TopicsCommand.Apply.class})
public final class TopicsCommand implements Runnable {
  @Spec CommandSpec spec;

  /** {@code topics} alone is a usage error: say which subcommands exist. */
  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand: apply");
  }

  /** The {@code apply} subcommand. */
  @Command(name = "apply", mixinStandardHelpOptions = true,
      description = {
          "Create every declared topic that is missing, with its partitions, replication factor and configs.",
          "Existing topics are compared and their differences printed; they are never changed."})
  public static final class Apply implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT[,...]",
        description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(names = "--replication-factor", paramLabel = "N",
        description = "Replication factor for every topic, instead of the spec's (default there: 1).")
    Integer replicationFactor;

    @Option(names = "--file", paramLabel = "FILE",
        description = "Topic spec file; default: the copy of topics/topics.json inside the jar.")
    Path file;

    @Option(names = "--command-config", paramLabel = "FILE",
        description = "Properties file of Kafka client settings (security.protocol, sasl.*, ssl.*), as for kafka-topics.sh.")
    Path commandConfig;

    @Override
    public Integer call() throws Exception {
      TopicSpec topics = file == null ? TopicSpec.bundled() : TopicSpec.load(file);
      if (replicationFactor != null) {
        topics = topics.withReplicationFactor(replicationFactor);
      }
      TopicApplier.Report report;
      try (Admin admin = Admin.create(adminConfig())) {
        report = new TopicApplier(admin).apply(topics);
      }
      PrintWriter out = spec.commandLine().getOut();
      report.created().forEach(name -> out.println("created   " + name));
      report.matching().forEach(name -> out.println("unchanged " + name));
      report.differences().forEach(d -> out.println("differs   " + d));
      out.printf("%d created, %d already as specified, %d difference(s) left for you to decide%n",
          report.created().size(), report.matching().size(), report.differences().size());
      out.flush();
      return 0;
    }

    private Map<String, Object> adminConfig() throws IOException {
      Map<String, Object> config = new HashMap<>();
      if (commandConfig != null) {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(commandConfig)) {
          props.load(in);
        }
        props.forEach((k, v) -> config.put(String.valueOf(k), v));
      }
      config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      return config;
    }
  }
}
