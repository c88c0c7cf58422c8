package dev.closewait.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.closewait.e2e.scenarios.LeakBeforeAndAfterAttach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Attaching to a JVM that is already running, and asking it for a report. */
class AttachTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> attachingReportsOldLeaksWithoutAllocationAndNewOnesWithStacks() {
        return PerJdk.each(jdk -> {
            try (ScenarioRun run = ScenarioRun.of(jdk, LeakBeforeAndAfterAttach.class).withoutAgent().start()) {
                ScenarioRun.Ready ready = run.awaitReady();
                long pid = run.child().pid();
                Path report = run.workDir().resolve("attached-report.jsonl");

                Cli attach = Cli.run(jdk, run.workDir(), "attach", Long.toString(pid),
                        "grace=1s,report=" + report);
                assertEquals(0, attach.status(), attach.toString());
                assertTrue(attach.stdout().contains("attached to process " + pid), attach.toString());
                JsonReport events = new JsonReport(report);
                List<JsonNode> old = events.await("leak", 2);
                assertEquals(2, old.size(), run.child().stderr());
                for (JsonNode leak : old) {
                    assertEquals("close-wait", leak.path("kind").asText(), leak.toString());
                    assertEquals(false, leak.path("allocationKnown").asBoolean(), leak.toString());
                    assertEquals("accepted", leak.path("role").asText(), "role from the LISTEN port: " + leak);
                }

                run.child().send("leak");
                run.child().awaitStdout(Pattern.compile("DONE leak"), Waits.EVENT);
                events.await("leak", 5);
                // Nothing more may come (grace is 1s).
                List<JsonNode> all = events.holdsAtMost("leak", 5, Duration.ofMillis(1500), run.child()::stderr);
                assertEquals(5, all.size(), all.toString());
                List<JsonNode> tracked = all.stream()
                        .filter(l -> l.path("kind").asText().equals("eof-not-closed")
                                && l.path("allocationKnown").asBoolean()).toList();
                assertEquals(2, tracked.size(), all.toString());
                for (JsonNode leak : tracked) {
                    assertTrue(leak.path("allocation").toString().contains(LeakBeforeAndAfterAttach.class.getName()),
                            leak.toString());
                }
                List<JsonNode> adopted = all.stream()
                        .filter(l -> l.path("kind").asText().equals("eof-not-closed")
                                && !l.path("allocationKnown").asBoolean()).toList();
                assertEquals(1, adopted.size(), "opened before attach, EOF after: " + all);
                assertTrue(adopted.get(0).path("eofSite").toString().contains(LeakBeforeAndAfterAttach.class.getName()),
                        adopted.toString());

                // Every leak is one the kernel holds in CLOSE_WAIT.
                Set<String> kernel = Kernel.closeWait(ready.port()).stream()
                        .map(c -> c.local() + " " + c.remote()).collect(Collectors.toCollection(TreeSet::new));
                Set<String> reported = all.stream().map(l -> l.path("local").asText() + " " + l.path("remote").asText())
                        .collect(Collectors.toCollection(TreeSet::new));
                assertEquals(kernel, reported);

                Cli table = Cli.run(jdk, run.workDir(), "report", Long.toString(pid));
                assertEquals(0, table.status(), table.toString());
                assertEquals(6, table.stdout().lines().count(), "header and five suspects:\n" + table.stdout());
                assertTrue(table.stdout().contains("allocation unknown"), table.stdout());
                assertTrue(table.stdout().contains(LeakBeforeAndAfterAttach.class.getName()), table.stdout());

                Cli json = Cli.run(jdk, run.workDir(), "report", Long.toString(pid), "--json");
                assertEquals(0, json.status(), json.toString());
                List<JsonNode> suspects = new ArrayList<>();
                for (String line : json.stdout().lines().toList()) {
                    suspects.add(JSON.readTree(line));
                }
                assertEquals(5, suspects.size(), json.stdout());
                assertTrue(suspects.stream().allMatch(s -> s.path("status").asText().equals("leaked")), json.stdout());

                Cli again = Cli.run(jdk, run.workDir(), "attach", Long.toString(pid));
                assertEquals(0, again.status(), again.toString());
                assertTrue(again.stdout().contains("not installed twice"), again.toString());

                String targetErr = run.child().stderr();
                assertEquals(1, count(targetErr, "closewait: watching sockets (attached)"), targetErr);
                // JDK 21+ warns about each agent loaded at run time; report and a second attach load nothing.
                assertEquals(jdk.major() >= 21 ? 1 : 0, count(targetErr, "A Java agent has been loaded dynamically"),
                        targetErr);
                run.exitCleanly();
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> attachingToAJvmStartedWithTheAgentInstallsNothingMore() {
        return PerJdk.each(jdk -> {
            try (ScenarioRun run = ScenarioRun.of(jdk, dev.closewait.e2e.scenarios.AcceptedSocketLeak.class).start()) {
                run.awaitReady();
                Cli attach = Cli.run(jdk, run.workDir(), "attach", Long.toString(run.child().pid()));
                assertEquals(0, attach.status(), attach.toString());
                assertTrue(attach.stdout().contains("not installed twice"), attach.toString());
                String targetErr = run.child().stderr();
                assertEquals(1, count(targetErr, "closewait: watching sockets"), targetErr);
                assertEquals(0, count(targetErr, "A Java agent has been loaded dynamically"), targetErr);
                run.exitCleanly();
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> aJvmThatRefusesDynamicAgentsGetsAnExplanation() {
        return PerJdk.on(Jdks.withVirtualThreads(), jdk -> {
            try (ScenarioRun run = ScenarioRun.of(jdk, LeakBeforeAndAfterAttach.class).withoutAgent()
                    .jvmOption("-XX:-EnableDynamicAgentLoading").start()) {
                run.awaitReady();
                Cli attach = Cli.run(jdk, run.workDir(), "attach", Long.toString(run.child().pid()));
                assertEquals(1, attach.status(), attach.toString());
                assertEquals(1, count(attach.stderr(), "Dynamic agent loading is not enabled"), attach.toString());
                assertTrue(attach.stderr().contains("Restart it with -XX:+EnableDynamicAgentLoading"), attach.toString());
                run.exitCleanly();
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> badTargetsAndAJdkWithoutTheAttachModuleGetClearErrors() {
        return PerJdk.each(jdk -> {
            Path work = TestPaths.workDir().resolve("cli-errors-jdk" + jdk.major());
            Files.createDirectories(work);
            Cli noProcess = Cli.run(jdk, work, "attach", "999999999");
            assertEquals(1, noProcess.status(), noProcess.toString());
            assertTrue(noProcess.stderr().contains("there is no process 999999999"), noProcess.toString());

            Cli notAPid = Cli.run(jdk, work, "report", "twelve");
            assertEquals(2, notAPid.status(), notAPid.toString());
            assertTrue(notAPid.stderr().contains("'twelve' is not a process id"), notAPid.toString());

            Cli noAgent = Cli.run(jdk, work, "report", Long.toString(ProcessHandle.current().pid()));
            assertEquals(1, noAgent.status(), noAgent.toString());
            assertTrue(noAgent.stderr().contains("closewait is not running in process"), noAgent.toString());

            Cli noAttachModule = Cli.run(jdk, work, List.of("--limit-modules", "java.base,java.instrument"), "list");
            assertEquals(1, noAttachModule.status(), noAttachModule.toString());
            assertTrue(noAttachModule.stderr().contains("no jdk.attach module"), noAttachModule.toString());

            Cli usage = Cli.run(jdk, work);
            assertEquals(2, usage.status(), usage.toString());
            assertTrue(usage.stderr().contains("attach <pid>"), usage.toString());
        });
    }

    private static int count(String text, String fragment) {
        return text.split(Pattern.quote(fragment), -1).length - 1;
    }
}
