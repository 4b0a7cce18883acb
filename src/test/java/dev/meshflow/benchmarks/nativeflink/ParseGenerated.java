package dev.meshflow.benchmarks.nativeflink;

import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.io.generator.GeneratedRecord;
import dev.meshflow.io.generator.GeneratorSource;
import dev.meshflow.io.generator.RecordGenerator;
import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.interactions.InteractionParser;
import java.io.Serializable;
import java.util.function.Function;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The native jobs' source step: renders generator record i and parses it with meshflow's rules;
 * a valid event goes on as the job's own type, a record that fails goes to {@link #DEAD} as its
 * origin.
 */
final class ParseGenerated<T> extends ProcessFunction<Long, T> {
  static final OutputTag<String> DEAD = new OutputTag<>("dead") {};

  /** A serializable conversion from a parsed event to the job's type. */
  interface ToJobType<T> extends Function<InteractionEvent, T>, Serializable {}

  private final String uri;
  private final ToJobType<T> convert;
  private transient RecordGenerator generator;

  ParseGenerated(String uri, ToJobType<T> convert) {
    this.uri = uri;
    this.convert = convert;
  }

  @Override
  public void open(org.apache.flink.api.common.functions.OpenContext context) {
    generator = ((GeneratorSource) Endpoints.source(uri, false)).generator();
  }

  @Override
  public void processElement(Long i, Context ctx, Collector<T> out) {
    GeneratedRecord r = generator.recordAt(i);
    InteractionParser.Result parsed = InteractionParser.parse(generator.originOf(i), r.payload);
    if (parsed.isValid()) {
      out.collect(convert.apply(parsed.event()));
    } else {
      ctx.output(DEAD, generator.originOf(i));
    }
  }
}
