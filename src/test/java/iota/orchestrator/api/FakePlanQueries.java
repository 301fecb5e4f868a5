package iota.orchestrator.api;

import iota.orchestrator.orphans.OrphanReport;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** Canned plan reads: each query answers with what the test put in, and records the request. */
final class FakePlanQueries implements PlanQueries {
  final List<ReadRequest> requests = new CopyOnWriteArrayList<>();
  volatile Function<ReadRequest, Reply> plan = r -> Reply.ok(Map.of("resource", r.type(), "instances", Map.of()));
  volatile Function<ReadRequest, Reply> summary = r -> Reply.ok(Map.of("resource", r.type(), "instances", 0));
  volatile Function<String, Reply> placement = id -> Reply.error(404, "not placed");
  volatile Function<String, Reply> instance = id -> Reply.error(404, "no such instance");
  volatile Function<String, Optional<OrphanReport>> orphanReports = type -> Optional.empty();

  @Override
  public CompletableFuture<Reply> plan(ReadRequest request) {
    requests.add(request);
    return CompletableFuture.completedFuture(plan.apply(request));
  }

  @Override
  public CompletableFuture<Reply> instance(ReadRequest request, String instanceId) {
    requests.add(request);
    return CompletableFuture.completedFuture(instance.apply(instanceId));
  }

  @Override
  public CompletableFuture<Reply> placement(ReadRequest request, String resourceId) {
    requests.add(request);
    return CompletableFuture.completedFuture(placement.apply(resourceId));
  }

  @Override
  public CompletableFuture<Reply> summary(ReadRequest request) {
    requests.add(request);
    return CompletableFuture.supplyAsync(() -> summary.apply(request));
  }

  @Override
  public CompletableFuture<Reply> orphans(ReadRequest request) {
    requests.add(request);
    return CompletableFuture.completedFuture(orphanReports.apply(request.type()).map(Reply::ok)
        .orElseGet(() -> Reply.ok(Map.of("resource", request.type(), "orphans", List.of()))));
  }

  @Override
  public Optional<OrphanReport> orphanReport(String type) {
    return orphanReports.apply(type);
  }

  @Override
  public Optional<TypeCounts> localCounts(String type) {
    return Optional.empty();
  }
}
