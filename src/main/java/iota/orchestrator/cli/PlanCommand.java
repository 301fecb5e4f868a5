package iota.orchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import iota.orchestrator.config.ConfigKeys;
import iota.orchestrator.model.Ids;
import iota.orchestrator.model.InstanceIds;
import iota.orchestrator.model.InvalidRecordException;
import iota.orchestrator.model.Json;
import iota.orchestrator.model.OrchestrationParams;
import iota.orchestrator.placement.InstanceView;
import iota.orchestrator.placement.Orchestration;
import iota.orchestrator.placement.Report;
import iota.orchestrator.placement.SizingException;
import iota.orchestrator.placement.TypePlan;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code plan}: re-orchestrates a plan given in a file with the same planner as the live system,
 * so an operator can see what an orchestrate request would do before sending it.
 *
 * <p>Input: {@code {"resource":"Thing","settings":{"maxInstances":M,"resourcePerInstance":R,
 * "initInstances":I},"instances":{"0":["id",…],…},"resources":["id",…]}}, where {@code instances}
 * is the current plan (may be empty or absent), {@code resources} the live set and every setting
 * optional. Output: the new plan and the report as one line of JSON, instances in ascending id
 * order, so the same input always gives the same bytes. Invalid input or a plan that cannot be made
 * exits with status 2 and one line on standard error.
 */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {
      "Computes the re-orchestration of a resource type from a file: the current instances and the"
          + " live resources in, the new plan and its report out (JSON on standard output).",
      "Exits with 2 and one line on standard error when the input is invalid or the plan cannot be made."
    })
public final class PlanCommand implements Callable<Integer> {

  /** Exit status for invalid input and impossible plans, the same as picocli's for usage errors. */
  public static final int INVALID = 2;

  /** The configured defaults of DESIGN.md §2, applied to settings the input leaves out. */
  static final OrchestrationParams.Sizing DEFAULTS = new OrchestrationParams.Sizing(10, 100, 5000);

