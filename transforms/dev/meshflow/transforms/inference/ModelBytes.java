package dev.meshflow.transforms.inference;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import org.apache.beam.sdk.io.FileSystems;

/** Reads a model file whole from any Beam file system (local, gs://, s3://, hdfs://). */
public final class ModelBytes {
  private ModelBytes() {}

  public static byte[] read(String location) throws IOException {
    try (InputStream in = Channels.newInputStream(
        FileSystems.open(FileSystems.matchSingleFileSpec(location).resourceId()))) {
      return in.readAllBytes();
    }
  }
}
