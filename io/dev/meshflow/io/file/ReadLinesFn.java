package dev.meshflow.io.file;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
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
    String path = file.getMetadata().resourceId().toString();
    try (InputStream in = new BufferedInputStream(Channels.newInputStream(file.open()), 1 << 16)) {
      ByteArrayOutputStream line = new ByteArrayOutputStream(256);
      long lineNumber = 0;
      int b;
      boolean pending = false;
      while ((b = in.read()) != -1) {
        if (b == '\n') {
          lineNumber++;
          emit(path, lineNumber, line, out);
          pending = false;
        } else {
          line.write(b);
          pending = true;
        }
      }
      if (pending) {
        emit(path, lineNumber + 1, line, out);
      }
    }
  }

  private static void emit(
      String path, long lineNumber, ByteArrayOutputStream line, OutputReceiver<KV<String, byte[]>> out) {
    byte[] bytes = line.toByteArray();
    line.reset();
    int length = bytes.length;
    if (length > 0 && bytes[length - 1] == '\r') {
      length--;
    }
    if (length == 0) {
      return; // blank lines separate nothing in JSON lines; they are not records
    }
    byte[] payload = length == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, length);
    out.output(KV.of("file:" + path + "#L" + lineNumber, payload));
  }
}
