package dev.closewait.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.closewait.e2e.scenarios.AcceptedSocketLeak;
import dev.closewait.e2e.scenarios.JdkServerExchangeNotClosed;
import dev.closewait.e2e.scenarios.NettyClientLeak;
import dev.closewait.e2e.scenarios.PooledReuseLeak;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.closewait.e2e.E2eAssertions.assertAgentHealthy;
import static dev.closewait.e2e.E2eAssertions.expectLeaks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a report says about who leaked: the request that last used a pooled connection, the JDK server when only its
 * code touched the socket, and the same facts as key-value pairs and a throwable in the application's Logback.
 */
class ReportContentTest {

    @TestFactory
    Stream<DynamicTest> aPooledConnectionIsNamedByTheRequestThatLeftItLeasedNotTheOneThatOpenedIt() {
        return PerJdk.each(jdk -> {
            List<JsonNode> leaks = expectLeaks(ScenarioRun.of(jdk, PooledReuseLeak.class), PooledReuseLeak.class,
                    new LeakExpectation("close-wait", "java.net.Socket", "client", LeakExpectation.KernelView.CLOSE_WAIT));
            String scenario = PooledReuseLeak.class.getName();
            JsonNode leased = only(leaks, leak -> leak.path("site").asText().startsWith(scenario + ".fetchWithoutConsuming("));
            JsonNode idle = only(leaks, leak -> leak.path("site").asText().startsWith(scenario + ".nextRequest("));
            String context = "\n" + leaks;

            assertTrue(frames(leased, "lastUse").stream().anyMatch(f -> f.startsWith(scenario + ".fetchWithoutConsuming(")),
                    "last use: the leaking request" + context);
            assertTrue(frames(leased, "allocation").stream().anyMatch(f -> f.startsWith(scenario + ".warmUp(")),
                    "allocation: the request that opened it" + context);
            assertFalse(leased.path("lastUseThread").isNull(), context);
            assertTrue(leased.path("hint").asText().startsWith("Apache HttpClient 4, leased connection never released"),
                    context);
            assertTrue(leased.path("hint").asText().endsWith("docs/fixing-leaks.md#httpclient-4-leased."), context);

            assertEquals(List.of(), frames(idle, "lastUse"), "used once, by the request that opened it" + context);
            assertTrue(idle.path("hint").asText().startsWith("Apache HttpClient 4 pool: "), context);
            assertTrue(idle.path("hint").asText().endsWith("docs/fixing-leaks.md#httpclient-4-idle."), context);
        });
    }

