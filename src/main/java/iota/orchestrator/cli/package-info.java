/**
 * The command line ({@link iota.orchestrator.cli.Main} and one picocli command per mode or tool):
 * flags and environment variables become the typed configuration, then each command wires and
 * starts the parts of its mode and closes them on shutdown.
 *
 * <p>It sits on top and may use any package; no package but the benchmarks may depend on it.
 * Commands hold no decision of their own: what they run is testable without them.
 */
package iota.orchestrator.cli;
