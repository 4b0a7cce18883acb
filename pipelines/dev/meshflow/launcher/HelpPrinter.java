package dev.meshflow.launcher;

import dev.meshflow.pipelines.MeshflowPipeline;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** {@code ./meshflow <pipeline> --help}: every option, grouped, with its default and meaning. */
public final class HelpPrinter {
  private static final int WIDTH = 100;

  /** Runner options users need most; the runner's own --help lists the rest. */
  private static final String[][] RUNNER_OPTIONS = {
    {"runner", "DirectRunner", "DirectRunner, FlinkRunner or SparkRunner (DataflowRunner from the"
        + " dataflow-runner bundle). The launcher puts the matching runner on the classpath."},
    {"streaming", "false", "Streaming mode: unbounded sources, triggers and allowed lateness. The"
        + " transforms are the same as in batch."},
    {"flinkMaster", "[auto]", "FlinkRunner: [auto] or [local] starts an embedded cluster;"
        + " host:port submits to a running JobManager."},
    {"parallelism", "-1", "FlinkRunner: operator parallelism (-1: the cluster default)."},
    {"checkpointingInterval", "-1", "FlinkRunner: checkpoint interval in ms; off by default."},
    {"objectReuse", "true (launcher)", "FlinkRunner: reuse objects between operators."},
    {"sparkMaster", "local[2] (launcher)", "SparkRunner: Spark master URL."},
    {"enforceImmutability", "false (launcher)", "DirectRunner: check DoFns do not mutate inputs."},
    {"enforceEncodability", "false (launcher)", "DirectRunner: check every element encodes."},
    {"targetParallelism", "max(cores,3)", "DirectRunner: worker threads."},
  };

  private HelpPrinter() {}

  public static void print(MeshflowPipeline<?, ?> pipeline, PrintStream out) {
    out.println("Usage: ./meshflow " + pipeline.name() + " [--option=value ...]");
    out.println();
    out.println(wrap(pipeline.description(), ""));
    Set<Class<?>> groups = new LinkedHashSet<>();
    collect(pipeline.optionsClass(), groups);
    for (Class<?> group : groups) {
      List<Method> getters = new ArrayList<>();
      for (Method m : group.getDeclaredMethods()) {
        if (m.getParameterCount() == 0 && m.isAnnotationPresent(Description.class)) {
          getters.add(m);
        }
      }
      if (getters.isEmpty()) {
        continue;
      }
      getters.sort(Comparator.comparing(Method::getName));
      out.println();
      out.println(title(group) + ":");
      for (Method m : getters) {
        String def = property(m).equals("domain") ? pipeline.defaultDomain() : defaultOf(m);
        printOption(out, property(m), def, m.getAnnotation(Description.class).value());
      }
    }
    out.println();
    out.println("Runner options (the common ones):");
    List<String> ownDefaults = RunnerDefaults.apply(List.of(), pipeline.name());
    ownDefaults.removeAll(RunnerDefaults.apply(List.of()));
    for (String[] o : RUNNER_OPTIONS) {
      printOption(out, o[0], pipelineDefault(ownDefaults, o[0], o[1]), o[2]);
    }
    out.println();
    out.println("Durations accept 500ms, 90s, 10m, 2h, 1d or ISO-8601 (PT10M).");
    out.println("Sources and sinks: ./meshflow endpoints");
    out.println("All of a runner's own options: --help=DirectOptions, --help=FlinkPipelineOptions or"
        + " --help=SparkPipelineOptions (with the matching --runner).");
  }

  /** A launcher default this pipeline sets for itself (micro-batch-load's one Direct worker). */
  private static String pipelineDefault(List<String> ownDefaults, String option, String general) {
    String own = RunnerDefaults.valueOf(ownDefaults, option);
    return own == null ? general : own + " (launcher, for this pipeline)";
  }

  private static void collect(Class<?> type, Set<Class<?>> groups) {
    for (Class<?> parent : type.getInterfaces()) {
      collect(parent, groups);
    }
    if (type.getName().startsWith("dev.meshflow.")) {
      groups.add(type);
    }
  }

  private static String title(Class<?> group) {
    String name = group.getSimpleName().replace("Options", "");
    return name.isEmpty() ? "Pipeline options" : name.replaceAll("([a-z])([A-Z])", "$1 $2") + " options";
  }

  private static void printOption(PrintStream out, String name, String def, String description) {
    out.println("  --" + name + "   (default: " + def + ")");
    out.println(wrap(description, "      "));
  }

  private static String property(Method getter) {
    String n = getter.getName().startsWith("is") ? getter.getName().substring(2)
        : getter.getName().substring(3);
    return Character.toLowerCase(n.charAt(0)) + n.substring(1);
  }

  private static String defaultOf(Method m) {
    if (m.isAnnotationPresent(Default.String.class)) {
      return m.getAnnotation(Default.String.class).value();
    }
    if (m.isAnnotationPresent(Default.Enum.class)) {
      return m.getAnnotation(Default.Enum.class).value();
    }
    if (m.isAnnotationPresent(Default.Integer.class)) {
      return String.valueOf(m.getAnnotation(Default.Integer.class).value());
    }
    if (m.isAnnotationPresent(Default.Long.class)) {
      return String.valueOf(m.getAnnotation(Default.Long.class).value());
    }
    if (m.isAnnotationPresent(Default.Boolean.class)) {
      return String.valueOf(m.getAnnotation(Default.Boolean.class).value());
    }
    if (m.isAnnotationPresent(Default.Double.class)) {
      return String.valueOf(m.getAnnotation(Default.Double.class).value());
    }
    return "none";
  }

  static String wrap(String text, String indent) {
    StringBuilder out = new StringBuilder();
    StringBuilder line = new StringBuilder(indent);
    for (String word : Arrays.asList(text.split("\\s+"))) {
      if (line.length() > indent.length() && line.length() + 1 + word.length() > WIDTH) {
        out.append(line).append('\n');
        line = new StringBuilder(indent);
      }
      if (line.length() > indent.length()) {
        line.append(' ');
      }
      line.append(word);
    }
    return out.append(line).toString();
  }
}
