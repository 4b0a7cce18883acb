package dev.meshflow.pipelines.cli;

import dev.meshflow.io.Endpoints;
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
 * standard output, to feed Kafka's console producer or a landing folder.
 */
public final class GenerateCommand {
  private GenerateCommand() {}

  public static void run(List<String> args, PrintStream out) throws IOException {
    if (args.size() > 1) {
      throw new IllegalArgumentException("usage: ./meshflow generate ['generator:interactions?events=N&seed=S']");
    }
    String uri = args.isEmpty() ? "generator:interactions?events=1000" : args.get(0);
    RecordSource source = Endpoints.source(uri, false);
    if (!(source instanceof GeneratorSource)) {
      throw new IllegalArgumentException("generate takes a generator: URI, not " + uri);
    }
    RecordGenerator g = ((GeneratorSource) source).generator();
    long events = ((GeneratorSource) source).events();
    OutputStream buffered = new BufferedOutputStream(out, 1 << 16);
    for (long i = 0; i < events; i++) {
      buffered.write(g.recordAt(i).payload);
      buffered.write('\n');
    }
    buffered.flush();
  }
}
