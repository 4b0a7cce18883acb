package dev.meshflow.io.file;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Writes each (file name, text or bytes) into a directory, on any Beam file system. A file appears whole
 * or not at all (written under a temporary name, then renamed), and writing the same name again
 * replaces it, so a replay never leaves a half file or a second copy. Outputs the paths written.
 */
public final class NamedFiles extends PTransform<PCollection<KV<String, String>>, PCollection<String>> {
  private final String directory;

  private NamedFiles(String directory) {
    this.directory = directory;
  }

  public static NamedFiles into(String directory) {
    return new NamedFiles(directory);
  }

  /** The directory as Beam resolves it; {@code file:} is accepted and dropped. */
  public static ResourceId directory(String directory) {
    String d = directory.startsWith("file:") ? directory.substring("file:".length()) : directory;
    return FileSystems.matchNewResource(d.endsWith("/") ? d : d + "/", true);
  }

  @Override
  public PCollection<String> expand(PCollection<KV<String, String>> files) {
    return files
        .apply("Utf8", org.apache.beam.sdk.transforms.MapElements
            .into(org.apache.beam.sdk.values.TypeDescriptors.kvs(
                org.apache.beam.sdk.values.TypeDescriptors.strings(),
                org.apache.beam.sdk.values.TypeDescriptor.of(byte[].class)))
            .via((KV<String, String> f) -> KV.of(f.getKey(), f.getValue().getBytes(StandardCharsets.UTF_8))))
        .apply("WriteWholeFiles", ParDo.of(new WriteFn(directory)));
  }

  /** The same for binary files (models): (file name, bytes). */
  public static ParDo.SingleOutput<KV<String, byte[]>, String> binaryInto(String directory) {
    return ParDo.of(new WriteFn(directory));
  }

  private static final class WriteFn extends DoFn<KV<String, byte[]>, String> {
    private final String directory;

    WriteFn(String directory) {
      this.directory = directory;
    }

    @ProcessElement
    public void process(@Element KV<String, byte[]> file, OutputReceiver<String> out) throws IOException {
      ResourceId dir = directory(directory);
      ResourceId target = dir.resolve(file.getKey(), StandardResolveOptions.RESOLVE_FILE);
      ResourceId temp = dir.resolve("." + file.getKey() + "." + UUID.randomUUID() + ".tmp",
          StandardResolveOptions.RESOLVE_FILE);
      if (dir.getScheme().equals("file")) {
        java.nio.file.Files.createDirectories(java.nio.file.Paths.get(dir.toString()));
      }
      try (OutputStream o = Channels.newOutputStream(FileSystems.create(temp, "application/octet-stream"))) {
        o.write(file.getValue());
      }
      FileSystems.rename(List.of(temp), List.of(target), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
      out.output(target.toString());
    }
  }
}
