package dev.meshflow.benchmarks;

import dev.meshflow.testing.services.Postgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Lowers a running process tree's CPU priority. Linux keeps a niceness per thread, and {@code
 * renice -p} of a process id changes only its main thread, so every thread of the process and its
 * descendants (a forked Flink JVM) is lowered, and each is read back from {@code /proc}.
 */
final class Niceness {
  private Niceness() {}

  /** Sets every thread of {@code root} and its descendants to {@code nice}; returns how many threads. */
  static int lower(ProcessHandle root, int nice) throws Exception {
    List<String> threads = new ArrayList<>();
    tree(root).forEach(p -> threads.addAll(threadsOf(p.pid())));
    // Its exit code is not 0 when a thread ended meanwhile: each live thread is checked instead.
    String output = renice(nice, threads).output();
    for (String tid : threads) {
      int now = niceOf(tid);
      if (now != nice && now != Integer.MIN_VALUE) {
        throw new IllegalStateException("thread " + tid + " is at nice " + now + ", not " + nice + ": " + output.strip());
      }
    }
    return threads.size();
  }

  /**
   * Sets the PostgreSQL backends serving {@code root}'s connections (its process tree's sockets to
   * {@code postgresPort}, matched to {@code pg_stat_activity.client_port}) to {@code nice}; returns
   * how many.
   */
  static int lowerDatabaseSessions(ProcessHandle root, int postgresPort, int nice) throws Exception {
    Set<String> inodes = new HashSet<>();
    tree(root).forEach(p -> inodes.addAll(socketInodesOf(p.pid())));
    Set<Integer> clientPorts = new HashSet<>();
    List<String> sockets = new ArrayList<>(); // a JVM's connection to 127.0.0.1 may be an IPv6 socket
    for (String table : List.of("tcp", "tcp6")) {
      sockets.addAll(Files.readAllLines(Path.of("/proc", String.valueOf(root.pid()), "net", table)));
    }
    for (String line : sockets) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 9 && !f[0].equals("sl") && inodes.contains(f[9])
          && Integer.parseInt(f[2].substring(f[2].lastIndexOf(':') + 1), 16) == postgresPort) {
        clientPorts.add(Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1), 16));
      }
    }
    List<String> backends = new ArrayList<>();
    try (Connection c = Postgres.connect("postgres");
        PreparedStatement st = c.prepareStatement("SELECT pid, client_port FROM pg_stat_activity WHERE client_port IS NOT NULL");
        ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        if (clientPorts.contains(rs.getInt(2))) {
          backends.add(String.valueOf(rs.getInt(1)));
        }
      }
    }
    if (backends.isEmpty()) {
      throw new IllegalStateException("no PostgreSQL session of process " + root.pid() + " found");
    }
    Renice renice = renice(nice, backends);
    if (renice.exitCode() != 0) {
      throw new IllegalStateException("renice of the database sessions failed: " + renice.output().strip());
    }
    return backends.size();
  }

  /** A process with its descendants (a forked Flink JVM). */
  private static Stream<ProcessHandle> tree(ProcessHandle root) {
    return Stream.concat(Stream.of(root), root.descendants());
  }

  private record Renice(int exitCode, String output) {}

  /** {@code renice NICE -p IDS...}: its exit code and what it printed. */
  private static Renice renice(int nice, List<String> ids) throws Exception {
    List<String> command = new ArrayList<>(List.of("renice", String.valueOf(nice), "-p"));
    command.addAll(ids);
    Process renice = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(renice.getInputStream().readAllBytes());
    return new Renice(renice.waitFor(), output);
  }

  private static Set<String> socketInodesOf(long pid) {
    Set<String> inodes = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
      fds.forEach(fd -> {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring(8, target.length() - 1));
          }
        } catch (IOException closedMeanwhile) {
          // an fd closed between the listing and the read
        }
      });
    } catch (IOException ended) {
      // the process ended
    }
    return inodes;
  }

  private static List<String> threadsOf(long pid) {
    try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
      return tasks.map(t -> t.getFileName().toString()).toList();
    } catch (IOException ended) {
      return List.of();
    }
  }

  /** Field 19 of /proc/TID/stat, after the command name's closing parenthesis; MIN_VALUE if the thread ended. */
  private static int niceOf(String tid) {
    try {
      String stat = Files.readString(Path.of("/proc", tid, "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Integer.parseInt(fields[16]);
    } catch (IOException ended) {
      return Integer.MIN_VALUE;
    }
  }
}
