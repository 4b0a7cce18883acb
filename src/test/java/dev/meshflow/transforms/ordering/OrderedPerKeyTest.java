package dev.meshflow.transforms.ordering;

import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.transforms.ordering.model.OrderedPerKeyModel.Element;
import dev.meshflow.transforms.ordering.model.OrderedPerKeyModel.Round;
import dev.meshflow.transforms.ordering.model.OrderedPerKeyModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * {@link OrderedPerKey} against {@link OrderedPerKeyModel}: a machine that numbers each key's
 * elements sees them in (time, tie-break) order; in batch over shuffled input with equal
 * timestamps, and in streaming (TestStream) with out-of-order arrivals, an element behind the
 * watermark for a key not yet flushed (still in order), and elements at or before a key's last
 * flush (too late, kept with their values).
 */
public class OrderedPerKeyTest {
  /** Numbers each key's elements: "key:n:value". */
  private static final class Numbering implements OrderedPerKey.Step<String, int[], String> {
    @Override
    public int[] start() {
      return new int[1];
    }

    @Override
    public int tieBreak(String a, String b) {
      return a.compareTo(b);
    }

    @Override
    public void step(int[] state, String value, long tsMillis, Consumer<String> out) {
      out.accept(value.substring(0, value.indexOf('/')) + ":" + state[0]++ + ":" + value);
    }
  }

  @Test
  public void batchStepsEachKeyInTimeThenTieBreakOrderWhateverTheInputOrder() {
    Random r = new Random(9);
    List<Element<String>> elements = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      String key = "k" + r.nextInt(7);
      elements.add(new Element<>(key, key + "/" + i, 1_000L * r.nextInt(40))); // many equal times
    }
    Collections.shuffle(elements, r);
    List<TimestampedValue<KV<String, String>>> input = new ArrayList<>();
    elements.forEach(e -> input.add(TimestampedValue.of(KV.of(e.key, e.value), new Instant(e.tsMillis))));

    Pipeline p = pipeline();
    OrderedPerKey<String, int[], String> ordered = OrderedPerKey.atEnd(new Numbering(), StringUtf8Coder.of());
    PCollectionTuple out = p.apply(Create.timestamped(input)
            .withCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of())))
        .apply(ordered);
    PAssert.that(out.get(ordered.output()))
        .containsInAnyOrder(OrderedPerKeyModel.atEnd(elements, new Numbering()).outputs);
    PAssert.that(out.get(ordered.tooLate())).empty();
    Assertions.assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
  }

  @Test
  public void streamingFlushesAtIntervalBoundariesAndKeepsWhatComesTooLate() {
    long s = 1_000;
    List<Round<String>> rounds = List.of(
        new Round<>(0, List.of(el("v1", "p", 3 * s), el("v1", "r", s), el("v1", "q", s), el("v2", "s", 12 * s))),
        // v1 flushed at 10 s: t (5 s) is too late, u waits; v2 has not flushed, so w (8 s) is in order
        new Round<>(15 * s, List.of(el("v1", "t", 5 * s), el("v1", "u", 11 * s), el("v2", "w", 8 * s))),
        // v2 flushed at 10 s and 20 s: x (20 s) is too late, y waits for the end
        new Round<>(40 * s, List.of(el("v2", "x", 20 * s), el("v2", "y", 21 * s))));
    OrderedPerKeyModel.Result<String, String> expected =
        OrderedPerKeyModel.every(10 * s, rounds, new Numbering());
    Assertions.assertEquals(List.of("v1:0:v1/q", "v1:1:v1/r", "v1:2:v1/p", "v1:3:v1/u", "v2:0:v2/w", "v2:1:v2/s", "v2:2:v2/y"),
        expected.outputs, "the reference itself");
    Assertions.assertEquals(List.of("v1/t", "v2/x"), expected.tooLate);

    TestStream.Builder<KV<String, String>> stream =
        TestStream.create(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    for (Round<String> round : rounds) {
      stream = stream.advanceWatermarkTo(new Instant(round.watermarkMillis));
      for (Element<String> e : round.arrivals) {
        stream = stream.addElements(TimestampedValue.of(KV.of(e.key, e.value), new Instant(e.tsMillis)));
      }
    }
    Pipeline p = pipeline("--streaming=true");
    OrderedPerKey<String, int[], String> ordered =
        OrderedPerKey.every(Duration.millis(10 * s), new Numbering(), StringUtf8Coder.of());
    PCollectionTuple out = p.apply(stream.advanceWatermarkToInfinity()).apply(ordered);
    PCollection<String> outputs = out.get(ordered.output());
    PAssert.that(outputs).containsInAnyOrder(expected.outputs);
    PAssert.that(out.get(ordered.tooLate())).containsInAnyOrder(expected.tooLate);
    Assertions.assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
  }

  private static Element<String> el(String key, String name, long ts) {
    return new Element<>(key, key + "/" + name, ts);
  }

  private static Pipeline pipeline(String... extra) {
    return Pipeline.create(PipelineOptionsFactory.fromArgs(RunnerArgs.forRunner("DirectRunner", extra)).create());
  }
}