    @TestFactory
    Stream<DynamicTest> aJdkHttpServerExchangeNeverClosedIsNamedByTheServerNotThreadRun() {
        return PerJdk.each(jdk -> {
            try (ScenarioRun run = ScenarioRun.of(jdk, JdkServerExchangeNotClosed.class).start()) {
                ScenarioRun.Ready ready = run.awaitReady();
                List<JsonNode> leaks = run.report().await("leak", 1, Duration.ofSeconds(20));
                Thread.sleep(E2eAssertions.GRACE.toMillis() * 3 / 2);
                leaks = run.report().leaks();
                String context = "\n" + leaks + "\nstderr:\n" + run.child().stderr();
                assertEquals(1, leaks.size(), "one leak" + context);
                JsonNode leak = leaks.get(0);

                assertEquals("close-wait", leak.path("kind").asText(), context);
                assertEquals("accepted", leak.path("role").asText(), context);
                assertEquals(1, Kernel.closeWait(ready.port()).size(), "the kernel agrees" + context);
                assertTrue(leak.path("site").asText().startsWith("sun.net.httpserver.ServerImpl$"), context);
                List<String> allocation = frames(leak, "allocation");
                assertTrue(allocation.size() > 1 && allocation.stream().anyMatch(f -> f.startsWith("sun.net.httpserver.")),
                        "the JDK server's frames are kept" + context);
                assertTrue(leak.path("hint").asText().endsWith("docs/fixing-leaks.md#jdk-httpserver."), context);
                run.exitCleanly();
                assertTrue(run.child().stderr().contains("Site (no application frame in the recorded stacks: the first "
                        + "frame of library or JDK code): sun.net.httpserver.ServerImpl$"), run.child().stderr());
                assertAgentHealthy(run);
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> aNettyClientChannelIsNamedByTheCodeThatAskedForItNotByTheEventLoopThatConnectedIt() {
        return PerJdk.each(jdk -> {
            try (ScenarioRun run = ScenarioRun.of(jdk, NettyClientLeak.class).start()) {
                ScenarioRun.Ready ready = run.awaitReady();
                run.report().await("leak", 3, Duration.ofSeconds(20));
                Thread.sleep(E2eAssertions.GRACE.toMillis() * 3 / 2);
                List<JsonNode> leaks = run.report().leaks();
                String context = "\n" + leaks + "\nstderr:\n" + run.child().stderr();
                assertEquals(3, leaks.size(), "three leaks; main's own channels and the channel with Netty's defaults "
                        + "were closed" + context);
                String scenario = NettyClientLeak.class.getName();
                JsonNode halfClosed = only(leaks, leak -> leak.path("site").asText()
                        .startsWith(scenario + ".openIgnoringHalfClose("));
                JsonNode neverRead = only(leaks, leak -> leak.path("kind").asText().equals("close-wait"));
                JsonNode loopConnected = only(leaks, leak -> leak.path("site").asText()
                        .startsWith(scenario + ".connectFromLoop("));
                assertEquals("eof-not-closed", halfClosed.path("kind").asText(), context);
                assertEquals("eof-not-closed", loopConnected.path("kind").asText(), context);
                assertTrue(neverRead.path("site").asText().startsWith(scenario + ".openWithoutReading("), context);
                assertTrue(halfClosed.path("hint").asText().endsWith("docs/fixing-leaks.md#netty-half-closure."), context);
                assertTrue(neverRead.path("hint").asText().endsWith("docs/fixing-leaks.md#netty-never-read."), context);
                assertEquals(loopConnected.path("openThread").asText(), loopConnected.path("creationThread").asText(),
                        "created and connected by the event loop" + context);
                for (JsonNode leak : List.of(halfClosed, neverRead)) {
                    assertEquals("main", leak.path("creationThread").asText(), context);
                    assertTrue(frames(leak, "creation").stream().anyMatch(f -> f.startsWith(scenario + ".main(")),
                            "the creation stack reaches main" + context);
                }
                for (JsonNode leak : leaks) {
                    assertEquals("client", leak.path("role").asText(), context);
                    assertTrue(frames(leak, "allocation").stream().noneMatch(f -> f.startsWith(scenario + ".")),
                            "the connect ran on the event loop: Netty's frames only" + context);
                    assertTrue(frames(leak, "allocation").stream().anyMatch(f -> f.startsWith("io.netty.")), context);
                }
                Set<String> kernel = Kernel.closeWait(ready.port()).stream().map(c -> c.local() + " " + c.remote())
                        .collect(Collectors.toCollection(TreeSet::new));
                Set<String> reported = leaks.stream().map(l -> l.path("local").asText() + " " + l.path("remote").asText())
                        .collect(Collectors.toCollection(TreeSet::new));
                assertEquals(kernel, reported, "reports match `ss -tn state close-wait`" + context);
                run.exitCleanly();
                assertTrue(run.child().stderr().contains("Created on thread \"main\""), run.child().stderr());
                assertFalse(run.child().stderr().contains("no application frame"), run.child().stderr());
                assertAgentHealthy(run);
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> logbackRendersTheKeyValuePairsAndTheStacksOfAOneLineMessage() {
        return PerJdk.each(jdk -> {
            Path config = Files.createDirectories(TestPaths.workDir()).resolve("logback-kvp-" + jdk.major() + ".xml");
            Files.writeString(config, """
                    <configuration>
                      <appender name="out" class="ch.qos.logback.core.ConsoleAppender">
                        <encoder><pattern>LOG %level %logger - %msg %kvp%n</pattern></encoder>
                      </appender>
                      <root level="INFO"><appender-ref ref="out"/></root>
                    </configuration>
                    """);
            ScenarioRun.Builder builder = ScenarioRun.of(jdk, AcceptedSocketLeak.class)
                    .classPath(TestPaths.classPathWithLogback())
                    .jvmOption("-Dlogback.configurationFile=" + config.toAbsolutePath());
            try (ScenarioRun run = builder.start()) {
                ScenarioRun.Ready ready = run.awaitReady();
                List<JsonNode> leaks = run.report().await("leak", ready.leaks(), Duration.ofSeconds(20));
                run.exitCleanly();
                String out = run.child().stdout();
                String context = "\nstdout:\n" + out + "\nstderr:\n" + run.child().stderr();
                List<String> lines = out.lines().collect(Collectors.toList());
                List<Integer> warnings = java.util.stream.IntStream.range(0, lines.size())
                        .filter(i -> lines.get(i).startsWith("LOG WARN closewait - Leaked socket #")).boxed().toList();
                assertEquals(2, warnings.size(), "one line per leak" + context);
                for (int index : warnings) {
                    String line = lines.get(index);
                    Matcher id = Pattern.compile("Leaked socket #(\\d+) \\(eof-not-closed\\)").matcher(line);
                    assertTrue(id.find(), line);
                    JsonNode leak = leaks.stream().filter(l -> l.path("id").asText().equals(id.group(1))).findFirst()
                            .orElseThrow();
                    for (String pair : List.of("kind=\"eof-not-closed\"", "id=\"" + id.group(1) + "\"",
                            "fd=\"" + leak.path("fd").asText() + "\"", "local=\"" + leak.path("local").asText() + "\"",
                            "remote=\"" + leak.path("remote").asText() + "\"", "site=\"" + leak.path("site").asText() + "\"")) {
                        assertTrue(line.contains(pair), "key-value pair " + pair + " in: " + line + context);
                    }
                    assertTrue(leak.path("site").asText().startsWith(AcceptedSocketLeak.class.getName()
                            + ".readToEndWithoutClose("), "the handler that read, not the acceptor" + context);
                    assertEquals("dev.closewait.report.LeakTrace: Last used (read) on thread \"" + leak.path("lastUseThread")
                            .asText() + "\"", lines.get(index + 1), "the stacks follow as a throwable" + context);
                    assertTrue(lines.get(index + 2).startsWith("\tat "), context);
                    String trace = String.join("\n", lines.subList(index + 1, Math.min(lines.size(), index + 40)));
                    assertTrue(trace.contains("Suppressed: dev.closewait.report.LeakTrace: Accepted on thread \"acceptor\""),
                            trace);
                    assertTrue(trace.contains("Suppressed: dev.closewait.report.LeakTrace: EOF read on thread"), trace);
                }
                assertFalse(run.child().stderr().contains("Leaked socket"), "reports go to Logback only" + context);
                assertAgentHealthy(run);
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> withSlf4j17TheFactsAreInTheOneLineMessageAndTheStacksInTheThrowable() {
        return PerJdk.each(jdk -> {
            ScenarioRun.Builder builder = ScenarioRun.of(jdk, AcceptedSocketLeak.class).classPath(slf4j17ClassPath());
            try (ScenarioRun run = builder.start()) {
                ScenarioRun.Ready ready = run.awaitReady();
                List<JsonNode> leaks = run.report().await("leak", ready.leaks(), Duration.ofSeconds(20));
                run.exitCleanly();
                String err = run.child().stderr();
                List<String> lines = err.lines().toList();
                List<Integer> warnings = java.util.stream.IntStream.range(0, lines.size())
                        .filter(i -> lines.get(i).startsWith("[closewait-report-log] WARN closewait - Leaked socket #"))
                        .boxed().toList();
                assertEquals(2, warnings.size(), "slf4j-simple 1.7 prints the message itself, no pairs first\n" + err);
                for (int index : warnings) {
                    String line = lines.get(index);
                    JsonNode leak = leaks.stream().filter(l -> line.contains("Leaked socket #" + l.path("id").asText()
                            + " (eof-not-closed): ")).findFirst().orElseThrow();
                    assertTrue(line.contains(", fd " + leak.path("fd").asText() + ". "), line);
                    assertTrue(line.contains(leak.path("local").asText() + " <- " + leak.path("remote").asText()), line);
                    assertTrue(line.contains("Site: " + leak.path("site").asText() + "."), line);
                    assertTrue(lines.get(index + 1).startsWith("dev.closewait.report.LeakTrace: Last used (read)"),
                            "the throwable follows\n" + err);
                }
                assertAgentHealthy(run);
            }
        });
    }

    /**
     * The scenarios' class path with SLF4J 1.7.36 (api and simple) instead of 2.x: the jars the build copied to
     * {@code closewait.slf4j17.dir} (see the root pom), so a fresh machine has them too.
     */
    private static String slf4j17ClassPath() {
        Path dir = Path.of(System.getProperty("closewait.slf4j17.dir", "target/slf4j17"));
        Map<String, String> old = Map.of("slf4j-api", dir.resolve("slf4j-api-1.7.36.jar").toString(),
                "slf4j-simple", dir.resolve("slf4j-simple-1.7.36.jar").toString());
        String path = Stream.of(TestPaths.classPath().split(java.io.File.pathSeparator))
                .map(entry -> {
                    Matcher slf4j = Pattern.compile(".*/(slf4j-(?:api|simple))-2\\.[0-9.]+\\.jar$").matcher(entry);
                    return slf4j.matches() ? old.get(slf4j.group(1)) : entry;
                })
                .collect(Collectors.joining(java.io.File.pathSeparator));
        for (String entry : path.split(java.io.File.pathSeparator)) {
            if (entry.contains("slf4j")) {
                assertTrue(entry.contains("1.7.36") && Files.isRegularFile(Path.of(entry)),
                        "SLF4J 1.7.36 copied by the build: " + entry);
            }
        }
        return path;
    }

    private static JsonNode only(List<JsonNode> leaks, java.util.function.Predicate<JsonNode> which) {
        List<JsonNode> found = leaks.stream().filter(which).toList();
        assertEquals(1, found.size(), "exactly one such leak in " + leaks);
        return found.get(0);
    }

    private static List<String> frames(JsonNode leak, String field) {
        return java.util.stream.StreamSupport.stream(leak.path(field).spliterator(), false).map(JsonNode::asText)
                .toList();
    }
}
