package dev.meshflow.io.file;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/** Splits a file into lines of raw bytes, each tagged with {@code file:<path>#L<line>}. */
final class ReadLinesFn extends DoFn<FileIO.ReadableFile, KV<String, byte[]>> {

  @ProcessElement
  public void process(@Element FileIO.ReadableFile file, OutputReceiver<KV<String, byte[]>> out)
      throws IOException {
    String origin = "file:" + file.getMetadata().resourceId() + "#L";
    try (InputStream in = Channels.newInputStream(file.open())) {
      LineSplitter.forEachLine(in, (number, line) -> out.output(KV.of(origin + number, line)));
    }
  }
}
