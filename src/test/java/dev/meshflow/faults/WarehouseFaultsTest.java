package dev.meshflow.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.testing.JavaCommand;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.TempFiles;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk under a DuckDB warehouse fills up while a job writes it (a small tmpfs). The run fails
 * with one line that says why, and the file stays readable with every batch committed before, none
 * half-applied. Mounting needs root; without it the test skips and says so. (A disk made read-only
 * under a running job cannot be staged this way: Linux refuses to remount a file system read-only
 * while a file on it is open for writing, and a folder's permissions do not reach a file already
 * open.)
 */
public class WarehouseFaultsTest {
  private static final String EVENTS = "generator:interactions?events=200000&seed=5&duplicates=0.02&malformed=0.01";

  @TempDir Path tmp;
  private Path disk;

  @AfterEach
  public void unmount() throws Exception {
    if (disk != null) {
      sh("umount", "-l", disk.toString());
    }
  }

  @Test
  public void aFullDiskFailsTheRunInOneLineAndKeepsWhatWasCommitted() throws Exception {
    mount("size=6m");
    String file = disk.resolve("warehouse.duckdb").toString();
    Path log = TempFiles.newFile(tmp, "full.log");
    Process run = launcher(log, "ingest", "--source=" + EVENTS, "--sink=duckdb:" + file, "--progressSeconds=0");
    assertTrue(run.waitFor(5, TimeUnit.MINUTES), "the run did not end");
    String failure = failureLine(run, log);
    assertTrue(failure.contains("No space left on device"), failure);
    System.out.println("full disk: " + failure);
    assertCommittedBatchesReadable(file);
  }

  /** The run failed (exit 1) with exactly one "meshflow: failed:" line; returns it. */
  private static String failureLine(Process run, Path log) throws Exception {
    String output = read(log);
    assertNotEquals(0, run.exitValue(), "the run should fail:\n" + output);
    List<String> lines = output.lines().filter(l -> l.startsWith("meshflow: failed:")).toList();
    assertEquals(1, lines.size(), "one failure line:\n" + output);
    assertTrue(output.lines().noneMatch(l -> l.startsWith("\tat ")), "no stack trace without --verbose:\n" + output);
    return lines.get(0);
  }

  /** The file opens (read-only), holds rows, and each event once: no batch half-applied. */
  private static void assertCommittedBatchesReadable(String file) throws Exception {
    Tables tables = Tables.duckDb(file);
    long rows = tables.count("SELECT count(*) FROM interactions");
    assertTrue(rows > 0, "the batches committed before the failure are there");
    assertEquals(rows, tables.count("SELECT count(DISTINCT event_id) FROM interactions"), "each event once");
    System.out.printf("  %,d rows readable in %s%n", rows, file);
  }

  private void mount(String options) throws Exception {
    Path point = TempFiles.newFolder(tmp, "disk");
    String why = sh("mount", "-t", "tmpfs", "-o", options, "tmpfs", point.toString());
    Assumptions.assumeTrue(why.isEmpty(), "mounting a small tmpfs needs root: " + why);
    disk = point;
  }

  /** Runs a command; "" when it succeeded, else what it printed. */
  private static String sh(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    return p.exitValue() == 0 ? "" : output.isEmpty() ? "exit " + p.exitValue() : output.strip();
  }

  private static Process launcher(Path log, String... args) throws Exception {
    List<String> jvm = new ArrayList<>(List.of("-Xmx1g"));
    jvm.addAll(JavaCommand.QUICK_START);
    File dir = log.getParent().resolve(log.getFileName() + ".run").toFile();
    assertTrue(dir.mkdirs());
    return new ProcessBuilder(JavaCommand.of(jvm, "dev.meshflow.launcher.Main", List.of(args))).directory(dir)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (java.io.IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
