package dev.meshflow.launcher;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Values of enum-typed options in any case ({@code --mode=elt} as {@code --mode=ELT}), and a
 * one-line error naming the accepted values instead of Jackson's deserialisation message.
 */
public final class EnumOptionValues {
  private EnumOptionValues() {}

  public static List<String> normalize(List<String> args, Class<?> optionsClass) {
    List<String> out = new ArrayList<>(args.size());
    for (String a : args) {
      int eq = a.indexOf('=');
      Class<?> type = eq > 2 && a.startsWith("--") ? enumType(optionsClass, a.substring(2, eq)) : null;
      out.add(type == null ? a : a.substring(0, eq + 1) + constant(type, a.substring(0, eq), a.substring(eq + 1)));
    }
    return out;
  }

  private static Class<?> enumType(Class<?> optionsClass, String option) {
    String getter = "get" + option.substring(0, 1).toUpperCase(Locale.ROOT) + option.substring(1);
    for (Method m : optionsClass.getMethods()) {
      if (m.getName().equals(getter) && m.getParameterCount() == 0 && m.getReturnType().isEnum()) {
        return m.getReturnType();
      }
    }
    return null;
  }

  private static String constant(Class<?> type, String option, String value) {
    for (Object c : type.getEnumConstants()) {
      if (((Enum<?>) c).name().equalsIgnoreCase(value)) {
        return ((Enum<?>) c).name();
      }
    }
    throw new IllegalArgumentException(option + "=" + value + " is not one of "
        + Arrays.stream(type.getEnumConstants()).map(c -> ((Enum<?>) c).name().toLowerCase(Locale.ROOT))
            .collect(Collectors.joining(", ")));
  }
}
