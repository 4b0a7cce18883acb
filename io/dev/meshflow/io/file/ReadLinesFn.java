package dev.meshflow.io.file;

import dev.meshflow.io.RecordSource;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.NoSuchFileException;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.transforms.errorhandling.BadRecordRouter;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Splits a file into lines of raw bytes, each tagged with {@code file:<path>#L<line>}. A file that
 * cannot be read to its end (most often a gzip file cut short) either fails the bundle, naming the
 * file, or, when {@code reportUnreadable}, becomes one bad record after the lines read before the
 * failure, so one bad file does not stop a run (nor every restart of it).
 */
final class ReadLinesFn extends DoFn<FileIO.ReadableFile, KV<String, byte[]>> {
  static final TupleTag<KV<String, byte[]>> LINES = new TupleTag<>() {};
  static final TupleTag<BadRecord> UNREADABLE = BadRecordRouter.BAD_RECORD_TAG;
  /** The origin of an unreadable file's bad record: the file, not a line. */
  static final String UNREADABLE_SUFFIX = "#unreadable";

  private final boolean reportUnreadable;

  ReadLinesFn(boolean reportUnreadable) {
    this.reportUnreadable = reportUnreadable;
  }

  @ProcessElement
  public void process(@Element FileIO.ReadableFile file, MultiOutputReceiver out) throws IOException {
    String path = file.getMetadata().resourceId().toString();
    String origin = "file:" + path + "#L";
    long[] lines = {0};
    try (InputStream in = Channels.newInputStream(file.open())) {
      LineSplitter.forEachLine(in, (number, line) -> {
        lines[0] = number;
        out.get(LINES).output(KV.of(origin + number, line));
      });
    } catch (FileNotFoundException | NoSuchFileException e) {
      throw e;
    } catch (IOException e) {
      String where = lines[0] == 0 ? " before its first line" : " after line " + lines[0];
      String what = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      String reason = "cannot read " + path + where + " (" + what + "); a compressed file cut short or corrupt?";
      if (!reportUnreadable) {
        throw new IOException(reason, e);
      }
      out.get(UNREADABLE).output(BadRecord.builder()
          .setRecord(BadRecord.Record.builder()
              .setHumanReadableJsonRecord("file:" + path + UNREADABLE_SUFFIX)
              .setEncodedRecord(storedBytes(file.getMetadata().resourceId()))
              .build())
          .setFailure(BadRecord.Failure.builder()
              .setException(e.toString())
              .setDescription(reason + (lines[0] == 0 ? "" : " Lines 1 to " + lines[0] + " were read;")
                  + " the payload is the file as stored (at most "
                  + RecordSource.UNREADABLE_BYTES_KEPT / 1024 + " KiB); the file stays where it is")
              .build())
          .build());
    }
  }

  /** The file's bytes as stored (still compressed), up to the kept maximum. */
  private static byte[] storedBytes(ResourceId file) throws IOException {
    try (InputStream in = Channels.newInputStream(FileSystems.open(file))) {
      return in.readNBytes(RecordSource.UNREADABLE_BYTES_KEPT);
    }
  }
}
