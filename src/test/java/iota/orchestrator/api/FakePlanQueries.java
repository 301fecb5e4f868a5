package iota.orchestrator.api;

import iota.orchestrator.autoscale.ScalingReport;
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
  /** The withIds flag of every plan and instance read, in order. */
  final List<Boolean> withIds = new CopyOnWriteArrayList<>();
  final List<PageRequest> pages = new CopyOnWriteArrayList<>();
  volatile Function<ReadRequest, Reply> plan = r -> Reply.ok(Map.of("resource", r.type(), "instances", Map.of()));
  volatile Function<ReadRequest, Reply> summary = r -> Reply.ok(Map.of("resource", r.type(), "instances", 0));
  volatile Function<String, Reply> placement = id -> Reply.error(404, "not placed");
  volatile Function<String, Reply> instance = id -> Reply.error(404, "no such instance");
  volatile Function<String, Optional<OrphanReport>> orphanReports = type -> Optional.empty();
  /** Scaling reads, apart from {@link #requests}: the dashboard makes them on every refresh too. */
  final List<ReadRequest> scalingReads = new CopyOnWriteArrayList<>();
  volatile Function<String, Optional<ScalingReport>> scalingReports = type -> Optional.empty();
  volatile Function<PageRequest, Reply> resources = p -> Reply.ok(Map.of("ids", List.of(), "next", "x"));

  @Override
  public CompletableFuture<Reply> plan(ReadRequest request, boolean withIds) {
    requests.add(request);
    this.withIds.add(withIds);
    return CompletableFuture.completedFuture(plan.apply(request));
  }

  @Override
  public CompletableFuture<Reply> instance(ReadRequest request, String instanceId, boolean withIds) {
    requests.add(request);
    this.withIds.add(withIds);
    return CompletableFuture.completedFuture(instance.apply(instanceId));
  }

  @Override
  public CompletableFuture<Reply> resources(ReadRequest request, String instanceId, String after, int limit) {
    requests.add(request);
    PageRequest page = new PageRequest(instanceId, after, limit);
    pages.add(page);
    return CompletableFuture.completedFuture(resources.apply(page));
  }

  /** What a page read asked for. */
  record PageRequest(String instanceId, String after, int limit) {}

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
  public CompletableFuture<Reply> scaling(ReadRequest request) {
    scalingReads.add(request);
    return CompletableFuture.completedFuture(scalingReports.apply(request.type()).map(Reply::ok)
        .orElseGet(() -> Reply.unavailable("no scaling report of " + request.type() + " readable")));
  }

  @Override
  public Optional<ScalingReport> localScaling(String type) {
    return scalingReports.apply(type);
  }

  @Override
  public Optional<TypeCounts> localCounts(String type) {
    return Optional.empty();
  }
}
