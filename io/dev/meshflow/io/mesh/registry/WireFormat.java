package dev.meshflow.io.mesh.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Records on a product's topic in the Confluent wire format, which MSK-with-Glue and Confluent
 * consumers expect: a magic byte {@code 0}, the writer schema's 4-byte big-endian global id, then
 * the record in Avro binary.
 *
 * <p>A consumer decodes each record with the writer schema its id names, read as its own reader
 * schema (Avro's schema resolution): a consumer built on an older version keeps reading records of
 * a newer, compatible one, and the other way round.
 */
public final class WireFormat {
  /** The first byte of every record in this format. */
  public static final byte MAGIC = 0;
  private static final int HEADER = 5;

  private WireFormat() {}

  /** {@code record} (of the registered schema {@code id}) as wire bytes. */
  public static byte[] encode(int id, GenericRecord record) {
    return new Writer(id, record.getSchema()).encode(record);
  }

  /**
   * Encodes many records of one registered schema, reusing Avro's writer and buffers: what a
   * producer keeps. Not thread-safe.
   */
  public static final class Writer {
    private final byte[] header;
    private final GenericDatumWriter<GenericRecord> datumWriter;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    private BinaryEncoder encoder;

    public Writer(int id, Schema schema) {
      this.header = ByteBuffer.allocate(HEADER).put(MAGIC).putInt(id).array();
      this.datumWriter = new GenericDatumWriter<>(schema);
    }

    public byte[] encode(GenericRecord record) {
      out.reset();
      out.writeBytes(header);
      encoder = EncoderFactory.get().directBinaryEncoder(out, encoder);
      try {
        datumWriter.write(record, encoder);
        encoder.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.toByteArray();
    }
  }

  /** The writer schema id of wire bytes. */
  public static int schemaId(byte[] bytes) {
    if (bytes.length < HEADER || bytes[0] != MAGIC) {
      throw new IllegalArgumentException("not in the Confluent wire format: "
          + (bytes.length < HEADER ? bytes.length + " bytes, fewer than its 5-byte header"
              : "first byte " + bytes[0] + ", not the magic byte 0"));
    }
    return ByteBuffer.wrap(bytes, 1, 4).getInt();
  }

  /**
   * Decodes wire bytes for one consumer: each record with the writer schema its id names in the
   * registry, resolved to the consumer's reader schema. Readers are cached per writer id. Not
   * thread-safe (it reuses its decoder): one per thread, as a DoFn instance is.
   */
  public static final class Reader {
    private final java.util.function.IntFunction<java.util.Optional<Schema>> writers;
    private final Schema readerSchema;
    private final Map<Integer, GenericDatumReader<GenericRecord>> byWriterId =
        new ConcurrentHashMap<>();
    private BinaryDecoder decoder;

    public Reader(SchemaRegistry registry, Schema readerSchema) {
      this(id -> registry.byId(id).map(SchemaRegistry.Registered::schema), readerSchema);
    }

    /**
     * A reader whose writer schemas come from {@code writers} (an id to its schema, if known): a
     * worker that was given the registered versions instead of the registry's files.
     */
    public Reader(java.util.function.IntFunction<java.util.Optional<Schema>> writers, Schema readerSchema) {
      this.writers = writers;
      this.readerSchema = readerSchema;
    }

    /**
     * @throws IllegalArgumentException for bytes not in the wire format, an id the registry does
     *     not know, or a record its writer schema cannot decode (each a dead letter's reason)
     */
    public GenericRecord read(byte[] bytes) {
      int id = schemaId(bytes);
      GenericDatumReader<GenericRecord> reader = byWriterId.computeIfAbsent(id, this::readerFor);
      decoder = DecoderFactory.get().binaryDecoder(bytes, HEADER, bytes.length - HEADER, decoder);
      GenericRecord record;
      boolean leftOver;
      try {
        record = reader.read(null, decoder);
        leftOver = !decoder.isEnd();
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("schema id " + id + ": the record does not decode with"
            + " its writer schema (" + e.getClass().getSimpleName() + ")", e);
      }
      if (leftOver) {
        throw new IllegalArgumentException("schema id " + id + ": "
            + "bytes left over after the record; it was not written with that schema");
      }
      return record;
    }

    private GenericDatumReader<GenericRecord> readerFor(int id) {
      Schema writer = writers.apply(id)
          .orElseThrow(() -> new IllegalArgumentException("schema id " + id
              + " is not in the registry"));
      return new GenericDatumReader<>(writer, readerSchema);
    }
  }
}
