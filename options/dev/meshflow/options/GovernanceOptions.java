package dev.meshflow.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Who a run acts for in the mesh (its consumer domain, whose grants decide what it may read), and
 * where its lineage goes.
 */
public interface GovernanceOptions extends PipelineOptions {

  @Description("The consumer domain this run acts for (analytics, ml, operations, ...). It may read"
      + " a mesh:// product only if it owns it or holds an active grant; PII arrives raw only"
      + " under a PII grant. Default: the pipeline's own, shown in its --help."
      + " `./meshflow access list` shows the grants.")
  String getDomain();

  void setDomain(String value);

  @Description("File that receives the run's OpenLineage events (START, then COMPLETE, ABORT or FAIL), one"
      + " JSON object per line; `./meshflow lineage TABLE` reads them. Default: lineage.jsonl next to a"
      + " DuckDB warehouse, otherwise warehouse/lineage.jsonl.")
  String getLineageFile();

  void setLineageFile(String value);

  @Description("Also send the run's OpenLineage events over HTTP to this backend (Marquez or any other):"
      + " POST <url>/api/v1/lineage. A backend that does not answer costs a warning, never the run.")
  @Default.String("")
  String getLineageUrl();

  void setLineageUrl(String value);
}
