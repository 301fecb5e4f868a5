package iota.orchestrator.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import iota.orchestrator.config.OrchestratorConfig;
import iota.orchestrator.model.ChangeEvent;
import iota.orchestrator.topics.JsonSerde;
import iota.orchestrator.topics.Topics;
import iota.orchestrator.placement.LoadEstimator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * When the processor writes assignments and asks for commits, which the topology test driver
 * cannot show: it commits after every input on its own.
 */
class OrchestratorProcessorTest {
  private static final long START = 1_000_000L;

  private MockProcessorContext<String, Output> context;
  private OrchestratorProcessor processor;

  private void start(String guarantee) {
    OrchestratorConfig config = OrchestratorConfig.of(Map.of(
        "iota.bootstrap.servers", "unused:9092",
        "iota.processing.guarantee", guarantee,
        "iota.commit.interval", "20ms",
        "iota.resource.rule.init.instances", "2"));
    context = new MockProcessorContext<>();
    addStore(StoreNames.PLACEMENTS, Serdes.String());
    addStore(StoreNames.INSTANCE_RESOURCES, Serdes.String());
    addStore(StoreNames.INSTANCES, JsonSerde.of(InstanceState.class));
    addStore(StoreNames.TYPES, JsonSerde.of(TypeState.class));
    addStore(StoreNames.SCALING, Serdes.ByteArray());
    addStore(StoreNames.ELASTIC, JsonSerde.of(ElasticState.class));
    addStore(StoreNames.LOAD_INSTANCES, JsonSerde.of(LoadEstimator.InstanceLoad.class));
    addStore(StoreNames.LOAD_WEIGHTS, JsonSerde.of(Double.class));
    context.setCurrentSystemTimeMs(START);
    processor = new OrchestratorProcessor(config);
    processor.init(context);
  }

  private <V> void addStore(String name, Serde<V> values) {
    KeyValueStore<String, V> store = org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
            org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore(name), Serdes.String(), values)
        .withLoggingDisabled()
        .build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
  }

  private void create(String id) {
    ChangeEvent change = new ChangeEvent(ChangeEvent.Op.CREATE, "c", "Rule", List.of(id));
    processor.process(new Record<>("Rule", Input.change(change, false), START));
  }

  private void tick(long at) {
    context.setCurrentSystemTimeMs(at);
    MockProcessorContext.CapturedPunctuator flush = context.scheduledPunctuators().get(0);
    assertEquals(PunctuationType.WALL_CLOCK_TIME, flush.getType());
    flush.getPunctuator().punctuate(at);
  }

  private List<String> assignmentKeys() {
    return context.forwarded().stream()
        .filter(f -> f.record().value().topic().equals(Topics.ASSIGNMENTS.name()))
        .map(f -> (String) f.record().key())
        .toList();
  }

  @Test
  void underExactlyOnceTheTickWritesEachDirtyInstanceOnceAndAsksForTheCommitAtOnce() {
    start("exactly_once_v2");
    tick(START + 20);
    context.resetForwards();
    context.resetCommit();

    for (int i = 0; i < 6; i++) {
      create("r" + i);
    }
    assertEquals(List.of(), assignmentKeys(), "nothing is written before the flush");
    assertFalse(context.committed());

    tick(START + 40);
    assertEquals(List.of("Rule/0", "Rule/1"), assignmentKeys(), "each changed instance once");
    assertTrue(context.committed(), "the flush is committed right away, not an interval later");

    context.resetForwards();
    context.resetCommit();
    tick(START + 60);
    assertEquals(List.of(), assignmentKeys());
    assertFalse(context.committed(), "a tick with nothing to write asks for no commit");
  }

  @Test
  void underAtLeastOnceAChangeToAQuietInstanceIsWrittenAtOnceAndNoCommitIsForced() {
    start("at_least_once");
    create("r0");
    tick(START + 20);
    context.resetForwards();
    context.setCurrentSystemTimeMs(START + 1_000);

    create("r1");
    assertEquals(List.of("Rule/1"), assignmentKeys(), "leading edge: written without waiting for the tick");
    create("r2");
    create("r3");
    assertEquals(List.of("Rule/1", "Rule/0"), assignmentKeys(), "Rule/1 was just written: r3 waits for the tick");
    tick(START + 1_020);
    assertEquals(List.of("Rule/1", "Rule/0", "Rule/1"), assignmentKeys());
    assertFalse(context.committed(), "at least once commits on the thread's own interval");
  }
}
