package iota.orchestrator.cli;

import iota.orchestrator.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line: {@code java -jar iota-orchestrator.jar <command>}. */
@Command(
    name = "iota-orchestrator",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Resource orchestrator for IoT worker fleets, as a Kafka Streams application.",
    subcommands = {
      EmbeddedCommand.class,
      StreamCommand.class,
      PlanCommand.class,
      BenchCommand.class,
      ReplayCommand.class,
      ExecutorCommand.class,
      TopicsCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  static int execute(String... args) {
    return new CommandLine(new Main())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          if (e instanceof ConfigException) {
            // A configuration problem is the user's to fix: one line naming the key, no trace.
            cmd.getErr().println("configuration error: " + e.getMessage());
            return 2;
          }
          throw e;
        })
        .execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  /** The version from the jar manifest, or "dev" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"iota-orchestrator " + (v == null ? "dev" : v)};
    }
  }
}
