package dev.meshflow.pipelines.clickstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.io.generator.ClickGenerator;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.TempFiles;
import dev.meshflow.testing.services.KafkaBroker;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.transforms.clickstream.Clickstream;
import dev.meshflow.transforms.clickstream.model.ClickstreamModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code clickstream-backfill} in streaming mode on the FlinkRunner, from a real Kafka topic (four
 * partitions, keyed by cookie) into PostgreSQL, stopped by {@code --runFor}: the same events,
 * sessions, identity map, traffic and dead letters as the batch model. The watermark trails each
 * partition by a day, so nothing is late and the live tables must equal the backfill's exactly.
 */
public class ClickstreamStreamingKafkaTest {
  private static final Pattern COOKIE = Pattern.compile("\"cookie_id\":\"([^\"]+)\"");

  @TempDir Path tmp;

  /** The generator's first {@code events} records, keyed by cookie as a shop's producer would. */
  public static void produceKeyedByCookie(KafkaBroker kafka, String topic, ClickGenerator g, long events)
      throws Exception {
    List<byte[]> keys = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    for (long i = 0; i < events; i++) {
      byte[] payload = g.recordAt(i).payload;
      Matcher m = COOKIE.matcher(new String(payload, StandardCharsets.UTF_8));
      keys.add(m.find() ? m.group(1).getBytes(StandardCharsets.UTF_8) : null);
      values.add(payload);
    }
    kafka.produce(topic, keys, values);
  }

  @Test
  public void flinkStreamingFromKafkaMatchesTheBatchModel() throws Exception {
    ClickGenerator g = ClickstreamBackfillTest.generator();
    ClickstreamModel.Result expected = ClickstreamBackfillTest.model(new Clickstream.Settings());
    KafkaBroker kafka = KafkaBroker.shared();
    String topic = "clicks-flink";
    kafka.createTopic(topic, 4);
    produceKeyedByCookie(kafka, topic, g, expected.read);
    Path products = TempFiles.newFile(tmp, "products.jsonl");
    Files.writeString(products, g.productsJsonLines());
    String db = Postgres.newDatabase("clicks_streaming");

    ClickstreamBackfillPipeline.Options options = PipelineOptionsFactory.fromArgs(RunnerArgs.forRunner("FlinkRunner",
        "--clicks=kafka://" + kafka.bootstrap() + "/" + topic + "?maxDelaySeconds=86400&idleSeconds=3600",
        "--products=" + products, "--sink=" + Postgres.sinkUri(db), "--streaming=true", "--runFor=PT5S"))
        .as(ClickstreamBackfillPipeline.Options.class);
    PipelineResult result = ClickstreamBackfillPipeline.run(options);
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());

    ClickstreamBackfillTest.assertMatchesModel(Tables.postgres(db), expected);
    ClickstreamBackfillTest.assertConserved(result, expected);
  }
}
