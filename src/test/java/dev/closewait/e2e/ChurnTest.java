package dev.closewait.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.closewait.e2e.scenarios.churn.ChurningClient;
import dev.closewait.e2e.scenarios.churn.NettyChurningClient;
import dev.closewait.e2e.scenarios.churn.KeepAliveClient;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Connection churn against the kernel's own count. Each program runs in a network namespace of its own
 * ({@code unshare -n}, so root): TIME_WAIT rows of other tests and programs on the host cannot disturb the count, and
 * the namespace's {@code ip_local_port_range} is set to 30000–59989 (29,990 ports), so the default churn-warn of 10 %
 * is 2,999 closes and is read from /proc, not assumed. {@code tcp_tw_reuse} is 0 there, so that no new connection
 * takes over a TIME_WAIT socket before {@code ss} counts them.
 */
class ChurnTest {

    private static final int REQUESTS = 3000;
    private static final int PORT_RANGE = 29_990;
    private static final Pattern READY = Pattern.compile("READY port=(\\d+)");
    private static final Pattern METER = Pattern.compile("(?m)^METER (\\S+) (\\S*) (\\d+)$");
    private static final AtomicInteger RUNS = new AtomicInteger();

    @TestFactory
    Stream<DynamicTest> reportsTheMethodThatClosesFirstAndAgreesWithTheKernelsTimeWaitCount() {
        return PerJdk.each(jdk -> {
            try (Run child = startInOwnNamespace(jdk, ChurningClient.class)) {
                int port = Integer.parseInt(child.child.awaitStdout(READY, Duration.ofSeconds(60)).group(1));
                String remote = "127.0.0.1:" + port;
                List<JsonNode> churn = child.report.await("churn", 1, Duration.ofSeconds(15));
                int timeWait = timeWaitTo(child.child.pid(), port);
                String context = "\nss TIME_WAIT to " + remote + ": " + timeWait + "\nreport:\n" + churn
                        + "\nstderr:\n" + child.child.stderr();

                assertEquals(1, churn.size(), context);
                JsonNode event = churn.get(0);
                assertEquals(remote, event.get("remote").asText(), context);
                assertEquals(ChurningClient.class.getName() + ".requestOnNewConnection", event.get("site").asText(),
                        context);
                assertTrue(event.get("stack").toString().contains(ChurningClient.class.getName()
                        + ".requestOnNewConnection(ChurningClient.java:"), context);
                assertEquals(60, event.get("windowSeconds").asInt(), context);
                assertEquals(PORT_RANGE, event.get("portRange").asInt(), "read from the namespace's /proc" + context);
                assertEquals(PORT_RANGE / 10, event.get("threshold").asLong(), context);
                long closes = event.get("closes").asLong();
                assertTrue(timeWait >= REQUESTS * 95 / 100, "the kernel keeps each close in TIME_WAIT" + context);
                assertTrue(Math.abs(closes - timeWait) <= timeWait * 5 / 100,
                        "closes " + closes + " within 5% of the kernel's " + timeWait + context);
                assertEquals((double) closes / PORT_RANGE, event.get("portRangeShare").asDouble(), 0.0001, context);
                // The log sink writes on its own thread: the JSON event can come first.
                String stderr = child.child.awaitStderr("Connection churn to " + remote + ": the application closed "
                        + closes + " connections to it first within 60s", 1, Waits.EVENT);
                assertTrue(stderr.contains("Opened by " + ChurningClient.class.getName() + ".requestOnNewConnection"),
                        context + stderr);
                assertTrue(stderr.contains("docs/fixing-leaks.md#time_wait-connection-churn"), context + stderr);

                Map<String, Long> meters = meters(child.child);
                assertEquals(REQUESTS, meters.get("closewait.connections.closed closer=application"),
                        meters + context);
                assertEquals(REQUESTS, meters.get("closewait.connections.closed closer=peer"),
                        "the server read EOF before each close" + meters + context);
                long estimate = meters.get("closewait.connections.timewait ");
                assertTrue(Math.abs(estimate - timeWait) <= timeWait * 5 / 100,
                        "TIME_WAIT estimate " + estimate + " within 5% of the kernel's " + timeWait + context);

                assertEquals(List.of(), child.report.leaks(), context);
                assertEquals(1, child.report.events("churn").size(), "once per destination and window" + context);
                child.child.send("exit");
                assertEquals(0, child.child.exit(Duration.ofSeconds(20)), context);
            }
        });
    }

