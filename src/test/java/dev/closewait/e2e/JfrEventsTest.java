package dev.closewait.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.closewait.e2e.scenarios.LeakThenCloseOnRequest;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.closewait.e2e.E2eAssertions.assertAgentHealthy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The leak events in Java Flight Recorder, as a user sees them with {@code jfr print}. */
class JfrEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> aRecordingWithDefaultSettingsHasTheLeakAndItsLateClose() {
        return PerJdk.each(jdk -> {
            Path recording = TestPaths.workDir().resolve("jfr-jdk" + jdk.major() + ".jfr");
            Files.deleteIfExists(recording);
            try (ScenarioRun run = ScenarioRun.of(jdk, LeakThenCloseOnRequest.class)
                    .jvmOption("-XX:StartFlightRecording=filename=" + recording).start()) {
                run.awaitReady();
                JsonNode leak = run.report().await("leak", 1).get(0);
                run.child().send("close");
                run.child().awaitStdout(Pattern.compile("DONE close"), Waits.EVENT);
                run.report().await("closed", 1);
                run.exitCleanly(); // the recording is written at exit
                assertAgentHealthy(run);

                String printed = jfr(jdk, "print", "--events", "closewait.Leak", recording.toString());
                assertEquals(1, count(printed, "closewait.Leak {"), printed);
                assertTrue(printed.contains("id = " + leak.path("id").asLong()), printed);
                assertTrue(printed.contains("kind = \"eof-not-closed\""), printed);
                assertTrue(printed.contains("local = \"" + leak.path("local").asText() + "\""), printed);
                assertTrue(printed.contains("site = \"" + LeakThenCloseOnRequest.class.getName() + ".main("),
                        printed);
                assertTrue(printed.contains(LeakThenCloseOnRequest.class.getName() + ".main("), "allocation: "
                        + printed);

                JsonNode closed = JSON.readTree(jfr(jdk, "print", "--json", "--events", "closewait.LeakClosed",
                        recording.toString())).path("recording").path("events");
                assertEquals(1, closed.size(), closed.toString());
                JsonNode values = closed.get(0).path("values");
                assertEquals(leak.path("id").asLong(), values.path("id").asLong(), values.toString());
                assertEquals("closed", values.path("outcome").asText(), values.toString());
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> aRuntimeWithoutJfrStillGetsEveryReport() {
        return PerJdk.each(jdk -> {
            try (ScenarioRun run = ScenarioRun.of(jdk, LeakThenCloseOnRequest.class)
                    .jvmOption("--limit-modules").jvmOption("java.base,java.instrument,java.logging").start()) {
                run.awaitReady();
                run.report().await("leak", 1);
                run.exitCleanly();
                assertAgentHealthy(run);
                assertFalse(run.child().stderr().contains("jfr"), run.child().stderr());
            }
        });
    }

    private static String jfr(Jdk jdk, String... arguments) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(jdk.java().getParent().resolve("jfr").toString());
        command.addAll(List.of(arguments));
        Path out = Files.createTempFile(TestPaths.workDir(), "jfr-print", ".txt");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("jfr did not finish: " + command);
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    private static int count(String text, String fragment) {
        return text.split(Pattern.quote(fragment), -1).length - 1;
    }
}
