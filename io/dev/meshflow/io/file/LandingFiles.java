package dev.meshflow.io.file;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Watch;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * The files of a landing folder, as paths: listed once in batch, or watched in streaming, where a
 * file is emitted again when it changes (so a change after loading can be reported).
 */
public final class LandingFiles extends PTransform<PBegin, PCollection<String>> {
  private final String glob;
  private final Duration poll;
  private final Duration stopAfter;

  private LandingFiles(String glob, Duration poll, Duration stopAfter) {
    this.glob = glob;
    this.poll = poll;
    this.stopAfter = stopAfter;
  }

  public static LandingFiles once(String glob) {
    return new LandingFiles(glob, null, null);
  }

  /** @param stopAfter when to stop watching (null: never) */
  public static LandingFiles watched(String glob, Duration poll, Duration stopAfter) {
    return new LandingFiles(glob, poll, stopAfter);
  }

  @Override
  public PCollection<String> expand(PBegin begin) {
    FileIO.Match match = FileIO.match().filepattern(glob).withEmptyMatchTreatment(EmptyMatchTreatment.ALLOW);
    if (poll != null) {
      match = match.continuously(poll,
          stopAfter == null ? Watch.Growth.never() : Watch.Growth.afterTotalOf(stopAfter), true);
    }
    return begin.apply("MatchLanding", match)
        .apply("Paths", MapElements.into(TypeDescriptors.strings())
            .via((MatchResult.Metadata m) -> m.resourceId().toString()));
  }

  /** A landed file's bytes as stored, and its content (gunzipped if named .gz). */
  public static final class Content {
    public final long size;
    public final String sha256;
    /** The lines to load; for an unreadable file, the bytes as stored. */
    public final byte[] data;
    /** Why the content cannot be read (a truncated or corrupt gzip file), or null. */
    public final String unreadable;

    private Content(long size, String sha256, byte[] data, String unreadable) {
      this.size = size;
      this.sha256 = sha256;
      this.data = data;
      this.unreadable = unreadable;
    }
  }

  /**
   * Reads a landed file. A file that cannot be decompressed is returned with the reason rather than
   * thrown: one bad file must not stop every batch after it.
   *
   * @throws java.io.FileNotFoundException if the file is gone since it was listed
   */
  public static Content read(String path) throws IOException {
    byte[] stored;
    try (InputStream in = Channels.newInputStream(
        FileSystems.open(FileSystems.matchSingleFileSpec(path).resourceId()))) {
      stored = in.readAllBytes();
    }
    byte[] data = stored;
    String unreadable = null;
    if (path.endsWith(".gz")) {
      try (InputStream gz = new GZIPInputStream(new java.io.ByteArrayInputStream(stored))) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(stored.length * 4);
        gz.transferTo(out);
        data = out.toByteArray();
      } catch (IOException e) { // ZipException or EOFException: corrupt or cut short
        unreadable = "not a complete gzip file (" + e.getMessage() + ")";
      }
    }
    try {
      String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(stored));
      return new Content(stored.length, sha, data, unreadable);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