    /**
     * Netty creates each channel on the caller's thread and connects it on its event loop: the churn is credited to
     * the code that asked for the connections, not to Netty's connect (it was, before the creation stacks).
     */
    @TestFactory
    Stream<DynamicTest> namesTheCodeThatCreatedTheChannelsANettyEventLoopConnected() {
        return PerJdk.each(jdk -> {
            try (Run child = startInOwnNamespace(jdk, NettyChurningClient.class)) {
                int port = Integer.parseInt(child.child.awaitStdout(READY, Duration.ofSeconds(90)).group(1));
                List<JsonNode> churn = child.report.await("churn", 1, Duration.ofSeconds(15));
                int timeWait = timeWaitTo(child.child.pid(), port);
                String context = "\nss TIME_WAIT: " + timeWait + "\nreport:\n" + churn + "\nstderr:\n"
                        + child.child.stderr();
                assertEquals(1, churn.size(), context);
                JsonNode event = churn.get(0);
                String site = NettyChurningClient.class.getName() + ".requestOnNewConnection";
                assertEquals(site, event.get("site").asText(), context);
                assertTrue(event.get("stack").toString().contains(site + "(NettyChurningClient.java:"), context);
                long closes = event.get("closes").asLong();
                assertTrue(timeWait >= REQUESTS * 95 / 100, "the kernel keeps each close in TIME_WAIT" + context);
                assertTrue(Math.abs(closes - timeWait) <= timeWait * 5 / 100,
                        "closes " + closes + " within 5% of the kernel's " + timeWait + context);
                assertEquals(List.of(), child.report.leaks(), context);
                child.child.send("exit");
                assertEquals(0, child.child.exit(Duration.ofSeconds(20)), context);
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> theSameRequestsOverOneKeptAliveConnectionAreNoChurn() {
        return PerJdk.each(jdk -> {
            try (Run child = startInOwnNamespace(jdk, KeepAliveClient.class)) {
                int port = Integer.parseInt(child.child.awaitStdout(READY, Duration.ofSeconds(60)).group(1));
                // Three churn scans (one a second) after the last request.
                Thread.sleep(3_000);
                Map<String, Long> meters = meters(child.child);
                int timeWait = timeWaitTo(child.child.pid(), port);
                String context = "\nss TIME_WAIT: " + timeWait + "\nmeters: " + meters + "\nstderr:\n"
                        + child.child.stderr();
                assertEquals(1, meters.get("closewait.connections.closed closer=application"), context);
                assertEquals(1, meters.get("closewait.connections.closed closer=peer"), context);
                assertEquals(1, timeWait, context);
                child.child.send("exit");
                assertEquals(0, child.child.exit(Duration.ofSeconds(20)), context);
                assertEquals(List.of(), child.report.events(), "no event at all" + context);
                assertTrue(!child.child.stderr().contains("Connection churn"), context);
            }
        });
    }

    /** A child JVM and its report. */
    private record Run(ChildJvm child, JsonReport report) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            child.close();
        }
    }

    private static Run startInOwnNamespace(Jdk jdk, Class<?> scenario) throws IOException {
        assumeTrue(isRoot(), "needs root for unshare -n (CI runs as root)");
        Path workDir = TestPaths.workDir().resolve("churn-" + scenario.getSimpleName() + "-jdk" + jdk.major() + "-"
                + RUNS.incrementAndGet());
        Path report = workDir.resolve("report.jsonl");
        java.nio.file.Files.deleteIfExists(report);
        List<String> command = new ArrayList<>(List.of("unshare", "-n", "sh", "-c",
                "ip link set lo up && echo '30000 59989' > /proc/sys/net/ipv4/ip_local_port_range"
                        + " && echo 0 > /proc/sys/net/ipv4/tcp_tw_reuse && exec \"$@\"", "sh"));
        command.addAll(List.of(jdk.java().toString(),
                "-javaagent:" + TestPaths.agentJar() + "=grace=1s,report=" + report,
                "-cp", TestPaths.classPath(), scenario.getName(), String.valueOf(REQUESTS)));
        return new Run(ChildJvm.start(command, Map.of(), workDir), new JsonReport(report));
    }

    private static boolean isRoot() {
        try {
            Process id = new ProcessBuilder("id", "-u").start();
            String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return id.waitFor(10, TimeUnit.SECONDS) && uid.equals("0");
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** TIME_WAIT sockets whose peer is the loopback port, in the namespace of the process: the kernel's count. */
    private static int timeWaitTo(long pid, int port) throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("nsenter", "-t", Long.toString(pid), "-n", "ss", "-tnH", "state", "time-wait")
                .redirectErrorStream(true).start();
        String output = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!ss.waitFor(10, TimeUnit.SECONDS) || ss.exitValue() != 0) {
            throw new AssertionError("ss failed: " + output);
        }
        int count = 0;
        for (String line : output.split("\n")) {
            String[] columns = line.trim().split("\\s+");
            if (columns.length >= 4 && Kernel.address(columns[3]).equals("127.0.0.1:" + port)) {
                count++;
            }
        }
        return count;
    }

    /** The child's connection meters, as "name tag=value" to value. */
    private static Map<String, Long> meters(ChildJvm child) throws IOException, InterruptedException {
        int before = child.stdout().split("DONE meters", -1).length;
        child.send("meters");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (child.stdout().split("DONE meters", -1).length == before && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Map<String, Long> meters = new HashMap<>();
        Matcher matcher = METER.matcher(child.stdout());
        while (matcher.find()) {
            meters.put(matcher.group(1) + " " + matcher.group(2), Long.parseLong(matcher.group(3)));
        }
        return meters;
    }
}
