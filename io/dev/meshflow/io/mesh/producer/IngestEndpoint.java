package dev.meshflow.io.mesh.producer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.meshflow.io.http.HttpServers;
import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.io.mesh.contract.ContractRecords;
import dev.meshflow.io.mesh.contract.DataContract;
import dev.meshflow.io.mesh.contract.RefusedRecordException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP ingest endpoint for producers in other languages, as Kinesis {@code PutRecords} or
 * BigQuery's streaming insert: {@code POST /products/NAME/records} with a JSON array of records.
 *
 * <ul>
 *   <li>Each record is checked against the product's contract. The valid ones are published in
 *       one Kafka transaction, so a reader of committed records sees the whole batch or nothing
 *       of it, even if this process dies between two sends (a restarted endpoint fences the old
 *       transaction by its transactional id, and the broker aborts it).
 *   <li>200: at least one record published; {@code rejected} lists each refused record's index,
 *       field and reason. 422: every record refused, nothing published.
 *   <li>400 malformed JSON or not an array of records; 404 unknown product or path; 405 not a
 *       POST; 413 body over the limit; 503 the broker did not take the batch (nothing published).
 * </ul>
 *
 * Values from the request are never echoed, beyond the contract's own messages, which never quote
 * a PII field.
 */
public final class IngestEndpoint implements AutoCloseable {
  private static final Pattern PATH = Pattern.compile("/products/([a-z][a-z0-9_-]{0,62})/records/?");
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private final MeshCatalog catalog;
  private final String bootstrap;
  private final String topicPrefix;
  private final long maxBodyBytes;
  private final HttpServer server;
  private final ExecutorService executor;
  private final Map<String, MeshProducer> producers = new ConcurrentHashMap<>();

  private IngestEndpoint(MeshCatalog catalog, String bootstrap, String topicPrefix, long maxBodyBytes,
      HttpServer server, ExecutorService executor) {
    this.catalog = catalog;
    this.bootstrap = bootstrap;
    this.topicPrefix = topicPrefix;
    this.maxBodyBytes = maxBodyBytes;
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts serving on {@code bind:port} (port 0: any free one).
   *
   * @param bootstrap the brokers; null: each product's kafka port's host
   * @param topicPrefix put before each product's topic ("" for none)
   */
  public static IngestEndpoint start(MeshCatalog catalog, String bind, int port, String bootstrap,
      String topicPrefix, long maxBodyBytes) throws IOException {
    HttpServer server = HttpServers.create(new InetSocketAddress(bind, port), 64);
    ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "meshflow-ingest-http");
      t.setDaemon(true);
      return t;
    });
    IngestEndpoint endpoint = new IngestEndpoint(catalog, bootstrap, topicPrefix, maxBodyBytes, server,
        executor);
    server.createContext("/", endpoint::handle);
    server.setExecutor(executor);
    server.start();
    return endpoint;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String url() {
    return "http://" + server.getAddress().getHostString() + ":" + port() + "/products/<product>/records";
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Matcher m = PATH.matcher(exchange.getRequestURI().getPath());
      if (!m.matches()) {
        reply(exchange, 404, error("no such path; POST a JSON array of records to /products/<product>/records"));
        return;
      }
      if (!exchange.getRequestMethod().equals("POST")) {
        exchange.getResponseHeaders().add("Allow", "POST");
        reply(exchange, 405, error("use POST"));
        return;
      }
      DataContract product;
      try {
        product = catalog.product(m.group(1));
      } catch (dev.meshflow.io.mesh.contract.ContractException broken) {
        reply(exchange, 500, error("the contract of " + m.group(1) + " is broken: " + broken.getMessage()));
        return;
      } catch (IllegalArgumentException unknown) {
        reply(exchange, 404, error("no product '" + m.group(1) + "' in the catalog"));
        return;
      }
      byte[] body = readLimited(exchange.getRequestBody());
      if (body == null) {
        reply(exchange, 413, error("the body is over " + maxBodyBytes + " bytes; send smaller batches"));
        return;
      }
      JsonNode records;
      try {
        records = MAPPER.readTree(body);
      } catch (JsonProcessingException e) {
        reply(exchange, 400, error("malformed JSON at line " + e.getLocation().getLineNr() + ", column "
            + e.getLocation().getColumnNr()));
        return;
      }
      if (records == null || !records.isArray() || records.isEmpty()) {
        reply(exchange, 400, error("the body must be a JSON array of one or more records"));
        return;
      }
      publish(exchange, product, records);
    } catch (RuntimeException e) {
      reply(exchange, 500, error("the endpoint failed: " + e.getClass().getSimpleName()));
    }
  }

  private void publish(HttpExchange exchange, DataContract product, JsonNode records) throws IOException {
    List<Map<String, ?>> valid = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    List<Object[]> rejected = new ArrayList<>();
    MeshProducer producer = producers.computeIfAbsent(product.name(), name -> MeshProducer.open(product,
        catalog.registry(), bootstrap, topicPrefix + product.port("kafka").orElseThrow().setting("topic"),
        "meshflow-ingest-" + name));
    for (int i = 0; i < records.size(); i++) {
      JsonNode r = records.get(i);
      if (!r.isObject()) {
        rejected.add(new Object[] {i, null, "not a JSON object"});
        continue;
      }
      Map<String, Object> record = ContractRecords.values(r);
      try {
        values.add(producer.serialize(record));
        valid.add(record);
      } catch (RefusedRecordException refused) {
        for (ContractRecords.Violation v : refused.violations()) {
          rejected.add(new Object[] {i, v.field(), v.reason()});
        }
      }
    }
    List<String> ids = List.of();
    if (!valid.isEmpty()) {
      try {
        synchronized (producer) { // one transaction at a time per producer
          ids = producer.publishAll(valid, values);
        }
      } catch (RuntimeException e) {
        producers.remove(product.name());
        producer.close();
        reply(exchange, 503, error("the broker did not take the batch, and nothing of it was"
            + " published: " + e.getClass().getSimpleName()));
        return;
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("product", product.name());
      g.writeNumberField("published", valid.size());
      g.writeArrayFieldStart("ids");
      for (String id : ids) {
        g.writeString(id);
      }
      g.writeEndArray();
      g.writeArrayFieldStart("rejected");
      for (Object[] r : rejected) {
        g.writeStartObject();
        g.writeNumberField("index", (Integer) r[0]);
        if (r[1] == null) {
          g.writeNullField("field");
        } else {
          g.writeStringField("field", (String) r[1]);
        }
        g.writeStringField("reason", (String) r[2]);
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    reply(exchange, valid.isEmpty() ? 422 : 200, out.toByteArray());
  }

  /** A JSON object's fields as the contract checks them: strings, longs, doubles, booleans. */

  private byte[] readLimited(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    for (int n; (n = in.read(buffer)) > 0; ) {
      out.write(buffer, 0, n);
      if (out.size() > maxBodyBytes) {
        in.transferTo(OutputStream.nullOutputStream()); // drain, so that the client reads the answer
        return null;
      }
    }
    return out.toByteArray();
  }

  private static byte[] error(String message) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("error", message);
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  private static void reply(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    producers.values().forEach(MeshProducer::close);
  }
}
