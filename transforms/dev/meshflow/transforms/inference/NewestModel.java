package dev.meshflow.transforms.inference;

import java.util.List;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Latest;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * Turns listings of a model directory into the side input {@link RunInference#watching} reads:
 * the newest model file by name. Model files are named {@code <prefix><id><suffix>} with ids that
 * sort in publishing order (a window end, say) and are never reused, so the newest name is the
 * newest model and a cached id never goes stale.
 */
public final class NewestModel extends PTransform<PCollection<List<String>>, PCollectionView<ModelRef>> {
  private final String suffix;

  private NewestModel(String suffix) {
    this.suffix = suffix;
  }

  /** @param suffix what model file names end with, {@code .onnx} say; other files are ignored */
  public static NewestModel endingWith(String suffix) {
    return new NewestModel(suffix);
  }

  /** The newest model among {@code paths}, or null when there is none. */
  public static ModelRef newest(List<String> paths, String suffix) {
    String best = null;
    for (String path : paths) {
      if (path.endsWith(suffix) && (best == null || fileName(path).compareTo(fileName(best)) > 0)) {
        best = path;
      }
    }
    if (best == null) {
      return null;
    }
    String name = fileName(best);
    return ModelRef.of(name.substring(0, name.length() - suffix.length()), best);
  }

  private static String fileName(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  @Override
  public PCollectionView<ModelRef> expand(PCollection<List<String>> listings) {
    String s = suffix;
    return listings
        // A listing without a model keeps the previous one; the job checks one exists at start.
        .apply("HasModel", Filter.by(paths -> newest(paths, s) != null))
        .apply("NewestByName", MapElements.into(TypeDescriptor.of(ModelRef.class)).via(paths -> newest(paths, s)))
        .apply("LatestListing", Latest.globally())
        // The default only shows in an empty pane (as the global window closes at the end of a run).
        .apply("ModelView", View.<ModelRef>asSingleton().withDefaultValue(ModelRef.none()));
  }
}
