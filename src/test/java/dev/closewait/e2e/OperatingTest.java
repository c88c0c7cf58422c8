package dev.closewait.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.closewait.e2e.scenarios.AcceptedSocketLeak;
import dev.closewait.e2e.scenarios.LeakBeforeAndAfterAttach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an operator meets: attach's verdict, status, list, report's ages, the off switch, JDK tools. */
class OperatingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> attachSaysWhatItRejectedAndStatusListAndReportDescribeTheRunningAgent() {
        return PerJdk.each(jdk -> {
            try (ScenarioRun run = ScenarioRun.of(jdk, LeakBeforeAndAfterAttach.class).withoutAgent().start()) {
                run.awaitReady();
                long pid = run.child().pid();
                Path report = run.workDir().resolve("attached-report.jsonl");

                Cli attach = Cli.run(jdk, run.workDir(), "attach", Long.toString(pid),
                        "grace=1s,stack-depth=abc,bogus=1,report=" + report);
                assertEquals(1, attach.status(), "a rejected option fails the command: " + attach);
                assertTrue(attach.stdout().contains("attached to process " + pid), attach.toString());
                assertTrue(Pattern.compile("(?m)^  grace +1s +agent argument$").matcher(attach.stdout()).find(),
                        attach.toString());
                assertTrue(Pattern.compile("(?m)^  stack-depth +40 +default$").matcher(attach.stdout()).find(),
                        attach.toString());
                assertTrue(attach.stderr().contains("rejected: closewait: option 'stack-depth' has invalid value "
                        + "'abc'"), attach.toString());
                assertTrue(attach.stderr().contains("rejected: closewait: unknown option 'bogus' ignored"),
                        attach.toString());

                JsonReport events = new JsonReport(report);
                events.await("leak", 2, Duration.ofSeconds(20));
                run.child().send("leak");
                run.child().awaitStdout(Pattern.compile("DONE leak"), Duration.ofSeconds(10));
                events.await("leak", 5, Duration.ofSeconds(20));

                Cli list = Cli.run(jdk, run.workDir(), "list");
                assertEquals(0, list.status(), list.toString());
                assertTrue(Pattern.compile("(?m)^" + pid + " +yes +dev\\.closewait\\.e2e\\.scenarios\\."
                        + "LeakBeforeAndAfterAttach$").matcher(list.stdout()).find(), list.toString());
                list.stdout().lines().forEach(line -> assertTrue(line.length() <= 8 + 1 + 9 + 1 + 80, line));

                Cli status = Cli.run(jdk, run.workDir(), "status", Long.toString(pid));
                assertEquals(0, status.status(), status.toString());
                String text = status.stdout();
                assertTrue(text.startsWith("closewait 0.1.0-SNAPSHOT in process " + pid + " (Java "), text);
                assertTrue(text.contains("attached at"), text);
                assertTrue(Pattern.compile("(?m)^  grace +1s +agent argument$").matcher(text).find(), text);
                assertTrue(text.contains("'stack-depth' has invalid value 'abc'"), text);
                assertTrue(text.contains("Kernel view: on: polls each tracked socket"), text);
                assertTrue(Pattern.compile("(?m)^  leaked +5 ").matcher(text).find(), text);
                assertTrue(Pattern.compile("(?m)^  reported +5 ").matcher(text).find(), text);
                assertTrue(Pattern.compile("(?m)^  closed after report +0$").matcher(text).find(), text);
                assertTrue(text.contains("JSON report  " + report + ", "), text);
                assertTrue(text.contains("Errors: 0"), text);

                // Ages at the time of asking: the same sockets, asked twice, have aged by the time between.
                Map<String, Long> first = openFor(Cli.run(jdk, run.workDir(), "--json", "report", Long.toString(pid)));
                long between = System.nanoTime();
                Thread.sleep(1500);
                Map<String, Long> second = openFor(Cli.run(jdk, run.workDir(), "report", Long.toString(pid),
                        "--json"));
                long slept = (System.nanoTime() - between) / 1_000_000L;
                assertEquals(first.keySet(), second.keySet());
                assertEquals(2, first.size(), "tracked leaks have an opening time: " + first);
                for (String socket : first.keySet()) {
                    long aged = second.get(socket) - first.get(socket);
                    assertTrue(aged >= 1400 && aged <= slept + 20_000, socket + " aged " + aged + " ms");
                }
                run.exitCleanly();
                assertFalse(run.child().stderr().contains("internal error"), run.child().stderr());
            }
        });
    }

    /** {@code openForMs} of each suspect with a known opening time, by its local and remote address. */
    private static Map<String, Long> openFor(Cli report) throws Exception {
        assertEquals(0, report.status(), report.toString());
        Map<String, Long> ages = new TreeMap<>();
        for (String line : report.stdout().lines().toList()) {
            JsonNode suspect = JSON.readTree(line);
            assertEquals("suspect", suspect.path("event").asText(), line);
            if (suspect.path("openForMs").asLong() >= 0) {
                ages.put(suspect.path("local").asText() + " " + suspect.path("remote").asText(),
                        suspect.path("openForMs").asLong());
            }
        }
        return ages;
    }

    @TestFactory
    Stream<DynamicTest> enabledFalseInstallsNothingAndSaysSoInOneLine() {
        return PerJdk.each(jdk -> {
            try (ScenarioRun run = ScenarioRun.of(jdk, AcceptedSocketLeak.class)
                    .environment("CLOSEWAIT_ENABLED", "false").start()) {
                ScenarioRun.Ready ready = run.awaitReady();
                assertTrue(ready.leaks() > 0);
                Thread.sleep(2500); // grace is 1s: an agent would have reported by now
                String stderr = run.child().stderr();
                assertEquals(List.of("closewait: disabled by enabled=false (environment CLOSEWAIT_ENABLED); "
                        + "nothing installed."), stderr.lines().toList(), stderr);
                assertFalse(Files.exists(run.report().file()), "no JSON report is even opened");

                Cli status = Cli.run(jdk, run.workDir(), "status", Long.toString(run.child().pid()));
                assertEquals(1, status.status(), status.toString());
                assertTrue(status.stderr().contains("closewait is not running in process"), status.toString());
                run.exitCleanly();
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> jdkToolsAndItsOwnCommandLineStayFreeOfTheAgentFromJavaToolOptions() {
        return PerJdk.each(jdk -> {
            Path work = TestPaths.workDir().resolve("tool-options-jdk" + jdk.major());
            Files.createDirectories(work);
            String toolOptions = "-javaagent:" + TestPaths.agentJar() + "=grace=1s";
            Path bin = jdk.java().getParent();
            List<List<String>> commands = List.of(
                    List.of(bin.resolve("jcmd").toString(), "-l"),
                    List.of(bin.resolve("jps").toString()),
                    List.of(bin.resolve("jfr").toString(), "help"),
                    List.of(jdk.java().toString(), "-jar", TestPaths.agentJar().toString(), "list"));
            for (List<String> command : commands) {
                String[] result = run(command, Map.of("JAVA_TOOL_OPTIONS", toolOptions), work);
                assertTrue(result[1].contains("Picked up JAVA_TOOL_OPTIONS"), "the JVM read it: " + result[1]);
                assertFalse(result[1].contains("closewait:"), command + " loaded the agent: " + result[1]);
                assertFalse(result[1].contains("Sharing is only supported"), command + ": " + result[1]);
                assertEquals("0", result[2], command + ": " + result[1]);
            }
        });
    }

    /** stdout, stderr and exit status of a command, with extra environment. */
    private static String[] run(List<String> command, Map<String, String> environment, Path work) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).directory(work.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("CLOSEWAIT_"));
        builder.environment().putAll(environment);
        Path out = work.resolve("out.txt");
        Path err = work.resolve("err.txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("did not finish: " + command);
        }
        return new String[] {Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8),
                Integer.toString(process.exitValue())};
    }
}
