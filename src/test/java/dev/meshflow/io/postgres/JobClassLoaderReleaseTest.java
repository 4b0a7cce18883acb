package dev.meshflow.io.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.testing.Await;
import dev.meshflow.testing.services.Postgres;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * A Flink session cluster loads each job's bundle in a class loader of its own, and a TaskManager
 * that had run five meshflow jobs died of {@code OutOfMemoryError: Metaspace}: each job's loader
 * stayed alive after its job. Here a loader standing for a job's (everything of its own, over the
 * platform loader, as Flink's child-first loader is for a bundle) opens and closes a PostgreSQL
 * connection as a sink does, and must then be collectable. Before the fix, the PostgreSQL driver
 * registered itself with {@code DriverManager}, whose registry lives for the JVM, and held it.
 */
public class JobClassLoaderReleaseTest {
  /** pgjdbc's cleaner thread ends after this long idle (default 30 s); until then it holds its loader. */
  private static final String CLEANER_TTL = "pgjdbc.config.cleanup.thread.ttl";

  @Test
  public void aJobsClassLoaderIsCollectableOnceItsConnectionsAreClosed() throws Exception {
    String url = "jdbc:postgresql://127.0.0.1:" + Postgres.port() + "/" + Postgres.newDatabase("release");
    String ttl = System.getProperty(CLEANER_TTL);
    System.setProperty(CLEANER_TTL, "500");
    WeakReference<ClassLoader> job;
    try {
      job = openAndCloseInAJobsLoader(url);
    } finally {
      if (ttl == null) {
        System.clearProperty(CLEANER_TTL);
      } else {
        System.setProperty(CLEANER_TTL, ttl);
      }
    }
    Await.until("the job's class loader collected", Duration.ofSeconds(30), () -> {
      System.gc();
      return job.get() == null;
    }, collected -> collected);
  }

  /** Loads the sink's connection code in a new loader, queries once, closes; returns the loader, weakly. */
  private static WeakReference<ClassLoader> openAndCloseInAJobsLoader(String url) throws Exception {
    URL[] classpath = Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        .map(entry -> {
          try {
            return Path.of(entry).toUri().toURL();
          } catch (java.net.MalformedURLException e) {
            throw new IllegalArgumentException(entry, e);
          }
        }).toArray(URL[]::new);
    URLClassLoader loader = new URLClassLoader("job", classpath, ClassLoader.getPlatformClassLoader());
    Class<?> connections = loader.loadClass(PostgresConnections.class.getName());
    assertEquals(loader, connections.getClassLoader(), "the job's own copy of the class");
    Properties user = new Properties();
    user.setProperty("user", "postgres");
    try (Connection c = (Connection) connections.getMethod("open", String.class, Properties.class)
            .invoke(null, url, user);
        Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
      rs.next();
      assertEquals(1, rs.getInt(1));
    }
    loader.close();
    return new WeakReference<>(loader);
  }
}
