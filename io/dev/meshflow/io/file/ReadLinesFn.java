package dev.meshflow.io.file;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.NoSuchFileException;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/** Splits a file into lines of raw bytes, each tagged with {@code file:<path>#L<line>}. */
final class ReadLinesFn extends DoFn<FileIO.ReadableFile, KV<String, byte[]>> {

  @ProcessElement
  public void process(@Element FileIO.ReadableFile file, OutputReceiver<KV<String, byte[]>> out)
      throws IOException {
    String path = file.getMetadata().resourceId().toString();
    String origin = "file:" + path + "#L";
    long[] lines = {0};
    try (InputStream in = Channels.newInputStream(file.open())) {
      LineSplitter.forEachLine(in, (number, line) -> {
        lines[0] = number;
        out.output(KV.of(origin + number, line));
      });
    } catch (FileNotFoundException | NoSuchFileException e) {
      throw e;
    } catch (IOException e) {
      // Most often a gzip file cut short. Say which file, so it can be moved aside or landed again
      // complete (micro-batch-load dead-letters such a file instead).
      String where = lines[0] == 0 ? " before its first line" : " after line " + lines[0];
      String what = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      throw new IOException("cannot read " + path + where + " (" + what
          + "); a compressed file cut short or corrupt?", e);
    }
  }
}
