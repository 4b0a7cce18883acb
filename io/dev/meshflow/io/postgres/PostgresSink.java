package dev.meshflow.io.postgres;

import dev.meshflow.io.EndpointUri;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.sql.SinkRejects;
import dev.meshflow.io.sql.RowSql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * {@code postgresql://host:port/db?user=U&password=P} or {@code jdbc:postgresql://...}: a real
 * PostgreSQL warehouse, shared by every worker of a cluster. Writes are batched upserts
 * ({@code ON CONFLICT ... DO UPDATE}) sent with {@code reWriteBatchedInserts}, so a replay leaves
 * the same rows. The password may also come from the {@code PGPASSWORD} environment variable; it
 * is never printed.
 */
public final class PostgresSink implements TableSink {
  public static final String SCHEME = "postgresql";
  public static final Set<String> PARAMS = Set.of("user", "password", "schema", "batchRows");

  private final PostgresConnections.Target target;
  private final int batchRows;

  private PostgresSink(PostgresConnections.Target target, int batchRows) {
    this.target = target;
    this.batchRows = batchRows;
  }

  public static PostgresSink from(EndpointUri uri) {
    uri.requireOnly(PARAMS);
    String body = uri.body();
    if (uri.scheme().equals("jdbc")) {
      if (!body.startsWith("postgresql:")) {
        throw new IllegalArgumentException(uri + ": only jdbc:postgresql: URLs are supported");
      }
      body = body.substring("postgresql:".length());
    }
    if (!body.startsWith("//") || body.length() <= 2 || !body.substring(2).contains("/")) {
      throw new IllegalArgumentException(
          uri + ": expected postgresql://host:port/database?user=U (password from PGPASSWORD)");
    }
    Map<String, String> p = uri.params();
    String password = p.getOrDefault("password", System.getenv("PGPASSWORD"));
    int batch = (int) uri.longParam("batchRows", 5000, 1, 1_000_000);
    return new PostgresSink(new PostgresConnections.Target(
        "jdbc:postgresql:" + body, p.getOrDefault("user", System.getProperty("user.name")),
        password, p.getOrDefault("schema", "public")), batch);
  }

  public PostgresConnections.Target target() {
    return target;
  }

  @Override
  public PTransform<PCollection<Row>, PCollection<Row>> upsert(String table, List<String> keyColumns) {
    return write(table, keyColumns, false);
  }

  @Override
  public PTransform<PCollection<Row>, PCollection<Row>> insertNew(String table, List<String> keyColumns) {
    return write(table, keyColumns, true);
  }

  private PTransform<PCollection<Row>, PCollection<Row>> write(
      String table, List<String> keyColumns, boolean insertOnly) {
    List<String> keys = List.copyOf(keyColumns);
    return new PTransform<>() {
      @Override
      public PCollection<Row> expand(PCollection<Row> rows) {
        return rows
            .apply("UpsertInto_" + table,
                ParDo.of(new PostgresUpsertFn(target, table, keys, insertOnly, batchRows)))
            .setRowSchema(SinkRejects.SCHEMA);
      }
    };
  }

  @Override
  public dev.meshflow.io.sql.BulkLoader bulkLoader() {
    return new PostgresBulkLoader(target);
  }

  @Override
  public String sqlDialect() {
    return "postgres";
  }

  @Override
  public void createTable(String table, Schema schema, List<String> keyColumns) {
    executeDdl(List.of(RowSql.createTableSql(RowSql.Dialect.POSTGRES, table, schema, keyColumns)));
  }

  @Override
  public void executeDdl(List<String> statements) {
    try (Connection c = target.open()) {
      for (String sql : statements) {
        RowSql.execute(c, sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(describe() + ": cannot prepare tables: " + e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return "PostgreSQL " + target.display();
  }

  @Override
  public String lookCommand(String sql) {
    return "psql \"" + target.psqlUrl() + "\" -c \"" + sql + "\"";
  }
}
