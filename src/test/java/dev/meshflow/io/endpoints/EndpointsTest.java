package dev.meshflow.io.endpoints;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.io.EndpointUri;
import org.junit.jupiter.api.Test;

public class EndpointsTest {
  private static String error(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }

  @Test
  public void unknownSchemesListWhatIsAccepted() {
    assertThat(error(() -> Endpoints.source("kafak://localhost/topic", false)),
        containsString("unknown scheme 'kafak'; accepted: generator, file, kafka, kinesis"));
    assertThat(error(() -> Endpoints.sink("mysql:db")),
        containsString("accepted: duckdb, postgresql, jdbc, kafka, file, console"));
    assertThat(error(() -> Endpoints.source("no-scheme", false)), containsString("has no scheme"));
  }

  @Test
  public void secretsNeverShowInMessages() {
    String message = error(() -> Endpoints.sink("postgresql://h:5432/db?user=u&password=hunter2&bogus=1"));
    assertThat(message, containsString("unknown parameter 'bogus'"));
    assertThat(message, not(containsString("hunter2")));
    assertThat(Endpoints.sink("postgresql://h:5432/db?user=u&password=hunter2").describe(),
        not(containsString("hunter2")));
    assertThat(error(() -> Endpoints.source("kafka://localhost:9092/t", false)),
        containsString("add --streaming"));
  }

  @Test
  public void aPasswordInUserInfoIsMaskedForShowingAndLeftOutForLooking() {
    String uri = "postgresql://u:hunter2@h:5432/db?user=u&password=s3cret";
    assertEquals("postgresql://u:***@h:5432/db?user=u&password=***", EndpointUri.redact(uri));
    assertEquals("postgresql://u@h:5432/db?user=u&password=s3cret", EndpointUri.withoutUserInfoPassword(uri));
    assertEquals("postgresql://h:5432/db",
        EndpointUri.withoutUserInfoPassword("postgresql://h:5432/db"), "a port is not a password");
    assertThat(Endpoints.sink(uri).lookCommand("SELECT 1"), not(containsString("hunter2")));
    assertThat(Endpoints.sink(uri).lookCommand("SELECT 1"), not(containsString("s3cret")));
  }

  @Test
  public void generatorParametersAreChecked() {
    assertThat(error(() -> Endpoints.source("generator:interactions?evnts=5", false)),
        containsString("unknown parameter 'evnts'"));
    assertThat(error(() -> Endpoints.source("generator:interactions?events=abc", false)),
        containsString("events=abc is not a whole number"));
    assertThat(error(() -> Endpoints.source("generator:interactions?events=10&late=1.5", false)),
        containsString("must be a fraction between 0 and 1"));
    assertThat(error(() -> Endpoints.source("generator:interactions", false)),
        containsString("needs --streaming"));
    assertThat(error(() -> Endpoints.source("generator:songs?events=1", false)),
        containsString("unknown generator 'songs'"));
    assertThat(error(() -> Endpoints.source("generator:interactions?events=1&start=noon", false)),
        containsString("not an ISO-8601 instant"));
  }

  @Test
  public void boundednessFollowsTheModeAndTheEventCount() {
    assertTrue(Endpoints.source("generator:interactions?events=10", false).isBounded());
    assertFalse(Endpoints.source("generator:interactions", true).isBounded());
  }

  @Test
  public void aMissingInputFileIsReportedBeforeTheRun() {
    assertThat(error(() -> Endpoints.source("file:/nonexistent/dir/*.jsonl", false)),
        containsString("no file matches /nonexistent/dir/*.jsonl"));
    // In streaming mode the folder is watched, so files may arrive later.
    assertTrue(!Endpoints.source("file:/nonexistent/dir/*.jsonl", true).isBounded());
  }

  @Test
  public void sinkUrisNeedALocation() {
    assertThat(error(() -> Endpoints.sink("duckdb:")), containsString("no file"));
    assertThat(error(() -> Endpoints.sink("duckdb:x.duckdb?mode=fast")),
        containsString("unknown parameter 'mode'"));
  }
}
