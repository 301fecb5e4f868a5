package iota.orchestrator.api;

import iota.orchestrator.autoscale.ScalingReport;
import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.config.HostPort;
import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.config.ResourceType;
import iota.orchestrator.orphans.OrphanReport;
import iota.orchestrator.topology.InstanceState;
import iota.orchestrator.topology.StoreNames;
import iota.orchestrator.topology.TypeState;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Interactive queries over a running {@link KafkaStreams}: the pattern of Confluent's {@code
 * MetadataService}. The stores are partitioned by resource type, so {@code
 * queryMetadataForKey(store, "<Type>")} names the one app instance whose active task holds the whole
 * type, plus its standbys. The answer comes from local state when this instance is that host,
 * otherwise from the host's own REST API, relayed verbatim.
 *
 * <p>Candidates are tried in order: the active host, then the standbys (this instance's own standby
 * first, it costs no network hop). A standby answers from a stale store, which is the point of
 * running standbys: the plan stays readable while the active task migrates or restores. When no
 * copy is readable the answer is 503 with {@code Retry-After}; store exceptions never reach the
 * HTTP layer.
 *
 * <p>Forwarded requests carry {@link #FORWARDED_HEADER} and are answered from local state only, so
 * two instances with different views of the assignment cannot bounce a request between them. A
 * request is only ever forwarded to a member of this application as Kafka Streams' metadata lists
 * it ({@code queryMetadataForKey}, checked against {@code metadataForAllStreamsClients}), at an
 * address that passes {@link HostPort}; nothing in the request chooses the host. It carries the
 * caller's credential, not the admin token (see {@link PeerForwarder}).
 *
 * <p>Without {@code iota.application.server} there is no metadata to route by: the instance assumes
 * it is alone (embedded mode) and answers from whatever it holds locally.
 */
public final class StreamsPlanQueries implements PlanQueries {
  /** Marks a request forwarded by another app instance; the value is the sender's host:port. */
  public static final String FORWARDED_HEADER = "X-Iota-Forwarded-By";
  /** Set on a forwarded request sent to a standby host: a stale copy may answer. */
  public static final String STALE_HEADER = "X-Iota-Allow-Stale";

  private static final Logger LOG = LoggerFactory.getLogger(StreamsPlanQueries.class);
  private static final Serializer<String> KEYS = new StringSerializer();
  private static final Duration MAX_FORWARD_TIMEOUT = Duration.ofSeconds(5);

  private final KafkaStreams streams;
  private final Map<String, ResourceType> types = new LinkedHashMap<>();
  private final Map<String, InitialScaling> initialScaling = new LinkedHashMap<>();
  private final PlanReader reader;
  private final HostInfo self;
  private final PeerForwarder forwarder;
  private final LongSupplier clock;

  /**
   * @param streams the app's Streams client, configured with {@code application.server} equal to
   *     {@code iota.application.server} (when set)
   * @param config the orchestrator configuration (forwarded reads carry the caller's own
   *     credential, so the configured token is not used here)
   */
  public StreamsPlanQueries(KafkaStreams streams, OrchestratorConfig config) {
    this(streams, config, System::currentTimeMillis);
  }

  StreamsPlanQueries(KafkaStreams streams, OrchestratorConfig config, LongSupplier clock) {
    this.streams = streams;
    config.resourceTypes().forEach(t -> types.put(t.name(), t));
    config.resourceTypes().forEach(t -> initialScaling.put(t.name(), InitialScaling.of(t)));
    this.reader = new PlanReader(config.get(ConfigKeys.HEARTBEAT_TIMEOUT).toMillis());
    String server = config.get(ConfigKeys.APPLICATION_SERVER);
    HostPort advertised = server == null ? null : HostPort.parse(server);
    this.self = advertised == null ? null : new HostInfo(advertised.host(), advertised.port());
    Duration timeout = config.get(ConfigKeys.API_REQUEST_TIMEOUT);
    Duration forwardTimeout = timeout.compareTo(MAX_FORWARD_TIMEOUT) < 0 ? timeout : MAX_FORWARD_TIMEOUT;
    this.forwarder = advertised == null ? null : new PeerForwarder(forwardTimeout, config.get(ConfigKeys.API_FORWARD_MAX_BYTES), advertised);
    this.clock = clock;
  }

  @Override
  public CompletableFuture<Reply> plan(ReadRequest request, boolean withIds) {
    ResourceType type = type(request);
    return answer(request, StoreNames.INSTANCES, stores -> reader.plan(type, stores, clock.getAsLong(), withIds));
  }

  @Override
  public CompletableFuture<Reply> instance(ReadRequest request, String instanceId, boolean withIds) {
    ResourceType type = type(request);
    return answer(request, StoreNames.INSTANCES, stores -> reader.instance(type, instanceId, stores, clock.getAsLong(), withIds));
  }

  @Override
  public CompletableFuture<Reply> resources(ReadRequest request, String instanceId, String after, int limit) {
    ResourceType type = type(request);
    return answer(request, StoreNames.INSTANCES, stores -> reader.resources(type, instanceId, after, limit, stores));
  }

  @Override
  public CompletableFuture<Reply> placement(ReadRequest request, String resourceId) {
    ResourceType type = type(request);
    return answer(request, StoreNames.PLACEMENTS, stores -> reader.placement(type, resourceId, stores));
  }

  @Override
  public CompletableFuture<Reply> summary(ReadRequest request) {
    ResourceType type = type(request);
    return answer(request, StoreNames.TYPES, stores -> reader.summary(type, stores));
  }

  @Override
  public CompletableFuture<Reply> scaling(ReadRequest request) {
    ResourceType type = type(request);
    return answer(request, StoreNames.SCALING, stores -> reader.scaling(type, initialScaling.get(type.name()), stores));
  }

  /**
   * Orphan reports live in a global store, so every app instance answers from its own copy: no
   * owner to look up, nothing to forward.
   */
  @Override
  public CompletableFuture<Reply> orphans(ReadRequest request) {
    ResourceType type = type(request);
    KafkaStreams.State state = streams.state();
    if (!queryable(state)) {
      return done(Reply.unavailable("the stream processor is " + state + "; state is not readable"));
    }
    try {
      return done(PlanReader.orphans(type, Optional.ofNullable(orphanStore().get(type.name()))));
    } catch (InvalidStateStoreException e) {
      return done(Reply.unavailable("the orphan reports are not readable on this instance right now: " + e.getMessage()));
    }
  }

  @Override
  public Optional<OrphanReport> orphanReport(String type) {
    if (!queryable(streams.state())) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(orphanStore().get(type));
    } catch (InvalidStateStoreException e) {
      return Optional.empty();
    }
  }

  private ReadOnlyKeyValueStore<String, OrphanReport> orphanStore() {
    return streams.store(StoreQueryParameters.fromNameAndType(StoreNames.ORPHANS, QueryableStoreTypes.<String, OrphanReport>keyValueStore()));
  }

  @Override
  public Optional<TypeCounts> localCounts(String type) {
    return local(type, StoreNames.INSTANCES, stores -> reader.counts(type, stores));
  }

  @Override
  public Optional<ScalingReport> localScaling(String type) {
    ResourceType t = types.get(type);
    return t == null ? Optional.empty() : local(type, StoreNames.SCALING, stores -> reader.scalingReport(t, initialScaling.get(type), stores));
  }

  /** A read of the type's active local state, empty when another instance owns it or it is not readable. */
  private <T> Optional<T> local(String type, String store, Function<PlanStores, T> read) {
    if (!queryable(streams.state())) {
      return Optional.empty();
    }
    try {
      Integer partition = null;
      if (self != null) {
        KeyQueryMetadata md = streams.queryMetadataForKey(store, type, KEYS);
        if (md == null || !self.equals(md.activeHost())) {
          return Optional.empty();
        }
        partition = md.partition();
      }
      return Optional.of(read.apply(stores(partition, false)));
    } catch (InvalidStateStoreException e) {
      return Optional.empty();
    }
  }

  private ResourceType type(ReadRequest request) {
    ResourceType type = types.get(request.type());
    if (type == null) {
      // The HTTP layer answers 404 before it gets here; reaching this is a wiring bug.
      throw new IllegalArgumentException("unknown resource type " + request.type());
    }
    return type;
  }

  private CompletableFuture<Reply> answer(ReadRequest request, String store, Function<PlanStores, Reply> read) {
    KafkaStreams.State state = streams.state();
    if (!queryable(state)) {
      return done(Reply.unavailable("the stream processor is " + state + "; state is not readable"));
    }
    if (self == null) {
      return done(localOr503(request.type(), null, true, read));
    }
    KeyQueryMetadata md;
    try {
      md = streams.queryMetadataForKey(store, request.type(), KEYS);
    } catch (InvalidStateStoreException e) {
      return done(Reply.unavailable("the owner of " + request.type() + " is not known yet: " + e.getMessage()));
    }
    if (md == null || md.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
      return done(Reply.unavailable("the owner of " + request.type() + " is not known yet (rebalancing)"));
    }
    if (request.forwarded()) {
      return done(localOr503(request.type(), md.partition(), request.allowStale(), read));
    }
    return tryHosts(request, members(candidates(md)), md.partition(), read);
  }

  /**
   * The candidates that are members of this application with a valid address. Both come from
   * Kafka Streams' own metadata; a host that is not among the clients of the group, or whose
   * advertised address is malformed (a member configured with junk), is skipped and logged.
   */
  private List<Candidate> members(List<Candidate> candidates) {
    Set<HostInfo> members = new HashSet<>();
    streams.metadataForAllStreamsClients().forEach(m -> members.add(m.hostInfo()));
    List<Candidate> out = new ArrayList<>();
    for (Candidate c : candidates) {
      String problem = HostPort.problem(c.host().host(), c.host().port());
      if (problem != null) {
        LOG.warn("not forwarding to app instance {}: its address is invalid ({})", c.host(), problem);
      } else if (!c.host().equals(self) && !members.contains(c.host())) {
        LOG.warn("not forwarding to {}: not a member of this application in the Streams metadata", c.host());
      } else {
        out.add(c);
      }
    }
    return out;
  }

  /** The active host first, then the standbys with this instance's own standby leading. */
  private List<Candidate> candidates(KeyQueryMetadata md) {
    List<Candidate> out = new ArrayList<>();
    if (md.activeHost() != null && !md.activeHost().equals(HostInfo.unavailable())) {
      out.add(new Candidate(md.activeHost(), false));
    }
    md.standbyHosts().stream()
        .sorted(Comparator.comparing((HostInfo h) -> !h.equals(self)).thenComparing(HostInfo::toString))
        .forEach(h -> out.add(new Candidate(h, true)));
    return out;
  }

  /**
   * Asks the candidates in turn until one answers with anything but 503. A forward is a blocking
   * {@code HttpClient#send} on the calling (server) thread: {@code sendAsync} completes every
   * response through the common pool, which on a machine with two cores or fewer is a new thread
   * per task, and the async answer then costs Javalin an async dispatch as well. Blocking is
   * bounded by the forward timeout per candidate.
   */
  private CompletableFuture<Reply> tryHosts(ReadRequest request, List<Candidate> hosts, int partition, Function<PlanStores, Reply> read) {
    for (Candidate candidate : hosts) {
      if (candidate.host().equals(self)) {
        try {
          Reply reply = read.apply(stores(partition, candidate.standby()));
          if (answered(candidate, reply)) {
            return done(reply);
          }
          LOG.debug("local standby copy of {} does not know: {}", request.type(), reply.status());
        } catch (InvalidStateStoreException e) {
          LOG.debug("local {} copy of {} not readable: {}", candidate.standby() ? "standby" : "active", request.type(), e.getMessage());
        }
        continue;
      }
      try {
        Reply reply = forwarder.forward(new HostPort(candidate.host().host(), candidate.host().port()), candidate.standby(), request);
        if (answered(candidate, reply)) {
          return done(reply);
        }
        LOG.debug("{} could not answer for {}: {}", candidate.host(), request.type(), reply.status());
      } catch (IOException e) {
        LOG.debug("{} could not answer for {}: {}", candidate.host(), request.type(), e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return done(Reply.unavailable("no readable copy of the " + request.type() + " plan right now (migrating or restoring)"));
  }

  /**
   * Whether a candidate's reply settles the request. A 503 never does. Nor does a standby's 404: its
   * copy may be behind, or still empty when the standby was placed moments ago (as happens when the
   * active host leaves and a new standby starts restoring), so "not found" there says nothing and
   * the next candidate is asked; when none knows, the answer is 503.
   */
  private static boolean answered(Candidate candidate, Reply reply) {
    return reply.status() != 503 && !(candidate.standby() && reply.status() == 404);
  }

  private Reply localOr503(String type, Integer partition, boolean stale, Function<PlanStores, Reply> read) {
    try {
      return read.apply(stores(partition, stale));
    } catch (InvalidStateStoreException e) {
      return Reply.unavailable("the " + type + " plan is not readable on this instance right now: " + e.getMessage());
    }
  }

  /** Stores opened on first use, each time: a store handle must not outlive a rebalance. */
  private PlanStores stores(Integer partition, boolean stale) {
    return new PlanStores() {
      @Override
      public ReadOnlyKeyValueStore<String, String> placements() {
        return store(StoreNames.PLACEMENTS, partition, stale);
      }

      @Override
      public ReadOnlyKeyValueStore<String, String> byInstance() {
        return store(StoreNames.INSTANCE_RESOURCES, partition, stale);
      }

      @Override
      public ReadOnlyKeyValueStore<String, InstanceState> instances() {
        return store(StoreNames.INSTANCES, partition, stale);
      }

      @Override
      public ReadOnlyKeyValueStore<String, TypeState> types() {
        return store(StoreNames.TYPES, partition, stale);
      }

      @Override
      public ReadOnlyKeyValueStore<String, byte[]> scaling() {
        return store(StoreNames.SCALING, partition, stale);
      }
    };
  }

  private <V> ReadOnlyKeyValueStore<String, V> store(String name, Integer partition, boolean stale) {
    StoreQueryParameters<ReadOnlyKeyValueStore<String, V>> params =
        StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore());
    if (partition != null) {
      params = params.withPartition(partition);
    }
    if (stale) {
      params = params.enableStaleStores();
    }
    return streams.store(params);
  }

  /** States in which some store may be readable; REBALANCING included, tasks keep running through it. */
  private static boolean queryable(KafkaStreams.State state) {
    return state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING;
  }

  private static CompletableFuture<Reply> done(Reply reply) {
    return CompletableFuture.completedFuture(reply);
  }

  private record Candidate(HostInfo host, boolean standby) {}
}
