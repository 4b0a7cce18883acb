package dev.meshflow.launcher;

import dev.meshflow.io.EndpointUri;
import dev.meshflow.io.mesh.governance.AccessScope;
import dev.meshflow.io.RecordSource;
import dev.meshflow.io.generator.GeneratorSource;
import dev.meshflow.io.generator.RecordGenerator;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code ./meshflow generate [generator-uri]}: writes the generator's records as JSON lines to
 * standard output, to feed Kafka's console producer or a landing folder. With
 * {@code --zones} after a {@code generator:vehicles} URI it writes that fleet's zones as GeoJSON
 * instead, for {@code fleet-alerts --zones}; with {@code --products} after a {@code generator:clicks}
 * URI, that shop's catalog as JSON lines, for {@code clickstream-backfill --products}.
 */
public final class GenerateCommand {
  /** The domain whose events the interactions generator simulates. */
  static final String DOMAIN = "interactions";

  private GenerateCommand() {}

  private static final String USAGE = String.join("\n",
      "Usage: ./meshflow generate [GENERATOR-URI] [--zones | --products]",
      "",
      "Writes the generator's records to standard output as JSON lines, the same records a run",
      "with --source=GENERATOR-URI reads, to feed Kafka's console producer or a landing folder.",
      "",
      "  GENERATOR-URI    (default: generator:interactions?events=1000)",
      "                   generator:interactions?events=N&seed=S, generator:vehicles?vehicles=V&events=N,",
      "                   generator:clicks?events=N; ./meshflow endpoints lists every parameter",
      "  --zones          after a generator:vehicles URI: that fleet's zones as GeoJSON, for",
      "                   fleet-alerts --zones",
      "  --products       after a generator:clicks URI: that shop's catalog as JSON lines, for",
      "                   clickstream-backfill --products",
      "  --help, -h       this text");

  public static void run(List<String> args, PrintStream out) throws IOException {
    if (args.contains("--help") || args.contains("-h")) {
      out.println(USAGE);
      return;
    }
    boolean zones = args.size() == 2 && args.get(1).equals("--zones");
    boolean products = args.size() == 2 && args.get(1).equals("--products");
    if (args.size() > 2 || (args.size() == 2 && !zones && !products)) {
      throw new IllegalArgumentException("usage: ./meshflow generate ['generator:interactions?events=N&seed=S']"
          + " | ./meshflow generate 'generator:vehicles?vehicles=V&events=N' [--zones]"
          + " | ./meshflow generate 'generator:clicks?events=N' [--products]");
    }
    String uri = args.isEmpty() ? "generator:interactions?events=1000" : args.get(0);
    EndpointUri parsed = EndpointUri.parse("generate", uri);
    if (!parsed.scheme().equals(GeneratorSource.SCHEME)) {
      throw new IllegalArgumentException("generate takes a generator: URI, not " + uri);
    }
    GeneratorSource source;
    // mesh=1 draws from the products: the Interactions domain, whose events these are, reads them.
    try (AccessScope scope = AccessScope.open(DOMAIN, "generate")) {
      source = GeneratorSource.from(parsed, false);
    }
    if (zones || products) {
      String kind = zones ? RecordSource.ZONES : RecordSource.PRODUCTS;
      out.print(source.referenceData(kind).orElseThrow(() -> new IllegalArgumentException(zones
          ? "--zones needs a generator:vehicles URI, not " + uri
          : "--products needs a generator:clicks URI, not " + uri)));
      out.flush();
      return;
    }
    RecordGenerator g = source.generator();
    long events = source.events();
    OutputStream buffered = new BufferedOutputStream(out, 1 << 16);
    for (long i = 0; i < events; i++) {
      buffered.write(g.recordAt(i).payload);
      buffered.write('\n');
    }
    buffered.flush();
  }
}
