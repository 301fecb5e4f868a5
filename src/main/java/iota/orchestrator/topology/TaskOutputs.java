package iota.orchestrator.topology;

import iota.orchestrator.model.Json;
import iota.orchestrator.model.PodCommand;
import iota.orchestrator.model.Precondition;
import iota.orchestrator.model.RequestResult;
import iota.orchestrator.topics.Topics;
import java.util.List;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The task's records that leave at once: pod commands and request results. Assignments are batched
 * per flush by the {@link AssignmentEmitter} instead.
 */
final class TaskOutputs {
  private final ProcessorContext<String, Output> context;

  TaskOutputs(ProcessorContext<String, Output> context) {
    this.context = context;
  }

  /**
   * A pod command whose id is {@code <type>/<instance>/<action>/<discriminator>}: the discriminator
   * (a sequence or recreate count) makes the id unique per decision, so the executor applies each
   * decision once however often it reads it.
   */
  void podCommand(long timestamp, TypeRuntime rt, int id, PodCommand.Action action, String discriminator, String reason,
      List<Precondition> after) {
    String instanceId = String.valueOf(id);
    String commandId = rt.name() + "/" + instanceId + "/" + action + "/" + discriminator;
    PodCommand command = new PodCommand(commandId, action, rt.name(), instanceId, rt.type.instanceName(), reason, after);
    context.forward(new Record<>(command.key(), new Output(Topics.POD_COMMANDS.name(), Json.bytes(command)), timestamp));
  }

  /** The answer to a request, stamped with the time of the record that caused it. */
  void result(long timestamp, RequestResult result) {
    context.forward(new Record<>(result.requestId(), new Output(Topics.RESULTS.name(), Json.bytes(result)), timestamp));
  }
}
