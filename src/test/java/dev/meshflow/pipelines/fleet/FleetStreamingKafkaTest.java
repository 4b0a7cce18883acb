package dev.meshflow.pipelines.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.io.generator.VehicleGenerator;
import dev.meshflow.testing.RunnerArgs;
import dev.meshflow.testing.Tables;
import dev.meshflow.testing.TempFiles;
import dev.meshflow.testing.services.KafkaBroker;
import dev.meshflow.testing.services.Postgres;
import dev.meshflow.transforms.fleet.model.FleetAlertsModel;
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
 * {@code fleet-alerts} in streaming mode on the FlinkRunner, from a real Kafka topic (four
 * partitions, keyed by vehicle) into PostgreSQL, stopped by {@code --runFor}: the same minute
 * statistics, alerts and dead letters as the batch model. The watermark trails each partition by
 * a day here, so no report is late and streaming must equal batch exactly. The zones file is read
 * once ({@code --zonesRefresh=0s}): see {@code RefreshedSideInputs} for why Flink needs that.
 */
public class FleetStreamingKafkaTest {
  private static final Pattern VEHICLE = Pattern.compile("\"vehicle_id\":\"([^\"]+)\"");

  @TempDir Path tmp;

  @Test
  public void flinkStreamingFromKafkaMatchesTheBatchModel() throws Exception {
    VehicleGenerator g = FleetAlertsTest.generator();
    FleetAlertsModel.Result expected = FleetAlertsTest.model();
    KafkaBroker kafka = KafkaBroker.shared();
    String topic = "positions-flink";
    kafka.createTopic(topic, 4);
    List<byte[]> keys = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    for (long i = 0; i < expected.read; i++) {
      byte[] payload = g.recordAt(i).payload;
      Matcher m = VEHICLE.matcher(new String(payload, StandardCharsets.UTF_8));
      keys.add(m.find() ? m.group(1).getBytes(StandardCharsets.UTF_8) : null);
      values.add(payload);
    }
    kafka.produce(topic, keys, values);
    Path zones = TempFiles.newFile(tmp, "zones.geojson");
    Files.writeString(zones, g.world().geoJson());
    String db = Postgres.newDatabase("fleet_streaming");

    FleetAlertsPipeline.Options options = PipelineOptionsFactory.fromArgs(RunnerArgs.forRunner("FlinkRunner",
        "--positions=kafka://" + kafka.bootstrap() + "/" + topic + "?maxDelaySeconds=86400&idleSeconds=3600",
        "--zones=" + zones, "--zonesRefresh=0s", "--sink=" + Postgres.sinkUri(db), "--alertsStream=", "--streaming=true",
        "--runFor=PT5S")).as(FleetAlertsPipeline.Options.class);
    PipelineResult result = FleetAlertsPipeline.run(options);
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());

    FleetAlertsTest.assertMatchesModel(Tables.postgres(db), expected);
    FleetAlertsTest.assertConserved(result, expected);
  }
}
