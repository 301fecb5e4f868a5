package iota.orchestrator.api;

import iota.orchestrator.model.OrchestrationParams;
import iota.orchestrator.model.RequestResult;
import java.util.concurrent.CompletableFuture;

/**
 * Sends a re-orchestration request to the topology and completes with its answer. The future fails
 * with {@link java.util.concurrent.TimeoutException} when no answer came in time and with {@link
 * GatewayUnavailableException} when the request could not be sent.
 */
@FunctionalInterface
public interface OrchestrateGateway {
  CompletableFuture<RequestResult> orchestrate(String resource, OrchestrationParams params);

  /** The request could not be handed to Kafka. */
  final class GatewayUnavailableException extends RuntimeException {
    public GatewayUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
