package dev.meshflow.options;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Who a run acts for in the mesh: its consumer domain, whose grants decide what it may read. */
public interface GovernanceOptions extends PipelineOptions {

  @Description("The consumer domain this run acts for (analytics, ml, operations, ...). It may read"
      + " a mesh:// product only if it owns it or holds an active grant; PII arrives raw only"
      + " under a PII grant. Default: the pipeline's own, shown in its --help."
      + " `./meshflow access list` shows the grants.")
  String getDomain();

  void setDomain(String value);
}
