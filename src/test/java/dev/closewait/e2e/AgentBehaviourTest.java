package dev.closewait.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.closewait.e2e.scenarios.AcceptedSocketLeak;
import dev.closewait.e2e.scenarios.LeakThenCloseOnRequest;
import dev.closewait.e2e.scenarios.ReflectionProbe;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.closewait.e2e.E2eAssertions.assertAgentHealthy;
import static dev.closewait.e2e.E2eAssertions.expectLeaks;
import static dev.closewait.e2e.LeakExpectation.eofNotClosed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the agent behaves as a guest: where reports go, how it treats options, what it does after a report. */
class AgentBehaviourTest {

    private static final LeakExpectation ACCEPTED_SOCKET = eofNotClosed("java.net.Socket", "accepted");

    @TestFactory
    Stream<DynamicTest> reportsLandInTheApplicationsSlf4jLogging() {
        return PerJdk.each(jdk -> {
            ScenarioRun.Builder run = ScenarioRun.of(jdk, AcceptedSocketLeak.class);
            String stderr = runLeaky(run);
            // slf4j-simple's format: [thread] LEVEL logger - message
            assertTrue(stderr.contains("[closewait-detector] WARN closewait - Leaked socket #"), stderr);
        });
    }

    @TestFactory
    Stream<DynamicTest> reportsGoToStandardErrorWhenTheApplicationHasNoSlf4j() {
        return PerJdk.each(jdk -> {
            ScenarioRun.Builder run = ScenarioRun.of(jdk, AcceptedSocketLeak.class)
                    .classPath(TestPaths.classPathWithout("slf4j"));
            String stderr = runLeaky(run);
            assertTrue(Pattern.compile("(?m)^\\S+ WARN \\[closewait] Leaked socket #").matcher(stderr).find(), stderr);
            assertFalse(stderr.contains("SLF4J"), "the agent must not make SLF4J complain:\n" + stderr);
        });
    }

    @TestFactory
    Stream<DynamicTest> badOptionsAreNamedWithTheirAllowedValuesAndTheApplicationRunsOn() {
        return PerJdk.each(jdk -> {
            ScenarioRun.Builder run = ScenarioRun.of(jdk, AcceptedSocketLeak.class)
                    .agentOptions("grace=1s,stack-depth=abc,bogus=1,log=loud");
            String stderr = runLeaky(run);
            assertTrue(stderr.contains("closewait: option 'stack-depth' has invalid value 'abc': expected a whole "
                    + "number from 1 to 1024; using 40."), stderr);
            assertTrue(stderr.contains("closewait: unknown option 'bogus' ignored; allowed options: grace, report, "
                    + "report-max-size, stack-depth, stack-sample, include, exclude, log, kernel, metrics-port, "
                    + "metrics-host, metrics-sites."), stderr);
            assertTrue(stderr.contains("closewait: option 'log' has invalid value 'loud': expected auto, stderr or "
                    + "off; using auto."), stderr);
        });
    }

