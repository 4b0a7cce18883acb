package dev.meshflow.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.io.TableSink;
import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.pipelines.dashboard.DashboardServer;
import dev.meshflow.testing.Await;
import dev.meshflow.testing.CliRun;
import dev.meshflow.testing.services.Chromium;
import dev.meshflow.testing.services.Postgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the dashboard costs (issue 25), in one run:
 *
 * <ul>
 *   <li><b>CPU it adds to a running job.</b> The same streaming {@code interaction-analytics} run
 *       (generator at {@code bench.dashboard.rate} events/s for {@code bench.dashboard.seconds},
 *       into PostgreSQL; 100/s by default, a rate the Direct runner holds with CPU to spare, so that
 *       what the dashboard takes shows instead of being taken from a saturated job) without and with a dashboard reading the warehouse every 2 s and a headless
 *       Chromium showing the page, interleaved (A B, B A, ...). The machine's busy CPU time over each
 *       run (from /proc/stat: the job, PostgreSQL, the dashboard and the browser), and the records
 *       each run read.
 *   <li><b>First render.</b> From navigation to every panel drawn with the first snapshot's data,
 *       against the same page's DOMContentLoaded (its HTML, style and ECharts parsed: the floor of a
 *       page built on this library), cold (first load) and warm (ECharts cached), on the warehouse the
 *       runs above filled.
 * </ul>
 *
 * <p>{@code mvn -B -Pbenchmarks test -Dtest=DashboardBenchmark}; the table goes to
 * target/benchmarks/dashboard.md.
 */
public class DashboardBenchmark {
  private static final int ROUNDS = Integer.getInteger("bench.dashboard.rounds", 3);
  private static final int SECONDS = Integer.getInteger("bench.dashboard.seconds", 30);
  private static final int RATE = Integer.getInteger("bench.dashboard.rate", 100);
  private static final int LOADS = Integer.getInteger("bench.dashboard.loads", 10);

  @TempDir
  Path tmp;

  private String sinkUri;
  private Path lineage;
  private TableSink warehouse;
  private int runs;
  /** What the dashboards of the measured runs cost their warehouse, each run's line. */
  private final List<String> readCosts = new ArrayList<>();

  /** One measured run: the machine's busy CPU seconds, wall seconds, and records read. */
  private record Run(double cpuSeconds, double wallSeconds, long read) {}

  @Test
  public void whatTheDashboardCosts() throws Exception {
    Chromium.binary();
    String database = Postgres.newDatabase("dashboard_bench");
    sinkUri = Postgres.sinkUri(database);
    lineage = tmp.resolve("lineage.jsonl");
    warehouse = Endpoints.sink(sinkUri);
    run(false, 10); // warm-up: tables created, classes loaded; not counted

    List<Run> without = new ArrayList<>();
    List<Run> with = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      boolean dashboardFirst = round % 2 == 1;
      for (boolean dashboard : dashboardFirst ? List.of(true, false) : List.of(false, true)) {
        (dashboard ? with : without).add(run(dashboard, SECONDS));
      }
    }

    List<Double> contentLoaded = new ArrayList<>();
    List<Double> drawn = new ArrayList<>();
    try (DashboardServer dashboard = DashboardServer.start(warehouse::openReadOnly, warehouse.describe(), lineage,
        tmp.resolve("catalog"), "127.0.0.1", 0, Duration.ofSeconds(2));
        Chromium browser = Chromium.start(1280, 900)) {
      for (int load = 0; load <= LOADS; load++) {
        browser.open(dashboard.url());
        double first = Await.until("the first snapshot drawn", Duration.ofSeconds(60),
            () -> browser.evaluate("window.meshflowDashboard.firstDrawnMs || 0").asDouble(), ms -> ms > 0);
        contentLoaded.add(browser.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
            .asDouble());
        drawn.add(first);
      }
      assertEquals(List.of(), browser.pageErrors());
    }

