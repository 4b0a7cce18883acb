package dev.meshflow.launcher;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Beam's option errors in the user's words: the option as typed ({@code --sourc}), with Beam's
 * suggestion as an option too, and no Java class names.
 */
public final class OptionErrors {
  private static final Pattern MISSING_PROPERTY = Pattern.compile(
      "Class interface \\S+ missing a property named '([^']+)'\\.?(?:\\s*Did you mean '([^']+)'\\?)?.*",
      Pattern.DOTALL);
  private static final Pattern CLASS_NAME =
      Pattern.compile("(?:class |interface )?\\b[a-z]+(?:\\.[a-z0-9_]+)+\\.([A-Z]\\w*)(?:\\$\\w+)*");

  private OptionErrors() {}

  /** The first line of Beam's message, reworded where it names Java types. */
  public static String readable(String beamMessage) {
    if (beamMessage == null) {
      return "invalid options";
    }
    Matcher m = MISSING_PROPERTY.matcher(beamMessage);
    if (m.matches()) {
      return "unknown option --" + m.group(1)
          + (m.group(2) == null ? "" : "; did you mean --" + m.group(2) + "?");
    }
    String first = beamMessage.split("\n")[0];
    // Any other message: keep its words, name a type by its simple name ("IngestPipeline").
    return CLASS_NAME.matcher(first).replaceAll(r -> r.group(1));
  }
}
