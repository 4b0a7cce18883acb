package dev.meshflow.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where a pipeline reads its records from. */
public interface SourceOptions extends PipelineOptions {

  @Description(
      "Source URI. generator:interactions?events=N&seed=S&rate=R (seeded synthetic producer;"
          + " bounded when events is set), file:<path-or-glob> (JSON lines; watched for new"
          + " files with --streaming) or kafka://host:port/topic?group=G&start=earliest|latest|committed"
          + " (needs --streaming). `./meshflow endpoints` lists every parameter.")
  @Default.String("generator:interactions?events=200000&seed=42")
  String getSource();

  void setSource(String value);
}
