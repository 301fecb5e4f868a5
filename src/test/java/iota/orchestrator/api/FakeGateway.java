package iota.orchestrator.api;

import iota.orchestrator.model.OrchestrationParams;
import iota.orchestrator.model.RequestResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** Canned answers to orchestrate and drain requests; records what was sent. */
final class FakeGateway implements OrchestrateGateway {
  /** Parameters of every orchestrate request, in order. */
  final List<OrchestrationParams> orchestrations = new CopyOnWriteArrayList<>();
  /** The id of every request, orchestrate, drain and undrain alike, in order. */
  final List<String> requestIds = new CopyOnWriteArrayList<>();
  /** Every drain and undrain request, in order. */
  final List<Drain> drains = new CopyOnWriteArrayList<>();
  volatile Function<String, CompletableFuture<RequestResult>> orchestrateAnswer = resource -> new CompletableFuture<>();
  volatile Function<Drain, CompletableFuture<RequestResult>> drainAnswer = d -> new CompletableFuture<>();

  /** A drain ({@code drain} true) or undrain request as sent. */
  record Drain(String resource, int instanceId, boolean drain) {}

  @Override
  public CompletableFuture<RequestResult> orchestrate(String requestId, String resource, OrchestrationParams params) {
    requestIds.add(requestId);
    orchestrations.add(params);
    return orchestrateAnswer.apply(resource);
  }

  @Override
  public CompletableFuture<RequestResult> drain(String requestId, String resource, int instanceId, boolean drain) {
    requestIds.add(requestId);
    Drain d = new Drain(resource, instanceId, drain);
    drains.add(d);
    return drainAnswer.apply(d);
  }
}
