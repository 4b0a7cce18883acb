package dev.meshflow.io;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.Row;

/**
 * Loads a micro-batch of files in one transaction: the rows, the dead letters and the ledger
 * entries commit together or not at all, so a file is loaded exactly once even if the pipeline
 * stops mid-batch and starts again.
 */
public interface BulkLoader extends Serializable {
  String LEDGER = "loaded_files";

  /** One file of a batch, as recorded in the ledger. */
  final class LoadedFile implements Serializable {
    public final String path;
    public final long size;
    public final String sha256;
    public final long rows;

    public LoadedFile(String path, long size, String sha256, long rows) {
      this.path = path;
      this.size = size;
      this.sha256 = sha256;
      this.rows = rows;
    }
  }

  /** The checksum recorded for each of {@code paths} that the ledger knows. */
  Map<String, String> loadedChecksums(List<String> paths) throws Exception;

  /**
   * Inserts {@code rows} into {@code table} (an existing key is kept: the first load wins),
   * upserts {@code deadLetters} into {@code deadLetterTable}, and records {@code files} in the
   * ledger, in one transaction.
   *
   * @return how many rows were new (the rest were already in the table)
   */
  long load(String table, List<String> keys, List<Row> rows, String deadLetterTable,
      List<String> deadLetterKeys, List<Row> deadLetters, List<LoadedFile> files) throws Exception;

  /** Releases connections. */
  void close() throws Exception;
}
