package dev.meshflow.io.sql;

import dev.meshflow.io.TableSink;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A small pool of read-only connections to a warehouse, for a server that answers from it while a
 * job writes. A connection the database failed on (an SQLException, thrown or wrapped) is closed,
 * never reused: after the database restarts, the next request opens a fresh one, so the server
 * recovers by itself. A request that ends otherwise (a 404, say) returns its connection.
 */
public final class ReadOnlyConnections implements AutoCloseable {
  /** What a request does with a connection. */
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private final TableSink warehouse;
  private final BlockingQueue<Connection> idle;

  public ReadOnlyConnections(TableSink warehouse, int size) {
    this.warehouse = warehouse;
    this.idle = new ArrayBlockingQueue<>(size);
  }

  /** Runs {@code work} on an idle connection, or a new one; a connection that failed is dropped. */
  public <T> T with(Work<T> work) throws SQLException {
    Connection c = idle.poll();
    if (c == null) {
      c = warehouse.openReadOnly();
    }
    try {
      T result = work.run(c);
      release(c);
      return result;
    } catch (SQLException e) {
      closeQuietly(c);
      throw e;
    } catch (RuntimeException e) {
      if (fromTheDatabase(e)) {
        closeQuietly(c);
      } else {
        release(c);
      }
      throw e;
    }
  }

  private void release(Connection c) throws SQLException {
    if (!idle.offer(c)) {
      c.close(); // the pool is full: more requests ran at once than it keeps
    }
  }

  private static boolean fromTheDatabase(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    for (Connection c = idle.poll(); c != null; c = idle.poll()) {
      closeQuietly(c);
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // already broken; nothing more to release
    }
  }
}
