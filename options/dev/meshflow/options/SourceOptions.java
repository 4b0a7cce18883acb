package dev.meshflow.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where a pipeline reads its records from. */
public interface SourceOptions extends PipelineOptions {

  @Description(
      "Source URI. generator:interactions|vehicles|clicks?events=N&seed=S (seeded synthetic"
          + " producers; bounded when events is set), file:<path-or-glob> (JSON lines; watched for"
          + " new files with --streaming), kafka://host:port/topic?group=G&start=earliest|latest|committed"
          + " or kinesis://stream?region=R&endpoint=URL (both need --streaming, or maxRecords=N)."
          + " `./meshflow endpoints` lists every parameter.")
  @Default.String("generator:interactions?events=200000&seed=42")
  String getSource();

  void setSource(String value);
}
