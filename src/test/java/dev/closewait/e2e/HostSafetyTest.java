package dev.closewait.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.closewait.e2e.scenarios.AcceptedSocketLeak;
import dev.closewait.e2e.scenarios.CloseRacesEof;
import dev.closewait.e2e.scenarios.FailingHooksWorkload;
import dev.closewait.e2e.scenarios.LeakFlood;
import dev.closewait.e2e.scenarios.LoggingThroughLeakySockets;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.closewait.e2e.E2eAssertions.expectNoLeaks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent never harms its host: faults inside it, floods, hostile settings and racing threads. */
class HostSafetyTest {

    @TestFactory
    Stream<DynamicTest> failingHooksNeverReachTheApplicationAndTheAgentTurnsItselfOffEntirely() {
        return PerJdk.each(jdk -> {
            for (String failure : List.of("exception", "oom", "stackoverflow")) {
                int port = TestPorts.freePort();
                try (ScenarioRun run = ScenarioRun.of(jdk, FailingHooksWorkload.class).argument(failure)
                        .argument(String.valueOf(port))
                        .jvmOption("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED")
                        .agentOptions("grace=1s,metrics-port=" + port).start()) {
                    run.awaitReady();
                    String stderr = run.child().awaitStderr("closewait: turned itself off after 1000 internal errors",
                            1, Waits.EVENT);
                    assertTrue(run.child().stdout().contains("ECHOES OK 400"), failure + ": " + run.child().stdout());
                    assertEquals(1, count(stderr, "closewait: internal error in socket hook"), failure + ":\n" + stderr);
                    assertEquals(1, count(stderr, "closewait: turned itself off after 1000 internal errors"),
                            failure + ":\n" + stderr);
                    assertTrue(stderr.contains("closewait: serving metrics at http://127.0.0.1:" + port), stderr);
                    // Off means off: no agent thread left, and the metrics endpoint no longer answers.
                    run.child().send("threads");
                    Matcher threads = run.child().awaitStdout(Pattern.compile("THREADS (.*)"), Waits.EVENT);
                    assertEquals("", threads.group(1), failure + ": agent threads still running\n" + stderr);
                    assertThrows(ConnectException.class,
                            () -> new Socket(InetAddress.getLoopbackAddress(), port).close(),
                            failure + ": the metrics endpoint still listens on " + port);
                    run.exitCleanly();
                }
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> aReportSinkThatFailsIsCountedLoggedOnceAndTheOthersReportOn() {
        // Before the leaks are due, the JSON report file is replaced by a directory: the sink notices the file is gone,
        // cannot open the path again, and fails on every event from then on.
        return PerJdk.each(jdk -> {
            try (ScenarioRun run = ScenarioRun.of(jdk, AcceptedSocketLeak.class).agentOptions("grace=5s").start()) {
                run.awaitReady();
                run.agentGrace(); // the start line: the sinks are open by then
                java.nio.file.Path report = run.report().file();
                java.nio.file.Files.deleteIfExists(report);
                java.nio.file.Files.createDirectory(report);
                String where = "closewait: internal error in report to json";
                run.child().awaitStderr("Leaked socket #", 2, Waits.EVENT);
                run.child().awaitStderr(where, 1, Waits.EVENT);
                String stderr = Waits.holds(run.child()::stderr, err -> count(err, where) == 1
                        && count(err, "Leaked socket #") == 2, run.agentGrace(), () -> where);
                assertEquals(1, count(stderr, where), stderr);
                run.exitCleanly();
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> aFloodOfLeaksIsLoggedBrieflyAndKeptWholeInTheJsonReport() {
        return PerJdk.each(jdk -> {
            try (ScenarioRun run = ScenarioRun.of(jdk, LeakFlood.class).argument("2000").start()) {
                run.awaitReady();
                List<JsonNode> leaks = run.report().await("leak", 2000, Duration.ofSeconds(120));
                assertEquals(2000, leaks.size(), "every leak in the JSON report");
                run.exitCleanly();
                String stderr = run.child().stderr();
                int logged = count(stderr, "WARN closewait - Leaked socket #");
                long summed = 0;
                int summaries = 0;
                Matcher more = Pattern.compile("([\\d,]+) more like #\\d+").matcher(stderr);
                while (more.find()) {
                    summed += Long.parseLong(more.group(1).replace(",", ""));
                    summaries++;
                }
                assertEquals(2000, logged + summed, "the rest summed up:\n" + tail(stderr));
                // Two allocation sites, 10 lines each per one-minute window, then one summary line per site. On a
                // loaded machine the flood may straddle a window: each further window adds at most 10 per site.
                if (summaries == 2) {
                    assertEquals(20, logged, "10 leaks logged one by one per site:\n" + tail(stderr));
                } else {
                    assertTrue(summaries > 2 && logged >= 20 && logged <= 10 * summaries + 20,
                            logged + " logged one by one, " + summaries + " summaries:\n" + tail(stderr));
                }
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> reportsWrittenThroughALeakySocketAppenderNeverLoop() {
        return PerJdk.each(jdk -> {
            try (ScenarioRun run = ScenarioRun.of(jdk, LoggingThroughLeakySockets.class)
                    .classPath(TestPaths.classPathWithout("slf4j")).start()) {
                run.awaitReady();
                run.report().await("leak", 2);
                // The appender's own sockets read EOF as the reports go out: grace later they would be due too.
                List<JsonNode> leaks = run.report().holdsAtMost("leak", 2, run.agentGrace().multipliedBy(3),
                        run.child()::stderr);
                String context = leaks + "\n" + run.child().stderr();
                assertEquals(2, leaks.size(), "only the application's two leaks, never the appender's: " + context);
                assertEquals(2, count(run.child().stderr(), "] Leaked socket #"), context);
                run.exitCleanly();
                assertEquals(2, run.report().leaks().size(), "nor at exit: " + run.report().leaks());
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> closesRacingEofAcrossThreadsNeverProduceAReport() {
        return PerJdk.each(jdk -> expectNoLeaks(ScenarioRun.of(jdk, CloseRacesEof.class)));
    }

    @TestFactory
    Stream<DynamicTest> anUnwritableReportPathIsNamedAndTheApplicationRunsOn() {
        return PerJdk.each(jdk -> {
            try (ScenarioRun run = ScenarioRun.of(jdk, AcceptedSocketLeak.class).withoutReportFile()
                    .agentOptions("grace=1s,report=/proc/self/closewait/leaks.jsonl").start()) {
                run.awaitReady();
                String stderr = run.child().awaitStderr("Leaked socket #", 2, Waits.EVENT);
                assertTrue(stderr.contains("closewait: option 'report' names a file that cannot be written "
                        + "(/proc/self/closewait/leaks.jsonl"), stderr);
                assertEquals(2, count(stderr, "Leaked socket #"), "the log still reports:\n" + stderr);
                run.exitCleanly();
            }
        });
    }

    private static int count(String text, String fragment) {
        return ChildJvm.occurrences(text, fragment);
    }

    private static String tail(String text) {
        return text.length() > 3000 ? text.substring(text.length() - 3000) : text;
    }
}
