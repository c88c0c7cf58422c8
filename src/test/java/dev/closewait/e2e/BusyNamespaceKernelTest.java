package dev.closewait.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.closewait.e2e.scenarios.BusyHostLeaks;
import dev.closewait.e2e.scenarios.NamespaceRowHolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kernel view on a busy, loaded host: a network namespace this test builds (`unshare -n`, loopback up) whose
 * TCP tables hold over {@value #ROWS} rows of another process ({@link NamespaceRowHolder}: held connections and
 * TIME_WAIT rows, and two busy threads). In it, a JVM with {@code -Xmx24m} makes its leaks at once after start-up
 * ({@link BusyHostLeaks}); each must be reported within 1.5 × grace of the peer's FIN or RST, as the agent's own
 * timestamps say, with no OutOfMemoryError and no internal error.
 */
class BusyNamespaceKernelTest {

    static final int ROWS = 100_000;
    private static final Duration GRACE = Duration.ofSeconds(2);
    private static final Pattern HOLDING = Pattern.compile("HOLDING rows=(\\d+)");

    private static ChildJvm holder;
    private static List<String> inNamespace;

    @BeforeAll
    static void buildABusyNamespace() throws Exception {
        assumeTrue(unsharePermitted(), "`unshare -n` is not permitted for this user (it needs root or user "
                + "namespaces), so the busy network namespace cannot be built");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // In the new namespace: loopback up, the full port range and no TIME_WAIT reuse (so TIME_WAIT rows pile up
        // instead of being recycled), as many descriptors as allowed; then the holder.
        String setUp = "ip link set lo up"
                + " && echo '1024 65535' > /proc/sys/net/ipv4/ip_local_port_range"
                + " && echo 0 > /proc/sys/net/ipv4/tcp_tw_reuse"
                + " && ulimit -n $(ulimit -Hn)"
                + " && exec \"$0\" -Xmx256m -cp \"$1\" " + NamespaceRowHolder.class.getName() + " 4000 94000 2";
        holder = ChildJvm.start(List.of("unshare", "-n", "sh", "-c", setUp, java, TestPaths.classPath()), Map.of(),
                TestPaths.workDir().resolve("busy-namespace"));
        Matcher holding;
        try {
            holding = holder.awaitStdout(HOLDING, Duration.ofSeconds(90));
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("the namespace holder did not start:\n" + holder.stdout() + holder.stderr(), e);
        }
        long rows = Long.parseLong(holding.group(1));
        assertTrue(rows >= ROWS, "the namespace holds only " + rows + " TCP rows");
        // unshare and sh exec: the holder's pid is the process that entered the namespace
        inNamespace = List.of("nsenter", "--net=/proc/" + holder.pid() + "/ns/net", "--");
    }

    @AfterAll
    static void releaseTheNamespace() throws Exception {
        if (holder != null) {
            holder.close();
        }
    }

    private static boolean unsharePermitted() throws Exception {
        try {
            Process probe = new ProcessBuilder("unshare", "-n", "true").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            return probe.waitFor(20, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (java.io.IOException noUnshare) {
            return false;
        }
    }

    @TestFactory
    Stream<DynamicTest> reportsEachLeakWithinOneAndAHalfGraceOfThePeersActionInABusyLoadedNamespace() {
        return PerJdk.each(jdk -> {
            try (ScenarioRun run = ScenarioRun.of(jdk, BusyHostLeaks.class).launcher(inNamespace)
                    .agentOptions("grace=" + GRACE.toSeconds() + "s").jvmOption("-Xmx24m").start()) {
                ScenarioRun.Ready ready = run.awaitReady();
                assertEquals(4, ready.leaks());
                long fin = stamp(run, "FIN");
                long rst = stamp(run, "RST");
                run.report().await("leak", ready.leaks(), Duration.ofSeconds(30));
                Thread.sleep(GRACE.toMillis()); // no further report comes
                List<JsonNode> leaks = run.report().leaks();
                String context = "\nreport:\n" + leaks + "\nstderr:\n" + run.child().stderr();
                assertEquals(4, leaks.size(), "leak reports" + context);
                assertEquals(2, leaks.stream().filter(leak -> leak.path("kind").asText().equals("close-wait")
                        && leak.path("role").asText().equals("client")).count(), "close-wait clients" + context);
                assertEquals(2, leaks.stream().filter(leak -> leak.path("kind").asText().equals("reset-not-closed")
                        && leak.path("role").asText().equals("accepted")).count(), "reset accepted" + context);
                for (JsonNode leak : leaks) {
                    assertEquals("java.net.Socket", leak.path("type").asText(), context);
                    long peerActed = leak.path("kind").asText().equals("close-wait") ? fin : rst;
                    long latency = Instant.parse(leak.path("detectedAt").asText()).toEpochMilli() - peerActed;
                    // The stamp is printed just after the peer acted, so a report may read up to a few ms short.
                    assertTrue(latency >= GRACE.toMillis() - 100 && latency <= GRACE.toMillis() * 3 / 2,
                            "reported " + latency + " ms after the peer's FIN/RST, grace " + GRACE.toMillis()
                                    + " ms (at most 1.5 x grace)" + context);
                }
                run.exitCleanly();
                String stderr = run.child().stderr();
                assertTrue(stderr.contains("closewait: watching sockets"), "agent started:\n" + stderr);
                assertFalse(stderr.contains("OutOfMemoryError"), "-Xmx24m is enough:\n" + stderr);
                assertFalse(stderr.contains("internal error"), "agent swallowed an error:\n" + stderr);
            }
        });
    }

    private static long stamp(ScenarioRun run, String what) throws InterruptedException {
        Matcher matcher = run.child().awaitStdout(Pattern.compile(what + " at=(\\d+)"), Duration.ofSeconds(10));
        return Long.parseLong(matcher.group(1));
    }
}
