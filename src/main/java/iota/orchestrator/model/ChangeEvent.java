package iota.orchestrator.model;

import java.util.List;

/**
 * One message of the platform's change feed ({@code cm/notify}), reduced to what orchestration
 * needs: the operation, the table and the primary keys it names.
 *
 * @param op the operation; {@link Op#OTHER} for an operation this contract does not know
 * @param rawOp the {@code o} field as sent
 * @param table the {@code t} field; may be null only for {@link Op#OTHER}
 * @param ids the primary keys named by the message, in message order; empty when it names none
 */
public record ChangeEvent(Op op, String rawOp, String table, List<String> ids) {

  public ChangeEvent {
    ids = List.copyOf(ids);
  }

  /** The operations of the {@code o} field. */
  public enum Op {
    CREATE("c"),
    UPDATE("u"),
    DELETE("d"),
    BULK_CREATE("bc"),
    BULK_UPDATE("bu"),
    BULK_DELETE("bd"),
    OTHER(null);

    private final String code;

    Op(String code) {
      this.code = code;
    }

    public String code() {
      return code;
    }

    public static Op of(String code) {
      for (Op op : values()) {
        if (op.code != null && op.code.equals(code)) {
          return op;
        }
      }
      return OTHER;
    }

    public boolean adds() {
      return this == CREATE || this == BULK_CREATE;
    }

    public boolean removes() {
      return this == DELETE || this == BULK_DELETE;
    }

    public boolean updates() {
      return this == UPDATE || this == BULK_UPDATE;
    }
  }
}
