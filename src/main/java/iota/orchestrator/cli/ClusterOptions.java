package iota.orchestrator.cli;

import iota.orchestrator.config.ConfigKeys;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options of every command that works against a running Kafka cluster: where it is, and a config file. */
final class ClusterOptions {
  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,...", description = "Kafka bootstrap servers (iota.bootstrap.servers).")
  String bootstrapServers;

  @Option(names = "--config", paramLabel = "FILE", description = "Properties file with iota.* and kafka.* keys (iota.config.file).")
  Path configFile;

  /** These options as configuration keys, to which a command adds its own. */
  Flags flags() {
    return new Flags()
        .put(ConfigKeys.BOOTSTRAP_SERVERS, bootstrapServers)
        .put(ConfigKeys.CONFIG_FILE, configFile);
  }
}
