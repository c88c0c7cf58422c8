package dev.closewait.e2e;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
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

    private E2eAssertions() {
    }

    /**
     * Runs a leaking scenario and checks its reports against the kernel: as many reports as leaks made, none extra
     * during a further 1.5 × grace nor at exit, each with the expected kind/type/role, addresses and an open socket
     * fd, stacks that reach the scenario's own code, timestamps of the agent's own in order and no report before
     * grace ({@link #assertTimeline}), and (where the kernel keeps the socket in CLOSE_WAIT) exactly the
     * connections `ss` lists.
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
            Duration grace = run.agentGrace();
            run.report().await("leak", ready.leaks());
            Supplier<String> why = () -> "\nreport:\n" + run.report().events() + "\nstderr:\n" + run.child().stderr();
            List<JsonNode> leaks = run.report().holdsAtMost("leak", ready.leaks(), grace.multipliedBy(3).dividedBy(2),
                    why);
            String context = why.get();
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
                }
                assertTimeline(leak, grace, context);
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
            // The agent's final scan at exit reports every EOF leak that is due by then, however late the detector
            // thread got a core: nothing more may appear there either.
            assertEquals(ready.leaks(), run.report().leaks().size(), "leak reports after exit" + why.get());
            return leaks;
        }
    }

    /**
     * Checks a report against the agent's own clock (its timestamps and the grace from its start line, never the
     * test's wall clock): opened, then EOF or the kernel state, then the report; the report no earlier than grace
     * after what started it and no later than grace + {@link Waits#REPORT_SLACK}; ages that agree with the
     * timestamps to the millisecond. The exact latency (within 1.25 × grace of EOF, 1.5 × grace of the kernel
     * state) is pinned by the unit tests with a fake clock, not here.
     */
    public static void assertTimeline(JsonNode leak, Duration grace, String context) {
        String kind = leak.path("kind").asText();
        long detected = millis(leak, "detectedAt");
        long opened = leak.path("openedAt").isNull() ? -1 : millis(leak, "openedAt");
        long graceMillis = grace.toMillis();
        long latest = graceMillis + Waits.REPORT_SLACK.toMillis();
        if (opened >= 0) {
            assertTrue(opened <= detected, "opened before the report" + context);
            assertClose(detected - opened, leak.path("ageMs").asLong(), "ageMs is detectedAt - openedAt" + context);
        }
        switch (kind) {
            case "eof-not-closed" -> {
                long eof = millis(leak, "eofAt");
                if (opened >= 0) {
                    assertTrue(opened <= eof, "opened before EOF" + context);
                }
                long sinceEof = leak.path("sinceEofMs").asLong();
                assertClose(detected - eof, sinceEof, "sinceEofMs is detectedAt - eofAt" + context);
                assertTrue(sinceEof >= graceMillis && sinceEof <= latest,
                        "reported " + sinceEof + "ms after EOF (agent's clock), grace " + graceMillis + "ms" + context);
            }
            case "close-wait", "reset-not-closed" -> {
                long sinceKernel = detected - millis(leak, "kernelSince");
                // Both instants are whole milliseconds of the same nanosecond clock: one may have lost up to 1ms.
                assertTrue(sinceKernel >= graceMillis - 1 && sinceKernel <= latest, "reported " + sinceKernel
                        + "ms after the kernel state (agent's clock), grace " + graceMillis + "ms" + context);
            }
            case "gc-not-closed" -> assertTrue(leak.path("eofAt").isNull() || millis(leak, "eofAt") <= detected,
                    "EOF before the report" + context);
            default -> throw new AssertionError("unknown kind " + kind + context);
        }
    }

    private static long millis(JsonNode leak, String field) {
        JsonNode value = leak.path(field);
        assertTrue(value.isTextual(), field + " missing in " + leak);
        return Instant.parse(value.asText()).toEpochMilli();
    }

    /** Two millisecond counts of the same interval, each truncated from nanoseconds: at most 1ms apart. */
    private static void assertClose(long fromInstants, long reported, String message) {
        assertTrue(Math.abs(fromInstants - reported) <= 1, message + ": " + fromInstants + " vs " + reported);
    }

    /**
     * Runs a clean scenario: throughout a further 2.5 × grace after its work nothing is reported, then nothing is in
     * CLOSE_WAIT; and nothing is reported at exit either, where the agent's final scan catches any EOF leak that is
     * due, however late the detector thread ran on a loaded machine.
     */
    public static void expectNoLeaks(ScenarioRun.Builder builder) throws Exception {
        try (ScenarioRun run = builder.start()) {
            ScenarioRun.Ready ready = run.awaitReady();
            assertEquals(0, ready.leaks(), "a clean scenario makes no leaks");
            Supplier<String> context = () -> "\nreport:\n" + run.report().events() + "\nstderr:\n"
                    + run.child().stderr();
            run.report().staysEmpty(run.agentGrace().multipliedBy(5).dividedBy(2), context);
            assertFalse(run.child().stderr().contains("Leaked socket"), "no leak in the log" + context.get());
            if (ready.port() > 0) {
                assertEquals(List.of(), Kernel.closeWait(ready.port()), "kernel: nothing in CLOSE_WAIT" + context.get());
            }
            run.exitCleanly();
            assertEquals(List.of(), run.report().events(), "no events for a clean program, at exit" + context.get());
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
