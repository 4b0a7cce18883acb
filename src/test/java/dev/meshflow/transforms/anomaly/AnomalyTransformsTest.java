package dev.meshflow.transforms.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.core.RunMetrics;
import dev.meshflow.io.generator.ClickGenerator;
import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.transforms.anomaly.model.AnomalyModel;
import dev.meshflow.transforms.clickstream.Clickstream;
import dev.meshflow.transforms.clickstream.Products;
import dev.meshflow.transforms.clickstream.SessionsTable;
import dev.meshflow.transforms.clickstream.model.ClickstreamModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link TrainModels} and {@link ScoreSessions} against {@link AnomalyModel}, on the sessions of a
 * seeded click history with planted anomalies, duplicates, malformed and late clicks (the
 * clickstream model's sessions, which {@code ClickstreamBackfillTest} holds the pipeline to).
 * Training in batch and in streaming, with sessions arriving out of order under a moving
 * watermark, publishes the model's models to the last bit; scoring finds the model's anomalies and
 * counts what it scored, skipped and could not score.
 */
@ExtendWith(TestPipelineExtension.class)
public class AnomalyTransformsTest {
  private static final long EVENTS = 24_000; // 3,000 visits, about 5 hours
  private static final String GENERATOR = "generator:clicks?events=" + EVENTS
      + "&seed=5&persons=2000&anomalies=0.015&duplicates=0.02&malformed=0.02&late=0.005";
  private static final Duration SIZE = Duration.standardHours(2);
  private static final Duration PERIOD = Duration.standardHours(1);

  /** The clickstream model's sessions, in start order. */
  private static List<Row> sessions() {
    ClickGenerator g = (ClickGenerator) GeneratedInput.generator(GENERATOR);
    List<ClickstreamModel.Record> records = GeneratedInput.records(GENERATOR, EVENTS, ClickstreamModel.Record::new);
    List<Row> sessions = new ArrayList<>(ClickstreamModel.run(records, Products.parse(g.productsJsonLines()),
        new Clickstream.Settings()).sessions.values());
    sessions.sort(Comparator.comparing((Row s) -> s.getDateTime("start_ts").getMillis())
        .thenComparing(s -> s.getString("session_id")));
    return sessions;
  }

  private static Instant start(Row session) {
    return new Instant(session.getDateTime("start_ts").getMillis());
  }

  private static List<String> lines(List<KMeansModel> models) {
    List<String> out = new ArrayList<>();
    models.forEach(m -> out.add(m.id + " " + m.toJson()));
    return out;
  }

  private static PCollection<String> published(PCollection<KMeansModel> models) {
    return models.apply("ModelLines", MapElements.into(TypeDescriptors.strings()).via(m -> m.id + " " + m.toJson()));
  }

  private static long counter(PipelineResult result, String name) {
    long sum = 0;
    for (MetricResult<Long> c : result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named(RunMetrics.NAMESPACE, name)).build()).getCounters()) {
      sum += c.getAttempted();
    }
    return sum;
  }

  @Test
  public void batchTrainingPublishesTheModelsModels(TestPipeline p) {
    List<Row> sessions = sessions();
    List<KMeansModel> expected = AnomalyModel.train(sessions, SIZE, PERIOD, new KMeansTrainer.Settings());
    assertTrue(expected.size() >= 4, "several models are expected: " + expected.size());
    List<TimestampedValue<Row>> timed = new ArrayList<>();
    sessions.forEach(s -> timed.add(TimestampedValue.of(s, start(s))));

    PCollection<KMeansModel> models = p.apply(Create.timestamped(timed).withCoder(SchemaCoder.of(SessionsTable.SCHEMA)))
        .apply(new TrainModels(SIZE, PERIOD, new KMeansTrainer.Settings()));
    PAssert.that(published(models)).containsInAnyOrder(lines(expected));
    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertEquals(expected.size(), counter(result, TrainModels.MODELS_TRAINED));
  }

  @Test
  public void streamingTrainingWithSessionsOutOfOrderPublishesTheSameModels(TestPipeline p) {
    List<Row> sessions = sessions();
    List<KMeansModel> expected = AnomalyModel.train(sessions, SIZE, PERIOD, new KMeansTrainer.Settings());
    // Sessions arrive in blocks of ten minutes of start time, each block reversed, and the
    // watermark follows a block behind: out of order, never late.
    TestStream.Builder<Row> stream = TestStream.create(SchemaCoder.of(SessionsTable.SCHEMA))
        .advanceWatermarkTo(start(sessions.get(0)));
    long block = Duration.standardMinutes(10).getMillis();
    List<TimestampedValue<Row>> pending = new ArrayList<>();
    long blockStart = start(sessions.get(0)).getMillis();
    for (Row s : sessions) {
      if (start(s).getMillis() >= blockStart + block) {
        stream = flush(stream, pending, blockStart);
        blockStart = start(s).getMillis();
      }
      pending.add(0, TimestampedValue.of(s, start(s)));
    }
    stream = flush(stream, pending, blockStart);

    PCollection<KMeansModel> models = p.apply(stream.advanceWatermarkToInfinity())
        .apply(new TrainModels(SIZE, PERIOD, new KMeansTrainer.Settings()));
    PAssert.that(published(models)).containsInAnyOrder(lines(expected));
    p.run().waitUntilFinish();
  }

  private static TestStream.Builder<Row> flush(TestStream.Builder<Row> stream, List<TimestampedValue<Row>> pending,
      long blockStart) {
    if (pending.isEmpty()) {
      return stream;
    }
    TestStream.Builder<Row> out = stream.addElements(pending.get(0), pending.subList(1, pending.size())
        .toArray(new TimestampedValue[0])).advanceWatermarkTo(new Instant(blockStart));
    pending.clear();
    return out;
  }

  @Test
  public void scoringFindsTheModelsAnomaliesAndCountsEverySession(TestPipeline p) {
    List<Row> sessions = sessions();
    List<KMeansModel> models = AnomalyModel.train(sessions, SIZE, PERIOD, new KMeansTrainer.Settings());
    AnomalyModel.Scored expected = AnomalyModel.score(sessions, models);
    assertTrue(expected.anomalies.size() > 10 && expected.unscored > 0 && expected.bots > 0,
        "anomalies, unscored and bot sessions are expected");

    PCollectionView<ModelHistory> history = p.apply("Models", Create.of(ModelHistory.of(models))
            .withCoder(SerializableCoder.of(ModelHistory.class)))
        .apply("ModelsView", View.asSingleton());
    PCollection<Row> anomalies = p.apply("Sessions", Create.of(sessions).withCoder(SchemaCoder.of(SessionsTable.SCHEMA)))
        .apply(new ScoreSessions(history));
    List<String> expectedLines = new ArrayList<>();
    expected.anomalies.values().forEach(r -> expectedLines.add(r.toString()));
    PAssert.that(anomalies.apply("AnomalyLines", MapElements.into(TypeDescriptors.strings()).via(Row::toString)))
        .containsInAnyOrder(expectedLines);
    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertEquals(expected.scored, counter(result, ScoreSessions.SCORED));
    assertEquals(expected.unscored, counter(result, ScoreSessions.UNSCORED));
    assertEquals(expected.bots, counter(result, ScoreSessions.BOTS_SKIPPED));
    assertEquals(expected.anomalies.size(), counter(result, ScoreSessions.ANOMALIES));
  }
}
