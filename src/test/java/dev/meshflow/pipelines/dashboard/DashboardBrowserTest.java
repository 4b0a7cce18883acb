package dev.meshflow.pipelines.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.testing.Await;
import dev.meshflow.testing.CliRun;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.testing.services.Chromium;
import dev.meshflow.testing.services.Postgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real headless Chromium, beside a real streaming run into PostgreSQL: the page
 * loads before anything is written and says so, its charts fill during the run, its numbers move
 * as events arrive, and once the runs end they equal the warehouse; a dead letter whose payload is
 * markup is shown as text and never runs.
 * Each panel is saved as a PNG under target/dashboard/.
 */
public class DashboardBrowserTest {
  private static final Path SCREENSHOTS = Path.of("target/dashboard");
  /** A payload that would run, twice over, if the page ever treated data as markup. */
  private static final String MARKUP = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">";

  @TempDir
  Path tmp;

  @Test
  public void thePageFollowsALiveRunAndShowsWhatTheWarehouseHolds() throws Exception {
    Chromium.binary(); // installs it, or skips this test with the reason, before anything starts
    String database = Postgres.newDatabase("dashboard");
    String sinkUri = Postgres.sinkUri(database);
    Path lineage = tmp.resolve("lineage.jsonl");

    Path catalog = tmp.resolve("catalog");
    dev.meshflow.io.mesh.catalog.MeshCatalog.init(catalog); // the four shipped products

    TableSink warehouse = Endpoints.sink(sinkUri);
    try (DashboardServer dashboard = DashboardServer.start(warehouse::openReadOnly, warehouse.describe(), lineage,
        catalog, "127.0.0.1", 0, Duration.ofSeconds(1));
        Chromium browser = Chromium.start(1280, 900)) {
      browser.open(dashboard.url());
      Await.until("the trends panel to say which table it waits for", Duration.ofSeconds(30),
          () -> browser.evaluate("document.querySelector('#panel-trends .note').textContent").asText(),
          note -> note.startsWith("no item_minute_stats table in this warehouse yet"));

      // A live run: events with the wall clock's times, early panes every second, for 25 s.
      java.util.concurrent.ExecutorService runner = java.util.concurrent.Executors.newSingleThreadExecutor();
      CompletableFuture<CliRun> live = CompletableFuture.supplyAsync(() -> CliRun.of(List.of("interaction-analytics",
          "--streaming=true", "--runFor=25s", "--earlyFiringInterval=1s", "--sink=" + sinkUri,
          "--lineageFile=" + lineage, "--source=generator:interactions?seed=11&rate=60")), runner);
      runner.shutdown();
      long first = Await.until("the trends panel to show the live run's plays", Duration.ofSeconds(60),
          () -> browser.evaluate("window.meshflowDashboard.drawn['chart-trends'] > 0 ? "
              + "document.querySelector('#kpi-plays').textContent : ''").asText(), shown -> !shown.isEmpty() && !shown.equals("–")
              && !live.isDone()).transform(DashboardBrowserTest::number);
      long later = Await.until("the plays shown to grow as events arrive", Duration.ofSeconds(30),
          () -> number(browser.evaluate("document.querySelector('#kpi-plays').textContent").asText()), n -> n > first);
      assertTrue(!live.isDone() || later > first, "seen while the run was still going");

      CliRun run = live.get(180, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(0, run.code, run.err);

      // Then a batch run of a landed file whose last line is markup: the newest parse dead letter.
      Path landed = tmp.resolve("landed");
      GeneratedInput.writeShuffled("generator:interactions?events=40&seed=3", 40, landed, 1, 3);
      Files.writeString(landed.resolve("part-0.jsonl"), MARKUP + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
      CliRun batch = CliRun.of(List.of("interaction-analytics", "--source=file:" + landed + "/*.jsonl",
          "--sink=" + sinkUri, "--lineageFile=" + lineage));
      assertEquals(0, batch.code, batch.err);

      long[] expected = lastHourTotals(database);
      Await.until("the page to show the warehouse's totals once the runs have ended", Duration.ofSeconds(30),
          () -> List.of(kpi(browser, "plays"), kpi(browser, "skips"), kpi(browser, "likes"), kpi(browser, "playlist-adds")),
          shown -> shown.equals(List.of(expected[0], expected[1], expected[2], expected[3])));

      // The runs table, newest first, each run with its own summary's count of records read.
      JsonNode runs = Await.until("both runs in the runs table", Duration.ofSeconds(30),
          () -> browser.evaluate("[...document.querySelectorAll('#runs tbody tr')].map(tr => [...tr.children].map(td => td.textContent))"),
          rows -> rows.size() == 2 && rows.get(0).get(2).asText().equals("COMPLETE"));
      for (int i = 0; i < 2; i++) {
        JsonNode row = runs.get(i);
        CliRun summary = i == 0 ? batch : run;
        assertEquals("interaction-analytics", row.get(0).asText());
        assertEquals("COMPLETE", row.get(2).asText());
        assertEquals(summaryCount(summary.out, "read"), number(row.get(5).asText()), "read, as the run's summary printed it");
        assertEquals("yes", row.get(9).asText(), "conserved");
      }

      long deadLetters = count(database, "SELECT count(*) FROM dead_letter");
      Await.until("the dead-letter total to equal the table's", Duration.ofSeconds(30),
          () -> browser.evaluate("document.querySelector('#dead-letter-total').textContent").asText(),
          shown -> shown.equals(String.format("%,d in all", deadLetters)));

      // The markup payload, drilled down to: shown as text, never run.
      String kind = DeadLettersPanel.kind(query(database, "SELECT reason FROM dead_letter WHERE payload_text LIKE '<script>%'"));
      String row = "[...document.querySelectorAll('#dead-letter-groups tbody tr')].find(tr => "
          + "tr.children[1].textContent === " + PanelSql.JSON.writeValueAsString(kind) + ")";
      Await.until("the markup's kind of reason among the dead-letter groups", Duration.ofSeconds(30),
          () -> browser.evaluate(row + " !== undefined"), JsonNode::asBoolean);
      browser.evaluate(row + ".click()");
      Await.until("the markup payload among the samples", Duration.ofSeconds(30),
          () -> browser.evaluate("[...document.querySelectorAll('#dead-letter-samples pre')].map(p => p.textContent)"),
          texts -> texts.toString().contains("<script>window.__pwned = 1</script>"));
      assertEquals("undefined", browser.evaluate("typeof window.__pwned").asText(), "the payload ran");
      assertEquals(0, browser.evaluate("document.querySelectorAll('#dead-letter-samples script, "
          + "#dead-letter-samples img').length").asInt(), "the payload became elements");

      // Panels whose tables this warehouse lacks say so in one line, and the page still works.
      assertTrue(browser.evaluate("document.querySelector('#alerts-note').textContent").asText()
          .startsWith("no alerts table in this warehouse yet"));
      assertEquals("interactions podcasts songs users", browser.evaluate("[...document.querySelectorAll('#products tbody tr')]"
          + ".map(tr => tr.children[0].textContent).join(' ')").asText(), "the catalog's products");
      assertEquals(List.of(), browser.pageErrors());

      for (String panel : List.of("trends", "health", "products", "alerts", "models")) {
        Path file = SCREENSHOTS.resolve(panel + ".png");
        browser.screenshot("#panel-" + panel, file);
        assertTrue(Files.size(file) > 1_000, file + " is an image");
      }
      // The README's picture (docs/images/dashboard.png is a copy): the whole page, at half size.
      browser.screenshot("body", SCREENSHOTS.resolve("dashboard.png"), 0.5);
    }
  }

  private static long kpi(Chromium browser, String name) throws Exception {
    return number(browser.evaluate("document.querySelector('#kpi-" + name + "').textContent").asText());
  }

  private static long number(String shown) {
    return Long.parseLong(shown.replace(",", "").trim());
  }

  /** A count as the run's summary printed it, e.g. "read          1,234 records". */
  private static long summaryCount(String summary, String label) {
    Matcher m = Pattern.compile("(?m)^\\s+" + label + "\\s+([0-9,]+)").matcher(summary);
    assertTrue(m.find(), "no " + label + " line in: " + summary);
    return number(m.group(1));
  }

  /**
   * Plays, skips, likes and playlist adds in the hour up to the newest minute, summed here in Java
   * from every row, not by the dashboard's query.
   */
  private static long[] lastHourTotals(String database) throws Exception {
    List<Object[]> rows = new ArrayList<>();
    try (Connection c = Postgres.connect(database); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT window_start, plays, skips, likes, playlist_adds FROM item_minute_stats")) {
      while (rs.next()) {
        rows.add(new Object[] {rs.getObject(1, LocalDateTime.class).toInstant(ZoneOffset.UTC),
            rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)});
      }
    }
    Instant latest = rows.stream().map(r -> (Instant) r[0]).max(Instant::compareTo).orElseThrow();
    long[] totals = new long[4];
    for (Object[] r : rows) {
      if (((Instant) r[0]).isAfter(latest.minus(Duration.ofMinutes(60)))) {
        for (int i = 0; i < 4; i++) {
          totals[i] += (Long) r[i + 1];
        }
      }
    }
    return totals;
  }

  private static long count(String database, String sql) throws Exception {
    return Long.parseLong(query(database, sql));
  }

  private static String query(String database, String sql) throws Exception {
    try (Connection c = Postgres.connect(database); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      assertTrue(rs.next(), sql);
      return rs.getString(1);
    }
  }
}
