package dev.closewait.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.closewait.e2e.scenarios.AcceptedSocketLeak;
import dev.closewait.e2e.scenarios.LoneSurrogateThreadName;
import dev.closewait.e2e.scenarios.PrintsInstalledMark;
import dev.closewait.e2e.scenarios.ReplacedStderrLeak;
import dev.closewait.e2e.scenarios.ReplacesSystemProperties;
import dev.closewait.e2e.scenarios.SecurityManagerLeak;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.closewait.e2e.E2eAssertions.expectLeaks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A host that is hostile, by accident or on purpose: a report path naming a pipe, thread names with lone surrogates
 * and escape sequences, replaced system properties, an unwritable temporary directory. Cases of issue 12; see
 * docs/robustness.md.
 */
class HostileHostTest {

    /** Sockets, threads, properties and files for every class on the class path, and nothing else. */
    private static final String STRICT_POLICY = """
            grant {
              permission java.net.SocketPermission "*", "connect,accept,listen,resolve";
              permission java.lang.RuntimePermission "setSecurityManager";
              permission java.lang.RuntimePermission "modifyThread";
              permission java.lang.RuntimePermission "exitVM.*";
              permission java.util.PropertyPermission "*", "read";
              permission java.io.FilePermission "<<ALL FILES>>", "read,write";
            };
            """;

    /**
     * An application that installs a security manager as main begins, its code granted no class loader and no
     * reflection: the agent's start, threads and hooks run on, and the leaks are reported as without one. Before,
     * the start thread died with an uncaught AccessControlException and its stack trace. Only on the JDKs that still
     * let an application install one: JDK 24 disabled the security manager for good (JEP 486).
     */
    @TestFactory
    Stream<DynamicTest> anApplicationThatInstallsASecurityManagerStillHasItsLeaksReported() {
        return PerJdk.on(Jdks.all().stream().filter(jdk -> jdk.major() < 24).toList(), jdk -> {
            Path policy = TestPaths.workDir().resolve("strict-jdk" + jdk.major() + ".policy");
            Files.createDirectories(policy.getParent());
            Files.writeString(policy, STRICT_POLICY);
            try (ScenarioRun run = ScenarioRun.of(jdk, SecurityManagerLeak.class)
                    .jvmOption("-Djava.security.manager=allow").jvmOption("-Djava.security.policy=" + policy)
                    .agentOptions("grace=1s").start()) {
                run.awaitReady();
                List<JsonNode> leaks = run.report().await("leak", 2, Duration.ofSeconds(20));
                assertEquals(List.of("eof-not-closed", "eof-not-closed"),
                        leaks.stream().map(leak -> leak.path("kind").asText()).toList());
                assertEquals(List.of("client", "client"), leaks.stream().map(leak -> leak.path("role").asText())
                        .toList());
                run.exitCleanly();
                String stderr = run.child().stderr();
                assertFalse(stderr.contains("Exception"), stderr);
                assertFalse(stderr.contains("internal error"), stderr);
                assertFalse(stderr.contains("could not start"), stderr);
            }
        });
    }