    List<String> rows = new ArrayList<>();
    rows.add(String.format("| streaming run, no dashboard | %s | %s | %s |", cpu(without), wall(without), read(without)));
    rows.add(String.format("| the same run, dashboard every 2 s and Chromium showing it | %s | %s | %s |", cpu(with),
        wall(with), read(with)));
    double added = median(with.stream().map(Run::cpuSeconds).toList()) - median(without.stream().map(Run::cpuSeconds).toList());
    String cost = String.format("CPU added by the dashboard and the page: %.1f s over a %d s run (%.0f %% of one core),"
        + " %.2f× the run without it; the dashboards' reads during the runs: %s.", added, SECONDS, 100 * added / SECONDS,
        median(with.stream().map(Run::cpuSeconds).toList()) / median(without.stream().map(Run::cpuSeconds).toList()),
        String.join("; ", readCosts));
    List<Double> warmLoaded = contentLoaded.subList(1, contentLoaded.size());
    List<Double> warmDrawn = drawn.subList(1, drawn.size());
    String render = String.join("\n",
        "| page load | DOMContentLoaded (baseline) | every panel drawn with data | drawn over loaded |",
        "|---|---:|---:|---:|",
        String.format("| cold (first load) | %.0f ms | %.0f ms | %.2f× |", contentLoaded.get(0), drawn.get(0),
            drawn.get(0) / contentLoaded.get(0)),
        String.format("| warm, median of %d (min–max) | %.0f ms (%.0f–%.0f) | %.0f ms (%.0f–%.0f) | %.2f× |", warmDrawn.size(),
            median(warmLoaded), Collections.min(warmLoaded), Collections.max(warmLoaded), median(warmDrawn),
            Collections.min(warmDrawn), Collections.max(warmDrawn), median(warmDrawn) / median(warmLoaded)));
    BenchmarkReport.publish("dashboard.md", String.join("\n", List.of(
        "Streaming interaction-analytics on Direct into PostgreSQL, " + RATE + " events/s for " + SECONDS + " s, "
            + ROUNDS + " interleaved rounds each (median, min–max); " + BenchmarkReport.machine(), "",
        "| run | machine CPU (s) | wall (s) | records read |", "|---|---:|---:|---:|", String.join("\n", rows), "",
        cost, "", render)));
  }

  /** One streaming run, with or without a dashboard and a browser showing it. */
  private Run run(boolean dashboard, int seconds) throws Exception {
    DashboardServer server = null;
    Chromium browser = null;
    try {
      if (dashboard) {
        server = DashboardServer.start(warehouse::openReadOnly, warehouse.describe(), lineage, tmp.resolve("catalog"),
            "127.0.0.1", 0, Duration.ofSeconds(2));
        browser = Chromium.start(1280, 900);
        browser.open(server.url());
      }
      long cpu0 = busyJiffies();
      long t0 = System.nanoTime();
      CliRun run = CliRun.of(List.of("interaction-analytics", "--streaming=true", "--runFor=" + seconds + "s",
          "--earlyFiringInterval=1s", "--sink=" + sinkUri, "--lineageFile=" + lineage,
          "--source=generator:interactions?seed=" + (100 + runs++) + "&rate=" + RATE));
      double wall = (System.nanoTime() - t0) / 1e9;
      double cpu = (busyJiffies() - cpu0) / 100.0;
      assertEquals(0, run.code, run.err);
      Matcher read = Pattern.compile("(?m)^\\s+read\\s+([0-9,]+)").matcher(run.out);
      read.find();
      return new Run(cpu, wall, Long.parseLong(read.group(1).replace(",", "")));
    } finally {
      if (browser != null) {
        browser.close();
      }
      if (server != null) {
        readCosts.add(server.readCost());
        server.close();
      }
    }
  }

  /** The machine's busy time in USER_HZ ticks: every CPU state but idle and iowait. */
  private static long busyJiffies() throws Exception {
    String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long busy = 0;
    for (int i = 1; i < f.length && i <= 8; i++) {
      if (i != 4 && i != 5) {
        busy += Long.parseLong(f[i]);
      }
    }
    return busy;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static String cpu(List<Run> runs) {
    List<Double> v = runs.stream().map(Run::cpuSeconds).toList();
    return String.format("%.1f (%.1f–%.1f)", median(v), Collections.min(v), Collections.max(v));
  }

  private static String wall(List<Run> runs) {
    List<Double> v = runs.stream().map(Run::wallSeconds).toList();
    return String.format("%.1f (%.1f–%.1f)", median(v), Collections.min(v), Collections.max(v));
  }

  private static String read(List<Run> runs) {
    List<Double> v = runs.stream().map(r -> (double) r.read()).toList();
    return String.format("%,.0f (%,.0f–%,.0f)", median(v), Collections.min(v), Collections.max(v));
  }
}
