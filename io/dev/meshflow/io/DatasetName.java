package dev.meshflow.io;

import java.io.Serializable;
import java.net.URI;

/**
 * A dataset as OpenLineage names it: a namespace for where it lives and a name within it
 * (kafka://host:port and a topic; postgres://host:port and db.schema.table; duckdb://FILE and a
 * table; file://FOLDER and a path), following OpenLineage's naming conventions. Never holds a
 * password: namespaces are built from hosts, ports and paths only.
 */
public record DatasetName(String namespace, String name) implements Serializable {

  /** The namespace of a JDBC PostgreSQL URL ({@code jdbc:postgresql://h:p/db?...}) and its database. */
  public static DatasetName postgres(String jdbcUrl, String schemaAndTable) {
    URI uri = URI.create(jdbcUrl.replaceFirst("^jdbc:", ""));
    int port = uri.getPort() < 0 ? 5432 : uri.getPort();
    String db = uri.getPath() == null || uri.getPath().length() < 2 ? "postgres" : uri.getPath().substring(1);
    return new DatasetName("postgres://" + uri.getHost() + ":" + port, db + "." + schemaAndTable);
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