    /**
     * A System.err that throws or blocks, installed first thing in main, neither stops the agent's start nor silences
     * its start line: before 2026-12-01 a throwing one left the agent without threads or reports (a review).
     */
    @TestFactory
    Stream<DynamicTest> anApplicationThatReplacesSystemErrWithAThrowingOrBlockingStreamStillHasItsLeaksReported() {
        return PerJdk.each(jdk -> {
            for (String mode : List.of("throw", "block")) {
                StderrCapture stderr = new StderrCapture();
                // Without SLF4J: the reports go to standard error too, and must reach the stream the JVM started with.
                expectLeaks(ScenarioRun.of(jdk, ReplacedStderrLeak.class).argument(mode).agentOptions("grace=1s")
                                .classPath(TestPaths.classPathWithout("slf4j")),
                        AcceptedSocketLeak.class, LeakExpectation.eofNotClosed("java.net.Socket", "accepted"), stderr);
                assertTrue(stderr.stderr.contains("closewait: watching sockets"),
                        mode + ": the start line, on the stream the JVM started with:\n" + stderr.stderr);
                if (mode.equals("throw")) {
                    assertTrue(stderr.stderr.contains("WARN [closewait] Leaked socket"),
                            "reports too, once the application's stream refused them:\n" + stderr.stderr);
                }
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> aReportPathNamingAPipeIsRefusedAtOnceAndMainRuns() {
        return PerJdk.each(jdk -> {
            Path fifo = TestPaths.workDir().resolve("report-fifo-jdk" + jdk.major());
            Files.deleteIfExists(fifo);
            Files.createDirectories(fifo.getParent());
            assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
            try (ScenarioRun run = ScenarioRun.of(jdk, AcceptedSocketLeak.class).withoutReportFile()
                    .agentOptions("grace=1s,report=" + fifo).start()) {
                run.awaitReady(); // before the fix: never, the JVM waited in open() for a reader
                String stderr = run.child().stderr();
                assertTrue(stderr.contains("closewait: option 'report' is refused: " + fifo
                        + " is a named pipe (FIFO), not a regular file"), stderr);
                run.exitCleanly();
            } finally {
                Files.deleteIfExists(fifo);
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> hostileThreadNamesGiveThreeValidJsonLinesAndNoForgedLogLines() {
        return PerJdk.each(jdk -> {
            try (ScenarioRun run = ScenarioRun.of(jdk, LoneSurrogateThreadName.class)
                    .classPath(TestPaths.classPathWithout("slf4j")).start()) {
                run.awaitReady();
                List<JsonNode> leaks = run.report().await("leak", 3, Duration.ofSeconds(20));
                run.exitCleanly();
                List<String> lines = Files.readAllLines(run.report().file());
                assertEquals(3, lines.size(), String.join("\n", lines) + "\n" + run.child().stderr());
                assertEquals(3, run.report().leaks().size(), "every line valid JSON");
                assertEquals(Stream.of("handler-before", "handler-\uFFFD", "handler-\u001b[31mred\nWARN forged").sorted()
                        .toList(), leaks.stream().map(leak -> leak.path("thread").asText()).sorted().toList());
                String stderr = run.child().stderr();
                assertFalse(stderr.contains("\u001b"), "no escape sequence reaches standard error:\n" + stderr);
                assertFalse(Pattern.compile("^WARN forged", Pattern.MULTILINE).matcher(stderr).find(), stderr);
                // Escaped in place, whichever escape the text uses for the newline and the lone surrogate.
                assertTrue(Pattern.compile("thread \"handler-\\\\u001b\\[31mred\\\\nWARN forged\"")
                        .matcher(stderr).find(), stderr);
                assertTrue(Pattern.compile("thread \"handler-\uFFFD\"").matcher(stderr).find(), stderr);
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> aSecondAttachIsRefusedAfterTheApplicationReplacedItsSystemProperties() {
        return PerJdk.each(jdk -> {
            try (ScenarioRun run = ScenarioRun.of(jdk, ReplacesSystemProperties.class).start()) {
                run.awaitReady();
                assertTrue(run.child().stdout().contains("PROPERTIES REPLACED installed=null"), run.child().stdout());
                Cli attach = Cli.run(jdk, run.workDir(), "attach", Long.toString(run.child().pid()), "grace=1s");
                String targetErr = run.child().stderr();
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (!targetErr.contains("already installed") && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                    targetErr = run.child().stderr();
                }
                assertEquals(1, count(targetErr, "closewait: watching sockets"), attach + "\n" + targetErr);
                assertEquals(1, count(targetErr, "closewait: the agent is already installed in this JVM; this second "
                        + "load is ignored."), attach + "\n" + targetErr);
                run.exitCleanly();
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> anUnwritableTempDirectoryIsSaidInOneLineAndTheAgentStillWatches() {
        return PerJdk.each(jdk -> {
            try (ScenarioRun run = ScenarioRun.of(jdk, PrintsInstalledMark.class)
                    .jvmOption("-Djava.io.tmpdir=/proc/self/closewait-no-such-dir").start()) {
                run.awaitReady();
                run.child().awaitStderr("closewait: the report and status commands cannot reach this JVM", 1,
                        Waits.EVENT); // the start runs in the background, after main began
                String stderr = run.child().stderr();
                assertEquals(1, count(stderr, "closewait: watching sockets"), stderr);
                assertEquals(1, count(stderr, "closewait: the report and status commands cannot reach this JVM: "
                        + "cannot create a private directory in /proc/self/closewait-no-such-dir"), stderr);
                assertTrue(run.child().stdout().contains("MAIN installed=true"), "installed, and says so: "
                        + run.child().stdout());
                run.exitCleanly();
            }
        });
    }

    private static int count(String text, String fragment) {
        return text.split(Pattern.quote(fragment), -1).length - 1;
    }
}
