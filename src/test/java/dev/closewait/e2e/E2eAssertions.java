package dev.closewait.e2e;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checks every end-to-end run shares. */
public final class E2eAssertions {

    /** The grace every run uses unless it says otherwise. */
    public static final Duration GRACE = Duration.ofSeconds(1);
    /**
     * The latest a report may come, counted from EOF or from the kernel state. By design it is at most 1.25 × grace
     * (pinned exactly by the unit tests with a fake clock); here, on a loaded two-core machine, scheduling jitter is
     * allowed for, while a broken schedule (a missed scan, a wrong interval) still fails.
     */
    static final long LATEST_REPORT_MILLIS = GRACE.toMillis() * 2;

    private E2eAssertions() {
    }

    /**
     * Runs a leaking scenario and checks its reports against the kernel: as many reports as leaks made, none extra
     * after waiting a further grace period, each with the expected kind/type/role, addresses and an open socket fd,
     * stacks that reach the scenario's own code, reported promptly after EOF or the kernel state, and (where the kernel keeps the
     * socket in CLOSE_WAIT) exactly the connections `ss` lists.
     */
    public static List<JsonNode> expectLeaks(ScenarioRun.Builder builder, Class<?> scenario, LeakExpectation expected)
            throws Exception {
        return expectLeaks(builder, scenario, expected, new StderrCapture());
    }

    /** As {@link #expectLeaks(ScenarioRun.Builder, Class, LeakExpectation)}, keeping the child's stderr. */
    public static List<JsonNode> expectLeaks(ScenarioRun.Builder builder, Class<?> scenario, LeakExpectation expected,
                                             StderrCapture capture) throws Exception {
        try (ScenarioRun run = builder.start()) {
            ScenarioRun.Ready ready = run.awaitReady();
            assertTrue(ready.leaks() > 0, "scenario made no leak");
            run.report().await("leak", ready.leaks(), Duration.ofSeconds(20));
            Thread.sleep(GRACE.toMillis() * 3 / 2);
            List<JsonNode> leaks = run.report().leaks();
            String context = "\nreport:\n" + leaks + "\nstderr:\n" + run.child().stderr();
            assertEquals(ready.leaks(), leaks.size(), "leak reports" + context);

            Set<Integer> openSockets = Kernel.socketFds(run.child().pid());
            for (JsonNode leak : leaks) {
                assertEquals(expected.kind(), leak.path("kind").asText(), "kind" + context);
                assertEquals(expected.type(), leak.path("type").asText(), "type" + context);
                assertEquals(expected.role(), leak.path("role").asText(), "role" + context);
                assertTrue(leak.path("local").asText().startsWith("127.0.0.1:"), "local address" + context);
                assertTrue(leak.path("remote").asText().startsWith("127.0.0.1:"), "remote address" + context);
                assertFalse(leak.path("thread").asText().isEmpty(), "thread" + context);
                assertNotNull(leak.get("openedAt"), "openedAt" + context);
                assertTrue(mentions(leak.path("allocation"), scenario), "allocation stack reaches the scenario" + context);
                if (expected.kind().equals("eof-not-closed")) {
                    assertTrue(mentions(leak.path("eofSite"), scenario), "EOF site reaches the scenario" + context);
                    long sinceEof = leak.path("sinceEofMs").asLong();
                    assertTrue(sinceEof >= GRACE.toMillis() && sinceEof <= LATEST_REPORT_MILLIS,
                            "reported " + sinceEof + "ms after EOF, grace " + GRACE.toMillis() + "ms" + context);
                }
                if (expected.kind().equals("close-wait") || expected.kind().equals("reset-not-closed")) {
                    long sinceKernel = Duration.between(Instant.parse(leak.path("kernelSince").asText()),
                            Instant.parse(leak.path("detectedAt").asText())).toMillis();
                    assertTrue(sinceKernel >= GRACE.toMillis() && sinceKernel <= LATEST_REPORT_MILLIS,
                            "reported " + sinceKernel + "ms after the kernel state, grace " + GRACE.toMillis() + "ms"
                                    + context);
                }
                if (expected.descriptorOpen()) {
                    assertTrue(openSockets.contains(leak.path("fd").asInt()),
                            "fd " + leak.path("fd") + " is an open socket " + openSockets + context);
                }
            }
            if (expected.kernel() == LeakExpectation.KernelView.CLOSE_WAIT) {
                Set<String> kernel = Kernel.closeWait(ready.port()).stream()
                        .map(c -> c.local() + " " + c.remote()).collect(Collectors.toCollection(TreeSet::new));
                Set<String> reported = leaks.stream()
                        .map(l -> l.path("local").asText() + " " + l.path("remote").asText())
                        .collect(Collectors.toCollection(TreeSet::new));
                assertEquals(kernel, reported, "reports match `ss -tn state close-wait`" + context);
            }
            run.exitCleanly();
            capture.stderr = run.child().stderr();
            assertAgentHealthy(run);
            return leaks;
        }
    }

    /** Runs a clean scenario: after its work and a further 2.5 × grace, nothing reported and nothing in CLOSE_WAIT. */
    public static void expectNoLeaks(ScenarioRun.Builder builder) throws Exception {
        try (ScenarioRun run = builder.start()) {
            ScenarioRun.Ready ready = run.awaitReady();
            assertEquals(0, ready.leaks(), "a clean scenario makes no leaks");
            Thread.sleep(GRACE.toMillis() * 5 / 2);
            String context = "\nreport:\n" + run.report().events() + "\nstderr:\n" + run.child().stderr();
            assertEquals(List.of(), run.report().events(), "no events for a clean program" + context);
            assertFalse(run.child().stderr().contains("Leaked socket"), "no leak in the log" + context);
            if (ready.port() > 0) {
                assertEquals(List.of(), Kernel.closeWait(ready.port()), "kernel: nothing in CLOSE_WAIT" + context);
            }
            run.exitCleanly();
            assertAgentHealthy(run);
        }
    }

    public static void assertAgentHealthy(ScenarioRun run) {
        String stderr = run.child().stderr();
        assertTrue(stderr.contains("closewait: watching sockets"), "agent started:\n" + stderr);
        assertFalse(stderr.contains("internal error"), "agent swallowed an error:\n" + stderr);
        assertFalse(stderr.contains("could not start"), "agent failed to start:\n" + stderr);
    }

    static boolean mentions(JsonNode frames, Class<?> scenario) {
        return StreamSupport.stream(frames.spliterator(), false)
                .map(JsonNode::asText)
                .anyMatch(frame -> frame.startsWith(scenario.getName() + ".") || frame.startsWith(scenario.getName() + "$"));
    }

}
