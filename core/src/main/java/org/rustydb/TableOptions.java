package org.rustydb;

import java.util.Objects;

/**
 * Options of {@link Database#createTable}: fixed when the table is created.
 *
 * @param engine the storage engine (default {@link EngineKind#BTREE}; {@link EngineKind#HEAP} is refused
 *     by {@code createTable}, see {@link EngineKind#HEAP})
 */
public record TableOptions(EngineKind engine) {

  public TableOptions {
    Objects.requireNonNull(engine, "engine");
  }

  /** The defaults: a B+tree table. */
  public static TableOptions defaults() {
    return builder().build();
  }

  /** A builder with every option at its default. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link TableOptions}; every setting starts at its documented default. */
  public static final class Builder {
    private EngineKind engine = EngineKind.BTREE;

    /** The storage engine; default {@link EngineKind#BTREE}. */
    public Builder engine(EngineKind v) { engine = v; return this; }

    /** The options as set. */
    public TableOptions build() {
      return new TableOptions(engine);
    }
  }
}
