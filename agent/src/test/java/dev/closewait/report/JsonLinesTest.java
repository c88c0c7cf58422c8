package dev.closewait.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.closewait.core.Endpoints;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakKind;
import dev.closewait.core.LeakOutcome;
import dev.closewait.core.SocketType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonLinesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonLines format = new JsonLines(40);

    /** Parses one line strictly, after checking that it is one line. */
    private static JsonNode parse(String line) throws Exception {
        for (char c : line.toCharArray()) {
            assertTrue(c >= 0x20, () -> "raw control character " + (int) c + " in " + line);
        }
        return JSON.readTree(line);
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> strings(JsonNode array) {
        assertTrue(array.isArray(), array::toString);
        List<String> values = new ArrayList<>();
        array.forEach(element -> {
            assertTrue(element.isTextual(), element::toString);
            values.add(element.asText());
        });
        return values;
    }

    @Test
    void writesAnEofLeakWithEveryDocumentedField() throws Exception {
        JsonNode json = parse(format.leak(Leaks.eofNotClosed().build()));

        assertEquals(new TreeSet<>(List.of("event", "kind", "id", "type", "role", "local", "remote", "fd", "thread",
                "openThread", "openedAt", "eofAt", "kernelSince", "pid", "detectedAt", "ageMs", "sinceEofMs", "hint",
                "site", "allocationKnown", "stacksSampledOut", "lastUseThread", "lastUseAt", "lastUse", "allocation", "allocationFrom",
                "creationThread", "creation", "eofSite")), fieldNames(json));
        assertTrue(json.get("kernelSince").isNull(), "no kernel state behind an EOF leak");
        assertTrue(json.get("hint").isNull(), "no library hint for application code");
        assertTrue(json.get("allocationKnown").asBoolean());
        assertEquals("leak", json.get("event").asText());
        assertEquals("eof-not-closed", json.get("kind").asText());
        assertTrue(json.get("id").isIntegralNumber());
        assertEquals(42, json.get("id").asLong());
        assertEquals("java.net.Socket", json.get("type").asText());
        assertEquals("accepted", json.get("role").asText());
        assertEquals("127.0.0.1:8080", json.get("local").asText());
        assertEquals("10.0.0.2:51234", json.get("remote").asText());
        assertEquals(17, json.get("fd").asInt());
        assertEquals("reader", json.get("thread").asText());
        assertEquals("acceptor", json.get("openThread").asText());
        assertEquals("2023-11-14T22:13:20Z", json.get("openedAt").asText());
        assertEquals("2023-11-14T22:13:22.500Z", json.get("eofAt").asText());
        assertEquals("2023-11-14T22:13:52.500Z", json.get("detectedAt").asText());
        assertEquals(32_500, json.get("ageMs").asLong());
        assertEquals(30_000, json.get("sinceEofMs").asLong());
        assertEquals(List.of("java.net.ServerSocket.accept(ServerSocket.java:629)",
                "com.acme.server.Acceptor.run(Acceptor.java:33)", "java.lang.Thread.run(Thread.java:840)"),
                strings(json.get("allocation")));
        assertEquals(List.of("java.net.Socket$SocketInputStream.read(Socket.java:966)",
                "com.acme.server.Handler.serve(Handler.java:57)"), strings(json.get("eofSite")));
    }

    @Test
    void writesAGcLeakWithoutEndOfStream() throws Exception {
        JsonNode json = parse(format.leak(Leaks.gcNotClosed().client().build()));

        assertEquals("leak", json.get("event").asText());
        assertEquals("gc-not-closed", json.get("kind").asText());
        assertEquals("client", json.get("role").asText());
        assertTrue(json.get("eofAt").isNull(), json::toString);
        assertEquals(-1, json.get("sinceEofMs").asLong());
        assertEquals(List.of(), strings(json.get("eofSite")));
        assertEquals("acceptor", json.get("thread").asText(), "no EOF: the opening thread");
        assertEquals(32_500, json.get("ageMs").asLong());
    }

    @Test
    void writesAGcLeakThatHadReadEndOfStream() throws Exception {
        JsonNode json = parse(format.leak(Leaks.gcNotClosed().withEndOfStream(true).build()));

        assertEquals("gc-not-closed", json.get("kind").asText());
        assertEquals("2023-11-14T22:13:22.500Z", json.get("eofAt").asText());
        assertEquals(30_000, json.get("sinceEofMs").asLong());
        assertEquals("reader", json.get("thread").asText());
        assertEquals(2, strings(json.get("eofSite")).size());
    }

    @Test
    void writesIpv6AddressesInBrackets() throws Exception {
        Leak leak = Leaks.eofNotClosed()
                .endpoints(new Endpoints(5, Leaks.ipv6Loopback(8443), Leaks.ipv6Loopback(40000))).build();

        JsonNode json = parse(format.leak(leak));

        assertEquals("[0:0:0:0:0:0:0:1]:8443", json.get("local").asText());
        assertEquals("[0:0:0:0:0:0:0:1]:40000", json.get("remote").asText());
    }

    @Test
    void writesUnknownEndpointsAsNullAndMinusOne() throws Exception {
        JsonNode json = parse(format.leak(Leaks.eofNotClosed().endpoints(Endpoints.UNKNOWN).build()));

        assertTrue(json.get("local").isNull());
        assertTrue(json.get("remote").isNull());
        assertEquals(-1, json.get("fd").asInt());
    }

    @Test
    void limitsStacksToTheConfiguredDepth() throws Exception {
        JsonNode json = parse(new JsonLines(1).leak(Leaks.eofNotClosed().build()));

        assertEquals(List.of("java.net.ServerSocket.accept(ServerSocket.java:629)"), strings(json.get("allocation")));
        assertEquals(1, strings(json.get("eofSite")).size());
    }

    @Test
    void writesACloseAfterTheReport() throws Exception {
        Leak leak = Leaks.eofNotClosed().build();

        JsonNode json = parse(format.outcome(Leaks.outcome(leak, LeakOutcome.Kind.CLOSED, 5_000)));

        assertEquals(new TreeSet<>(List.of("event", "pid", "kind", "id", "type", "role", "local", "remote", "fd",
                "thread", "closedAt", "afterReportMs")), fieldNames(json));
        assertEquals(ProcessHandle.current().pid(), json.get("pid").asLong());
        assertEquals("closed", json.get("event").asText());
        assertEquals("eof-not-closed", json.get("kind").asText());
        assertEquals(42, json.get("id").asLong());
        assertEquals("closer", json.get("thread").asText());
        assertEquals("2023-11-14T22:13:57.500Z", json.get("closedAt").asText());
        assertEquals(5_000, json.get("afterReportMs").asLong());
        assertEquals("10.0.0.2:51234", json.get("remote").asText());
    }

    @ParameterizedTest(name = "{0} released its descriptor: {1}")
    @CsvSource({"SOCKET, true", "SSL_SOCKET, true", "SOCKET_CHANNEL, false", "ASYNC_SOCKET_CHANNEL, false"})
    void saysWhetherCollectionReleasedTheDescriptor(SocketType type, boolean released) throws Exception {
        Leak leak = Leaks.eofNotClosed().type(type).build();

        JsonNode json = parse(format.outcome(Leaks.outcome(leak, LeakOutcome.Kind.COLLECTED, 120_000)));

        assertEquals("collected", json.get("event").asText());
        assertEquals(42, json.get("id").asLong());
        assertEquals(type.displayName(), json.get("type").asText());
        assertTrue(json.get("fdReleased").isBoolean(), json::toString);
        assertEquals(released, json.get("fdReleased").asBoolean());
        assertEquals("2023-11-14T22:15:52.500Z", json.get("collectedAt").asText());
        assertEquals(120_000, json.get("afterReportMs").asLong());
        assertFalse(json.has("closedAt"));
    }

    @ParameterizedTest(name = "thread name {index}")
    @ValueSource(strings = {"say \"hi\"", "C:\\temp\\x", "two\nlines", "cr\rlf", "tab\there", "bell\u0007",
            "nul\u0000", "unit\u001f", "del\u007f", "Поток-ü-😀", "</script>", "\\u0041", "\u2028line"})
    void keepsThreadNamesIntactThroughEscaping(String name) throws Exception {
        Leak leak = Leaks.eofNotClosed().threads(name, name + "-eof").build();

        JsonNode leakJson = parse(format.leak(leak));
        JsonNode closedJson = parse(new JsonLines(40).outcome(
                new LeakOutcome(leak, LeakOutcome.Kind.CLOSED, Leaks.DETECTED_NANOS, Leaks.BASE_EPOCH_MILLIS, name)));

        assertEquals(name, leakJson.get("openThread").asText());
        assertEquals(name + "-eof", leakJson.get("thread").asText());
        assertEquals(name, closedJson.get("thread").asText());
    }

    @Test
    void writesEveryKindTypeAndOutcomeAsValidJson() throws Exception {
        for (LeakKind kind : LeakKind.values()) {
            for (SocketType type : SocketType.values()) {
                for (boolean eof : new boolean[]{true, false}) {
                    Leak leak = Leaks.eofNotClosed().kind(kind).type(type).withEndOfStream(eof).build();
                    assertEquals(kind.id(), parse(format.leak(leak)).get("kind").asText());
                    for (LeakOutcome.Kind outcome : LeakOutcome.Kind.values()) {
                        assertEquals(42, parse(format.outcome(Leaks.outcome(leak, outcome, 1))).get("id").asLong());
                    }
                }
            }
        }
    }

    @Test
    void writesACloseWaitLeakWithWhenTheKernelFirstShowedIt() throws Exception {
        JsonNode json = parse(format.leak(Leaks.closeWait().build()));

        assertEquals("close-wait", json.get("kind").asText());
        assertEquals("2023-11-14T22:13:22.500Z", json.get("kernelSince").asText(), "30s before the report");
        assertEquals("2023-11-14T22:13:52.500Z", json.get("detectedAt").asText());
        assertTrue(json.get("eofAt").isNull());
        assertEquals(-1, json.get("sinceEofMs").asLong());
        assertEquals(List.of(), strings(json.get("eofSite")));
        assertTrue(json.get("allocationKnown").isBoolean());
        assertTrue(json.get("allocationKnown").asBoolean());
        assertEquals("2023-11-14T22:13:20Z", json.get("openedAt").asText());
        assertEquals(32_500, json.get("ageMs").asLong());
        assertEquals("acceptor", json.get("thread").asText(), "no EOF: the opening thread");
    }

    @Test
    void writesAResetLeakWithWhenTheConnectionWentAway() throws Exception {
        JsonNode json = parse(format.leak(Leaks.resetNotClosed().build()));

        assertEquals("reset-not-closed", json.get("kind").asText());
        assertEquals("2023-11-14T22:13:40.500Z", json.get("kernelSince").asText(), "12s before the report");
    }

    @Test
    void saysASocketWhoseStacksWereSampledOutWasSeenOpened() throws Exception {
        JsonNode json = parse(format.leak(Leaks.eofNotClosed().sampledOut().build()));

        assertFalse(json.get("allocationKnown").asBoolean(), "no allocation stack");
        assertTrue(json.get("stacksSampledOut").asBoolean());
        assertFalse(json.get("openedAt").isNull(), "the agent saw it opened");
        assertFalse(parse(format.leak(Leaks.eofNotClosed().build())).get("stacksSampledOut").asBoolean());
    }

    @Test
    void writesWhereAChannelConnectedOnAnotherThreadWasCreated() throws Exception {
        JsonNode created = parse(format.leak(Leaks.eofNotClosed().client().allocatedAt(SitesTest.NETTY_CONNECT)
                .eofAt(SitesTest.NETTY_EOF).createdAt(SitesTest.NETTY_CREATE).build()));
        JsonNode plain = parse(format.leak(Leaks.eofNotClosed().build()));

        assertEquals("main", created.get("creationThread").asText());
        assertEquals("com.acme.cache.CacheClient.open(CacheClient.java:31)", created.get("site").asText());
        assertEquals(List.of("sun.nio.ch.SelectorProviderImpl.openSocketChannel(SelectorProviderImpl.java:77)",
                "io.netty.channel.socket.nio.NioSocketChannel.newChannel(NioSocketChannel.java:71)",
                "io.netty.bootstrap.Bootstrap.connect(Bootstrap.java:123)",
                "com.acme.cache.CacheClient.open(CacheClient.java:31)", "com.acme.Main.main(Main.java:9)"),
                strings(created.get("creation")));
        assertTrue(plain.get("creationThread").isNull());
        assertEquals(0, plain.get("creation").size());
    }

    @Test
    void writesASocketOnlyTheKernelKnewWithItsAllocationUnknown() throws Exception {
        JsonNode json = parse(format.leak(Leaks.allocationUnknown().build()));

        assertEquals(new TreeSet<>(List.of("event", "pid", "kind", "id", "type", "role", "local", "remote", "fd",
                "thread", "openThread", "openedAt", "eofAt", "kernelSince", "detectedAt", "ageMs", "sinceEofMs", "hint",
                "site", "allocationKnown", "stacksSampledOut", "lastUseThread", "lastUseAt", "lastUse", "allocation", "allocationFrom",
                "creationThread", "creation", "eofSite")), fieldNames(json), "the same fields, some empty");
        assertTrue(json.get("site").isNull(), "no stack, no site");
        assertTrue(json.get("allocationKnown").isBoolean());
        assertFalse(json.get("allocationKnown").asBoolean());
        assertFalse(json.get("stacksSampledOut").asBoolean(), "never seen opened, not sampled out");
        assertEquals(List.of(), strings(json.get("allocation")));
        assertTrue(json.get("openedAt").isNull(), json::toString);
        assertTrue(json.get("ageMs").isIntegralNumber());
        assertEquals(-1, json.get("ageMs").asLong());
        assertTrue(json.get("openThread").isNull());
        assertTrue(json.get("thread").isNull());
        assertTrue(json.get("hint").isNull());
        assertEquals("unknown", json.get("type").asText());
        assertEquals("close-wait", json.get("kind").asText());
        assertEquals("2023-11-14T22:13:22.500Z", json.get("kernelSince").asText());
        assertEquals("127.0.0.1:8080", json.get("local").asText());
        assertEquals(17, json.get("fd").asInt());
    }

    @Test
    void writesTheCloseOfASocketOnlyTheKernelKnewWithoutAThread() throws Exception {
        Leak leak = Leaks.allocationUnknown().build();

        JsonNode json = parse(format.outcome(new LeakOutcome(leak, LeakOutcome.Kind.CLOSED,
                leak.detectedNanos() + 5_000_000_000L, leak.detectedEpochMillis() + 5_000, null)));

        assertEquals("closed", json.get("event").asText());
        assertTrue(json.get("thread").isNull(), json::toString);
        assertEquals("2023-11-14T22:13:57.500Z", json.get("closedAt").asText());
        assertEquals(5_000, json.get("afterReportMs").asLong());
    }

    @Test
    void writesTheLibraryHint() throws Exception {
        Leak leak = Leaks.closeWait().client().allocatedAt(
                Leaks.frame("org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager", "connect",
                        "PoolingHttpClientConnectionManager.java", 447),
                Leaks.frame("com.acme.Client", "call", "Client.java", 12)).build();

        JsonNode json = parse(format.leak(leak));

        assertEquals(Hints.forLeak(leak), json.get("hint").asText());
        assertTrue(json.get("hint").asText().startsWith("Apache HttpClient 5 pool: "));
    }
}