    @TestFactory
    Stream<DynamicTest> optionsAlsoComeFromSystemPropertiesAndTheEnvironment() {
        return PerJdk.each(jdk -> {
            ScenarioRun.Builder run = ScenarioRun.of(jdk, AcceptedSocketLeak.class)
                    .agentOptions("")
                    .jvmOption("-Dclosewait.grace=1s")
                    .environment("CLOSEWAIT_STACK_DEPTH", "2");
            List<JsonNode> leaks = expectLeaks(run.jvmOption("-Dclosewait.include=dev.closewait.e2e"),
                    AcceptedSocketLeak.class, ACCEPTED_SOCKET);
            for (JsonNode leak : leaks) {
                // In full: ServerSocket.accept, the scenario's accept loop, Thread.run.
                assertEquals(2, leak.path("allocation").size(), leak.toString());
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> aLeakClosedAfterItsReportIsLoggedAsClosedWithTheSameId() {
        return PerJdk.each(jdk -> {
            try (ScenarioRun run = ScenarioRun.of(jdk, LeakThenCloseOnRequest.class).start()) {
                run.awaitReady();
                List<JsonNode> leaks = run.report().await("leak", 1);
                assertEquals(1, leaks.size(), run.child().stderr());
                run.child().send("close");
                run.child().awaitStdout(Pattern.compile("DONE close"), Waits.EVENT);
                List<JsonNode> closed = run.report().await("closed", 1);
                assertEquals(1, closed.size(), run.child().stderr());
                assertEquals(leaks.get(0).path("id"), closed.get(0).path("id"));
                assertEquals("main", closed.get(0).path("thread").asText());
                assertTrue(run.child().stderr().contains("INFO closewait - Previously reported leaked socket #"
                        + leaks.get(0).path("id").asLong() + " (eof-not-closed"), run.child().stderr());
                run.exitCleanly();
                assertAgentHealthy(run);
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> leaksFromExcludedOrNotIncludedCodeAreNotReported() {
        return PerJdk.each(jdk -> {
            for (String filter : List.of("exclude=dev.closewait.e2e.scenarios.AcceptedSocketLeak",
                    "include=com.example.elsewhere")) {
                try (ScenarioRun run = ScenarioRun.of(jdk, AcceptedSocketLeak.class)
                        .agentOptions("grace=1s," + filter).start()) {
                    ScenarioRun.Ready ready = run.awaitReady();
                    run.report().staysEmpty(run.agentGrace().multipliedBy(5).dividedBy(2), () -> filter);
                    assertEquals(2, Kernel.closeWait(ready.port()).size(), "the leaks are real: " + filter);
                    run.exitCleanly();
                    assertEquals(List.of(), run.report().events(), "nor at exit: " + filter);
                    assertAgentHealthy(run);
                }
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> loadingTheAgentTwiceInstallsItOnce() {
        return PerJdk.each(jdk -> {
            ScenarioRun.Builder run = ScenarioRun.of(jdk, AcceptedSocketLeak.class)
                    .jvmOption("-javaagent:" + TestPaths.agentJar() + "=grace=1s");
            String stderr = runLeaky(run);
            assertEquals(1, count(stderr, "closewait: watching sockets"), stderr);
            assertEquals(1, count(stderr, "closewait: the agent is already installed in this JVM"), stderr);
        });
    }

    @TestFactory
    Stream<DynamicTest> theApplicationsReflectionBehavesAsWithoutTheAgent() {
        return PerJdk.each(jdk -> {
            List<String> withAgent = probes(ScenarioRun.of(jdk, ReflectionProbe.class));
            List<String> withoutAgent = probes(ScenarioRun.of(jdk, ReflectionProbe.class).withoutAgent());
            assertEquals(withoutAgent.subList(0, 5), withAgent.subList(0, 5));
            assertTrue(withoutAgent.get(0).endsWith("denied"), withoutAgent.toString());
            assertEquals("PROBE dev.closewait.bootstrap.JdkFields reads listed fields, refuses others",
                    withAgent.get(5));
        });
    }

    private static List<String> probes(ScenarioRun.Builder builder) throws Exception {
        try (ScenarioRun run = builder.start()) {
            run.awaitReady();
            List<String> probes = run.child().stdout().lines().filter(line -> line.startsWith("PROBE ")).toList();
            run.exitCleanly();
            return probes;
        }
    }

    /** Runs the two-leak scenario with the full kernel comparison and returns the child's stderr. */
    private static String runLeaky(ScenarioRun.Builder run) throws Exception {
        StderrCapture capture = new StderrCapture();
        expectLeaks(run, AcceptedSocketLeak.class, ACCEPTED_SOCKET, capture);
        return capture.stderr;
    }

    private static int count(String text, String fragment) {
        return text.split(Pattern.quote(fragment), -1).length - 1;
    }
}
