package dev.meshflow.testing;

import dev.meshflow.testing.services.Postgres;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * One cell of the end-to-end matrix: a runner, batch or streaming, the warehouse it writes into,
 * and the broker a stream comes from (none: the generator or files). End-to-end tests extend
 * {@link EndToEndTest} and pick their cells from {@link #MATRIX}, so the runners, their modes, the
 * warehouses and the brokers are named once, here.
 */
public final class EndToEnd {
  public enum Warehouse { DUCKDB, POSTGRESQL }

  public enum Broker { NONE, KAFKA, KINESIS }

  public final String runner;
  public final boolean streaming;
  public final Warehouse warehouse;
  public final Broker broker;

  private EndToEnd(String runner, boolean streaming, Warehouse warehouse, Broker broker) {
    this.runner = runner;
    this.streaming = streaming;
    this.warehouse = warehouse;
    this.broker = broker;
  }

  /**
   * Every runner in every mode it supports, into each warehouse, from each broker it can stream.
   * Spark runs batch only: its classic streaming mode rejects event-time timers (docs/running.md),
   * so it reads a broker as a bounded slice, which a test of its own covers.
   */
  public static final List<EndToEnd> MATRIX = matrix();

  private static List<EndToEnd> matrix() {
    List<EndToEnd> all = new ArrayList<>();
    for (String runner : RunnerArgs.LOCAL_RUNNERS) {
      for (boolean streaming : new boolean[] {false, true}) {
        if (streaming && runner.equals("SparkRunner")) {
          continue;
        }
        for (Broker b : Broker.values()) {
          if (b != Broker.NONE && !streaming) {
            continue;
          }
          for (Warehouse w : Warehouse.values()) {
            all.add(new EndToEnd(runner, streaming, w, b));
          }
        }
      }
    }
    return List.copyOf(all);
  }

  /**
   * The cells named as {@code "FlinkRunner batch postgresql"} or, from a broker, {@code
   * "DirectRunner streaming duckdb kafka"}, in that order.
   */
  public static List<EndToEnd> cells(String... names) {
    List<EndToEnd> out = new ArrayList<>();
    for (String name : names) {
      out.add(MATRIX.stream().filter(c -> c.toString().equals(name)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException(name + " is not in the matrix: " + MATRIX)));
    }
    return out;
  }

  /** The cells that pass {@code filter}. */
  public static List<EndToEnd> where(Predicate<EndToEnd> filter) {
    return MATRIX.stream().filter(filter).collect(Collectors.toList());
  }

  public boolean postgres() {
    return warehouse == Warehouse.POSTGRESQL;
  }

  public boolean brokered() {
    return broker != Broker.NONE;
  }

  /** The runner's options, this cell's mode, then {@code extra}. */
  public String[] args(String... extra) {
    List<String> args = new ArrayList<>(Arrays.asList(extra));
    args.add("--streaming=" + streaming);
    return RunnerArgs.forRunner(runner, args.toArray(new String[0]));
  }

  /** A new, empty warehouse for this cell: a PostgreSQL database, or a DuckDB file under {@code dir}. */
  public Tables newWarehouse(Path dir, String name) throws Exception {
    return postgres() ? Tables.postgres(Postgres.newDatabase(name))
        : Tables.duckDb(dir.resolve(String.join("-", toString().split(" ")) + "-" + name + ".duckdb").toString());
  }

  @Override
  public String toString() {
    return runner + " " + (streaming ? "streaming" : "batch") + " " + warehouse.name().toLowerCase(java.util.Locale.ROOT)
        + (brokered() ? " " + broker.name().toLowerCase(java.util.Locale.ROOT) : "");
  }
}
