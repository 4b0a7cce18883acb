package dev.meshflow.io.mesh.governance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Personal data for a consumer without a PII grant: a keyed HMAC-SHA256 of the value, so that
 * equal values still join and count as one, while the value itself cannot be read back or
 * guessed without the key.
 *
 * <p>The key comes, in order, from the environment variable {@value #KEY_ENV}, from the file
 * that {@value #KEY_FILE_ENV} (or the system property {@value #KEY_FILE_PROPERTY}) names, or
 * from {@code ~/.meshflow/pii.key}; a key file that does not exist yet is created owner-only with
 * a random key, and the log says where. Workers
 * read it where they run and it never enters the pipeline's graph: a cluster's workers need the
 * same variable or file. The key is never logged, printed or written anywhere else.
 */
public final class PiiHmac {
  public static final String KEY_ENV = "MESHFLOW_PII_KEY";
  public static final String KEY_FILE_ENV = "MESHFLOW_PII_KEY_FILE";
  public static final String KEY_FILE_PROPERTY = "meshflow.piiKeyFile";
  /** Marks a delivered value as a hash, so nobody mistakes it for the value. */
  public static final String PREFIX = "hmac:";
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PiiHmac.class);
  private static volatile SecretKeySpec key;
  private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(PiiHmac::newMac);

  private PiiHmac() {}

  /** {@code hmac:} and 64 hex digits; null stays null. */
  public static String hash(String value) {
    if (value == null) {
      return null;
    }
    return PREFIX + HexFormat.of().formatHex(MAC.get().doFinal(value.getBytes(StandardCharsets.UTF_8)));
  }

  /** Where the key is read from: the variable {@value #KEY_ENV}, or a file's path. Never the key. */
  public static String keySource() {
    String inline = System.getenv(KEY_ENV);
    return inline != null && !inline.isBlank() ? KEY_ENV : keyFile().toString();
  }

  private static Path keyFile() {
    String named = System.getenv(KEY_FILE_ENV);
    if (named == null || named.isBlank()) {
      named = System.getProperty(KEY_FILE_PROPERTY);
    }
    return named == null || named.isBlank()
        ? Path.of(System.getProperty("user.home"), ".meshflow", "pii.key") : Path.of(named);
  }

  /** Loads the key now, so that a missing or unreadable one fails at launch, in one line. */
  public static void requireKey() {
    key();
  }

  private static Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key());
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available: " + e.getMessage(), e);
    }
  }

  private static SecretKeySpec key() {
    SecretKeySpec k = key;
    if (k == null) {
      synchronized (PiiHmac.class) {
        if (key == null) {
          key = new SecretKeySpec(load(), "HmacSHA256");
        }
        k = key;
      }
    }
    return k;
  }

  private static byte[] load() {
    String inline = System.getenv(KEY_ENV);
    if (inline != null && !inline.isBlank()) {
      return checked(inline.strip(), KEY_ENV);
    }
    Path file = keyFile();
    try {
      if (!Files.exists(file)) {
        create(file);
      }
      return checked(Files.readString(file, StandardCharsets.UTF_8).strip(), file.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the PII key file " + file + " (" + e.getClass()
          .getSimpleName() + "); set " + KEY_ENV + " or " + KEY_FILE_ENV, e);
    }
  }

  private static void create(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    Files.writeString(partial, HexFormat.of().formatHex(random) + "\n", StandardCharsets.UTF_8);
    try {
      Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // a file system without POSIX permissions keeps its defaults
    }
    Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    LOG.warn("created a PII hashing key in {} (owner-only); set {} or {} to use one key on every machine",
        file, KEY_ENV, KEY_FILE_ENV);
  }

  /** At least 16 bytes of key material, so that a short word cannot be guessed. */
  private static byte[] checked(String text, String where) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length < 16) {
      throw new IllegalArgumentException("the PII key in " + where + " is shorter than 16 bytes;"
          + " use a random one, e.g. openssl rand -hex 32");
    }
    return bytes;
  }
}
