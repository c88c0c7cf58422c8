package dev.closewait.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.closewait.e2e.scenarios.AcceptedSocketLeak;
import dev.closewait.e2e.scenarios.BootPathProbe;
import dev.closewait.e2e.scenarios.LeakBeforeAgentStarted;
import dev.closewait.e2e.scenarios.LeakThenCloseOnRequest;
import dev.closewait.e2e.scenarios.ReflectionProbe;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
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
            // slf4j-simple's format: [thread] LEVEL logger - message; the log sink writes on a thread of its own
            assertTrue(Pattern.compile("(?m)^\\[closewait-report-log\\] WARN closewait - .*Leaked socket #\\d+")
                    .matcher(stderr).find(), stderr);
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
            // The list grows with the options; it names them all, these among them, in one line.
            Matcher unknown = Pattern.compile("(?m)^closewait: unknown option 'bogus' ignored; allowed options: "
                    + "grace, report, ([a-z-]+(, [a-z-]+)*)\\.$").matcher(stderr);
            assertTrue(unknown.find(), stderr);
            assertTrue(List.of(unknown.group(1).split(", ")).containsAll(List.of("report-max-size", "stack-depth",
                    "include", "exclude", "log", "kernel", "metrics-port")), unknown.group());
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
                // The log sink writes on a thread of its own: the JSON line can come first.
                run.child().awaitStderr("INFO closewait - Previously reported leaked socket #"
                        + leaks.get(0).path("id").asLong() + " (eof-not-closed", 1, Waits.EVENT);
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

    /** The hooks and the tracker are in place before main: a socket leaked first thing in main is reported. */
    @TestFactory
    Stream<DynamicTest> aSocketLeakedFirstThingInMainIsReported() {
        return PerJdk.each(jdk -> {
            expectLeaks(ScenarioRun.of(jdk, LeakBeforeAgentStarted.class), LeakBeforeAgentStarted.class,
                    ACCEPTED_SOCKET);
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
            List<String> withAgent = probes(ScenarioRun.of(jdk, ReflectionProbe.class), "PROBE ");
            List<String> withoutAgent = probes(ScenarioRun.of(jdk, ReflectionProbe.class).withoutAgent(), "PROBE ");
            assertEquals(withoutAgent.subList(0, 6), withAgent.subList(0, 6));
            assertTrue(withoutAgent.get(0).endsWith("denied"), withoutAgent.toString());
            // The agent's own accessor, as the application's class path has it, has no rights either.
            assertEquals("PROBE dev.closewait.bootstrap.JdkFields refuses listed fields, refuses others",
                    withAgent.get(6));
            // The hooks class the agent defines in java.base cannot be called by the application.
            assertEquals(List.of("HOOKS not callable"),
                    probes(ScenarioRun.of(jdk, ReflectionProbe.class), "HOOKS "));
        });
    }

    @TestFactory
    Stream<DynamicTest> codeOnTheBootClassPathGainsNoReflectionWithTheAgent() {
        return PerJdk.each(jdk -> {
            Path bootJar = TestPaths.workDir().resolve("boot-path-probe-" + jdk.major() + ".jar");
            writeJar(bootJar, BootPathProbe.class);
            String bootPath = "-Xbootclasspath/a:" + bootJar;
            List<String> withAgent = probes(ScenarioRun.of(jdk, ReflectionProbe.class).jvmOption(bootPath)
                    .argument("boot"), "BOOT ");
            List<String> withoutAgent = probes(ScenarioRun.of(jdk, ReflectionProbe.class).jvmOption(bootPath)
                    .argument("boot").withoutAgent(), "BOOT ");
            assertEquals("BOOT loader=boot", withoutAgent.get(0), withoutAgent.toString());
            assertEquals(7, withoutAgent.size(), withoutAgent.toString());
            assertEquals(withoutAgent, withAgent);
            assertTrue(withAgent.stream().skip(1).allMatch(line -> line.endsWith(" denied")), withAgent.toString());
        });
    }

    /** A jar holding just this class, for the bootstrap class path. */
    private static void writeJar(Path jar, Class<?> type) throws Exception {
        String entry = type.getName().replace('.', '/') + ".class";
        Files.createDirectories(jar.getParent());
        try (InputStream in = type.getClassLoader().getResourceAsStream(entry);
             JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
    }

    private static List<String> probes(ScenarioRun.Builder builder, String prefix) throws Exception {
        try (ScenarioRun run = builder.start()) {
            run.awaitReady();
            List<String> probes = run.child().stdout().lines().filter(line -> line.startsWith(prefix)).toList();
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