  @Spec CommandSpec spec;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "FILE",
      description = "The input JSON file; '-' reads standard input.")
  String input;

  @Option(
      names = "--max-bytes",
      paramLabel = "BYTES",
      description = "The byte budget of one instance's resources znode, as iota.assignment.max.bytes in the"
          + " live system (default: ${DEFAULT-VALUE}).")
  int maxBytes = ConfigKeys.ASSIGNMENT_MAX_BYTES_DEFAULT;

  private final InputStream stdin;

  public PlanCommand() {
    this(System.in);
  }

  /** With the stream that {@code --input -} reads, so tests need not replace {@code System.in}. */
  public PlanCommand(InputStream stdin) {
    this.stdin = Objects.requireNonNull(stdin, "stdin");
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      if (maxBytes < ConfigKeys.ASSIGNMENT_MAX_BYTES_MIN || maxBytes > ConfigKeys.ASSIGNMENT_MAX_BYTES_MAX) {
        return fail(err, "invalid input: --max-bytes must be in [" + ConfigKeys.ASSIGNMENT_MAX_BYTES_MIN + ", "
            + ConfigKeys.ASSIGNMENT_MAX_BYTES_MAX + "], got " + maxBytes);
      }
      Request request = parse(Json.tree(read()));
      TypePlan plan = request.restore(maxBytes);
      OrchestrationParams.Sizing s = request.sizing();
      Orchestration o = plan.orchestrate(request.live(), s.initInstances(), s.maxInstances(), s.resourcePerInstance());
      out.println(Json.string(render(plan, o.report())));
      out.flush();
      return 0;
    } catch (SizingException e) {
      // The original's text, unchanged: operators search logs for it.
      return fail(err, e.getMessage());
    } catch (InvalidRecordException e) {
      return fail(err, "invalid input: " + e.getMessage());
    } catch (NoSuchFileException e) {
      return fail(err, "cannot read input " + input + ": no such file");
    } catch (IOException e) {
      return fail(err, "cannot read input " + input + ": " + e.getMessage());
    }
  }

  private static int fail(PrintWriter err, String message) {
    err.println(message == null ? "failed" : message.replaceAll("[\\r\\n]+", " "));
    err.flush();
    return INVALID;
  }

  private byte[] read() throws IOException {
    return "-".equals(input) ? stdin.readAllBytes() : Files.readAllBytes(Path.of(input));
  }

  /** The validated input. */
  private record Request(
      OrchestrationParams.Sizing sizing, TreeMap<Integer, List<String>> instances, List<String> live) {

    /**
     * The current plan. A resource listed on several instances stays on the lowest id: instances are
     * restored in ascending order and a resource already placed is skipped.
     */
    TypePlan restore(int maxBytes) {
      TypePlan plan = new TypePlan(sizing.resourcePerInstance(), sizing.maxInstances(), maxBytes);
      for (Map.Entry<Integer, List<String>> e : instances.entrySet()) {
        plan.restoreInstance(e.getKey(), sizing.resourcePerInstance(), 0);
        for (String resource : e.getValue()) {
          if (plan.instanceOf(resource).isEmpty()) {
            plan.restorePlacement(resource, e.getKey());
          }
        }
      }
      return plan;
    }
  }

  static Request parse(JsonNode root) {
    if (!root.isObject()) {
      throw new InvalidRecordException("the input must be a JSON object");
    }
    JsonNode resource = root.get("resource");
    if (resource != null && !resource.isNull()) {
      if (!resource.isTextual()) {
        throw new InvalidRecordException("resource must be a string");
      }
      Ids.require("resource", resource.textValue());
    }
    return new Request(settings(root.get("settings")), instances(root.get("instances")), live(root.get("resources")));
  }

  private static OrchestrationParams.Sizing settings(JsonNode settings) {
    if (settings == null || settings.isNull()) {
      return OrchestrationParams.EMPTY.withDefaults(DEFAULTS);
    }
    if (!settings.isObject()) {
      throw new InvalidRecordException("settings must be an object");
    }
    OrchestrationParams params =
        new OrchestrationParams(
            integer(settings, "maxInstances"), integer(settings, "resourcePerInstance"), integer(settings, "initInstances"));
    List<String> problems = params.problems();
    if (!problems.isEmpty()) {
      throw new InvalidRecordException(String.join("; ", problems));
    }
    return params.withDefaults(DEFAULTS);
  }

  private static Integer integer(JsonNode settings, String field) {
    JsonNode value = settings.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw new InvalidRecordException(field + " must be an integer, got " + abbreviate(value.toString()));
    }
    return value.intValue();
  }

  private static TreeMap<Integer, List<String>> instances(JsonNode instances) {
    TreeMap<Integer, List<String>> plan = new TreeMap<>();
    if (instances == null || instances.isNull()) {
      return plan;
    }
    if (!instances.isObject()) {
      throw new InvalidRecordException("instances must be an object of instance id to resource ids");
    }
    for (Map.Entry<String, JsonNode> e : instances.properties()) {
      if (!InstanceIds.isValid(e.getKey())) {
        throw new InvalidRecordException("instances key '" + abbreviate(e.getKey()) + "' is not an instance id");
      }
      plan.put(Integer.parseInt(e.getKey()), ids("instances." + e.getKey(), e.getValue()));
    }
    return plan;
  }

  private static List<String> live(JsonNode resources) {
    if (resources == null || resources.isNull()) {
      throw new InvalidRecordException("resources is missing: give the live resource ids, [] for none");
    }
    return ids("resources", resources);
  }

  private static List<String> ids(String field, JsonNode array) {
    if (!array.isArray()) {
      throw new InvalidRecordException(field + " must be an array of resource ids");
    }
    List<String> ids = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      JsonNode id = array.get(i);
      if (!id.isTextual()) {
        throw new InvalidRecordException(field + "[" + i + "] must be a string");
      }
      ids.add(Ids.require(field + "[" + i + "]", id.textValue()));
    }
    return ids;
  }

  private static ObjectNode render(TypePlan plan, Report report) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    ObjectNode instances = root.putObject("instances");
    for (InstanceView v : plan.instances().values()) {
      ObjectNode instance = instances.putObject(Integer.toString(v.id()));
      instance.put("count", v.count());
      instance.put("used", v.used());
      ArrayNode ids = instance.putArray("ids");
      v.resources().forEach(ids::add);
    }
    ObjectNode r = root.putObject("report");
    r.put("moved", report.moved());
    r.put("kept", report.kept());
    report.created().forEach(r.putArray("created")::add);
    report.deleted().forEach(r.putArray("deleted")::add);
    r.put("maxLoad", report.maxLoad());
    r.put("minLoad", report.minLoad());
    return root;
  }

  private static String abbreviate(String value) {
    return value.length() <= 40 ? value : value.substring(0, 40) + "…";
  }
}
