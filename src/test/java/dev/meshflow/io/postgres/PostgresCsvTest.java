package dev.meshflow.io.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.testing.services.Postgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The COPY encoding reads back exactly as written, through a real PostgreSQL: quotes, commas,
 * line breaks, non-ASCII text (a character outside the BMP included), NULLs, bytes, timestamps
 * before and after 1970, and enough rows to cross the encoder's chunk boundary many times.
 */
public class PostgresCsvTest {
  private static final Schema SCHEMA = Schema.builder()
      .addStringField("id")
      .addNullableField("text", Schema.FieldType.STRING)
      .addNullableField("n", Schema.FieldType.INT64)
      .addNullableField("ok", Schema.FieldType.BOOLEAN)
      .addNullableField("x", Schema.FieldType.DOUBLE)
      .addNullableField("raw", Schema.FieldType.BYTES)
      .addNullableField("at", Schema.FieldType.DATETIME)
      .build();
  private static final String[] TEXTS = {
      "plain", "", "say \"hi\"", "a,b", "two\nlines", "cr\r\nlf", "\"\"", "naïve café",
      "日本語", "emoji \uD83C\uDFB5 note", "back\\slash", " leading and trailing ", "\\N"};

  @Test
  public void rowsReadBackExactlyAsWritten() throws Exception {
    String db = Postgres.newDatabase("csv");
    Postgres.execute(db, "CREATE TABLE t (id TEXT PRIMARY KEY, text TEXT, n BIGINT, ok BOOLEAN,"
        + " x DOUBLE PRECISION, raw BYTEA, at TIMESTAMP)");
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      boolean nulls = i % 7 == 0;
      rows.add(Row.withSchema(SCHEMA).addValues("id-" + i,
          nulls ? null : TEXTS[i % TEXTS.length] + " " + i,
          nulls ? null : (long) i * 1_000_003L - 2_000_000_000L,
          nulls ? null : i % 2 == 0,
          nulls ? null : i / 3.0,
          nulls ? null : new byte[] {(byte) i, 0, (byte) 0xff, '"', ','},
          nulls ? null : new Instant(-86_400_000L * 400 + i * 7_777_777L)).build());
    }
    try (Connection c = Postgres.connect(db)) {
      c.setAutoCommit(false);
      PostgresCopyMerge.copyAndMerge(c, "t", List.of("id"), rows, false);
      c.commit();
    }
    List<String> want = new ArrayList<>();
    rows.stream().sorted((a, b) -> a.getString("id").compareTo(b.getString("id")))
        .forEach(r -> want.add(line(r.getString("id"), r.getString("text"), r.getInt64("n"),
            r.getBoolean("ok"), r.getDouble("x"), r.getBytes("raw"),
            r.getDateTime("at") == null ? null : r.getDateTime("at").getMillis())));
    List<String> got = new ArrayList<>();
    try (Connection c = Postgres.connect(db); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, text, n, ok, x, raw,"
            + " (extract(epoch FROM at) * 1000)::bigint FROM t ORDER BY id COLLATE \"C\"")) {
      while (rs.next()) {
        got.add(line(rs.getString(1), rs.getString(2), (Long) rs.getObject(3), (Boolean) rs.getObject(4),
            (Double) rs.getObject(5), rs.getBytes(6), (Long) rs.getObject(7)));
      }
    }
    assertEquals(want.size(), got.size());
    for (int i = 0; i < want.size(); i++) {
      assertEquals(want.get(i), got.get(i), "row " + i);
    }
  }

  private static String line(Object... values) {
    StringBuilder out = new StringBuilder();
    for (Object v : values) {
      out.append(v instanceof byte[] ? java.util.Arrays.toString((byte[]) v) : String.valueOf(v)).append(" | ");
    }
    return out.toString();
  }
}
