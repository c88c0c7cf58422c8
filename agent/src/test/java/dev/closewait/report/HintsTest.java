package dev.closewait.report;

import dev.closewait.core.Leak;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.closewait.report.Leaks.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Allocation stacks as the agent captures them: its own hook on top, the JDK's socket code, a library, the app. */
class HintsTest {

    private static final StackTraceElement HOOK =
            frame("dev.closewait.bootstrap.SocketHooks", "connected", "SocketHooks.java", 52);
    private static final StackTraceElement APPLICATION =
            frame("com.acme.billing.InvoiceClient", "fetch", "InvoiceClient.java", 88);
    private static final StackTraceElement THREAD = frame("java.lang.Thread", "run", "Thread.java", 840);

    private static final StackTraceElement[] HTTP_CLIENT_4 = {HOOK,
            frame("java.net.Socket", "connect", "Socket.java", 633),
            frame("org.apache.http.conn.socket.PlainConnectionSocketFactory", "connectSocket",
                    "PlainConnectionSocketFactory.java", 75),
            frame("org.apache.http.impl.conn.DefaultHttpClientConnectionOperator", "connect",
                    "DefaultHttpClientConnectionOperator.java", 142),
            frame("org.apache.http.impl.conn.PoolingHttpClientConnectionManager", "connect",
                    "PoolingHttpClientConnectionManager.java", 376),
            frame("org.apache.http.impl.execchain.MainClientExec", "establishRoute", "MainClientExec.java", 393),
            frame("org.apache.http.impl.client.CloseableHttpClient", "execute", "CloseableHttpClient.java", 108),
            APPLICATION, THREAD};
    private static final StackTraceElement[] HTTP_CLIENT_5 = {HOOK,
            frame("java.net.Socket", "connect", "Socket.java", 633),
            frame("org.apache.hc.client5.http.socket.PlainConnectionSocketFactory", "connectSocket",
                    "PlainConnectionSocketFactory.java", 87),
            frame("org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator", "connect",
                    "DefaultHttpClientConnectionOperator.java", 168),
            frame("org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager", "connect",
                    "PoolingHttpClientConnectionManager.java", 447),
            frame("org.apache.hc.client5.http.impl.classic.InternalExecRuntime", "connectEndpoint",
                    "InternalExecRuntime.java", 162),
            frame("org.apache.hc.client5.http.impl.classic.ConnectExec", "execute", "ConnectExec.java", 188),
            frame("org.apache.hc.client5.http.impl.classic.CloseableHttpClient", "execute",
                    "CloseableHttpClient.java", 245),
            APPLICATION, THREAD};
    private static final StackTraceElement[] OKHTTP = {HOOK,
            frame("java.net.Socket", "connect", "Socket.java", 633),
            frame("okhttp3.internal.platform.Platform", "connectSocket", "Platform.kt", 128),
            frame("okhttp3.internal.connection.RealConnection", "connectSocket", "RealConnection.kt", 295),
            frame("okhttp3.internal.connection.RealConnection", "connect", "RealConnection.kt", 207),
            frame("okhttp3.internal.connection.ExchangeFinder", "findConnection", "ExchangeFinder.kt", 226),
            frame("okhttp3.internal.connection.RealCall", "execute", "RealCall.kt", 154),
            APPLICATION, THREAD};
    private static final StackTraceElement[] JDK_HTTP_CLIENT = {HOOK,
            frame("sun.nio.ch.SocketChannelImpl", "connect", "SocketChannelImpl.java", 851),
            frame("jdk.internal.net.http.PlainHttpConnection", "lambda$connectAsync$0", "PlainHttpConnection.java",
                    210),
            frame("java.security.AccessController", "doPrivileged", "AccessController.java", 569),
            frame("jdk.internal.net.http.PlainHttpConnection", "connectAsync", "PlainHttpConnection.java", 212),
            frame("jdk.internal.net.http.HttpClientImpl", "send", "HttpClientImpl.java", 577),
            frame("jdk.internal.net.http.HttpClientFacade", "send", "HttpClientFacade.java", 123),
            APPLICATION, THREAD};

    private static String hint(StackTraceElement... allocation) {
        return Hints.forLeak(Leaks.closeWait().allocatedAt(allocation).build());
    }

    private static String leasedHint(StackTraceElement... allocation) {
        return Hints.forLeak(Leaks.closeWait().client().allocatedAt(allocation).reconnected().build());
    }

    @Test
    void tellsApacheHttpClient4UsersToEvictIdleConnections() {
        String hint = hint(HTTP_CLIENT_4);

        assertTrue(hint.startsWith("Apache HttpClient 4 pool: "), hint);
        assertTrue(hint.contains("evictIdleConnections"), hint);
        assertTrue(hint.endsWith("See docs/fixing-leaks.md#httpclient-4-idle."), hint);
    }

    @Test
    void tellsApacheHttpClient4UsersWhoseConnectionStayedLeasedToConsumeTheEntity() {
        String hint = leasedHint(HTTP_CLIENT_4);

        assertTrue(hint.startsWith("Apache HttpClient 4, leased connection never released: "), hint);
        assertTrue(hint.contains("EntityUtils.consume"), hint);
        assertTrue(hint.endsWith("See docs/fixing-leaks.md#httpclient-4-leased."), hint);
    }

    @Test
    void tellsApacheHttpClient5UsersToEvictIdleConnectionsOrCloseTheResponse() {
        assertTrue(hint(HTTP_CLIENT_5).startsWith("Apache HttpClient 5 pool: "));
        assertTrue(hint(HTTP_CLIENT_5).contains("evictIdleConnections(TimeValue)"));
        assertTrue(leasedHint(HTTP_CLIENT_5).contains("CloseableHttpResponse"));
        assertTrue(leasedHint(HTTP_CLIENT_5).endsWith("#httpclient-5-leased."));
    }

    @Test
    void tellsOkHttpUsersToCloseEveryResponseOrShortenKeepAlive() {
        assertTrue(leasedHint(OKHTTP).startsWith("OkHttp, response never closed"), leasedHint(OKHTTP));
        assertTrue(hint(OKHTTP).contains("keepAliveDuration"), hint(OKHTTP));
    }

    /**
     * One leaked response and no newer connection to the server: nothing tells it from an idle pooled connection, so
     * the hint names both causes (it named the pool only, whose settings do not close a leaked connection).
     */
    @Test
    void anIdleHintAlsoNamesTheUnclosedResponseItCannotRuleOut() {
        assertTrue(hint(OKHTTP).contains("Or its last request never released it"), hint(OKHTTP));
        assertTrue(hint(OKHTTP).contains("close every Response"), hint(OKHTTP));
        assertTrue(hint(HTTP_CLIENT_5).contains("close every CloseableHttpResponse"), hint(HTTP_CLIENT_5));
        assertTrue(hint(HTTP_CLIENT_4).contains("EntityUtils.consume"), hint(HTTP_CLIENT_4));
        assertTrue(hint(JDK_HTTP_CLIENT).contains("BodyHandlers.discarding()"), hint(JDK_HTTP_CLIENT));
        assertTrue(!leasedHint(OKHTTP).contains("keepAliveDuration"), "leased is certain: no pool advice");
    }

    @Test
    void tellsJdkHttpClientUsersAboutTheKeepAliveTimeoutOrTheBody() {
        assertTrue(hint(JDK_HTTP_CLIENT).startsWith("JDK HttpClient pool: "));
        assertTrue(hint(JDK_HTTP_CLIENT).contains("jdk.httpclient.keepalive.timeout"));
        assertTrue(leasedHint(JDK_HTTP_CLIENT).contains("BodyHandlers.discarding()"));
    }

    @Test
    void givesEachLibraryAndCaseItsOwnHint() {
        Set<String> hints = Stream.of(HTTP_CLIENT_4, HTTP_CLIENT_5, OKHTTP, JDK_HTTP_CLIENT)
                .flatMap(stack -> Stream.of(hint(stack), leasedHint(stack))).collect(Collectors.toSet());

        assertEquals(8, hints.size());
    }

    @Test
    void tellsNettyUsersWhoRequiredHalfClosureToCloseOnInputShutdown() {
        Leak leak = Leaks.eofNotClosed().client().allocatedAt(SitesTest.NETTY_CONNECT).eofAt(SitesTest.NETTY_EOF)
                .createdAt(SitesTest.NETTY_CREATE).build();

        assertEquals("netty-half-closure", Hints.hintFor(leak).id());
        assertTrue(Hints.forLeak(leak).contains("ALLOW_HALF_CLOSURE"), Hints.forLeak(leak));
        assertEquals(null, Hints.hintFor(Leaks.gcNotClosed().client().allocatedAt(SitesTest.NETTY_CONNECT).build()),
                "a collected channel: neither option is the cause");
    }

    @Test
    void recognisesTheLibraryInTheLastUseToo() {
        Leak leak = Leaks.closeWait().client()
                .allocatedAt(HOOK, frame("java.net.Socket", "connect", "Socket.java", 633), APPLICATION, THREAD)
                .lastUsedAt(HOOK, frame("redis.clients.jedis.Connection", "sendCommand", "Connection.java", 120),
                        APPLICATION, THREAD)
                .reconnected().build();

        assertTrue(Hints.forLeak(leak).contains("#jedis-leased"), Hints.forLeak(leak));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "sun.net.httpserver.ServerImpl$Dispatcher, true, jdk-httpserver",
            "org.apache.coyote.http11.Http11Processor, true, servlet-async",
            "org.eclipse.jetty.server.HttpChannel, true, servlet-async",
            "sun.net.www.protocol.http.HttpURLConnection, false, httpurlconnection-idle",
            "org.apache.commons.net.ftp.FTPClient, false, commons-net-retrievefilestream",
            "com.zaxxer.hikari.pool.HikariPool, false, jdbc-idle",
            "org.postgresql.core.PGStream, false, jdbc-idle",
            "redis.clients.jedis.Connection, false, jedis-idle",
            "io.netty.channel.nio.NioEventLoop, false, netty-never-read",
            "io.netty.channel.nio.NioEventLoop, true, netty-never-read"})
    void linksEachHintToItsSection(String className, boolean accepted, String section) {
        Leaks leaks = Leaks.closeWait().allocatedAt(HOOK, frame(className, "run", "X.java", 1), THREAD);
        if (!accepted) {
            leaks.client();
        }
        Hints.Hint hint = Hints.hintFor(leaks.build());

        assertEquals(section, hint == null ? null : hint.id());
    }

    /**
     * A correct program that read and closed every body still has its idle connection in the JDK's keep-alive cache
     * when the server closes it: that is not "never read to the end and closed" (a real-library run, 2026-12-01).
     */
    @Test
    void tellsAnIdleHttpUrlConnectionInTheKeepAliveCacheFromOneLeftUnread() {
        StackTraceElement client = frame("sun.net.www.http.HttpClient", "openServer", "HttpClient.java", 600);
        Leaks idle = Leaks.closeWait().client().allocatedAt(HOOK, client, APPLICATION, THREAD);
        Leaks leased = Leaks.closeWait().client().allocatedAt(HOOK, client, APPLICATION, THREAD).reconnected();

        assertEquals("httpurlconnection-idle", Hints.hintFor(idle.build()).id());
        assertEquals("httpurlconnection", Hints.hintFor(leased.build()).id());
        assertTrue(Hints.forLeak(idle.build()).contains("Keep-Alive-Timer"), Hints.forLeak(idle.build()));
        // The last of several unread responses has no newer connection after it either: hedged, never "fine".
        assertTrue(Hints.forLeak(idle.build()).contains("Or its last request never released it"),
                Hints.forLeak(idle.build()));
        assertFalse(Hints.forLeak(idle.build()).contains("code is fine"), Hints.forLeak(idle.build()));
    }

    @Test
    void hasNoHintForApplicationCode() {
        assertNull(hint(HOOK, frame("java.net.Socket", "connect", "Socket.java", 633), APPLICATION, THREAD));
        assertNull(Hints.forLeak(Leaks.eofNotClosed().build()), "the default stack: a plain ServerSocket.accept");
    }

    @Test
    void hasNoHintWhenTheAllocationIsUnknown() {
        assertNull(Hints.forLeak(Leaks.allocationUnknown().build()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"org.apache.httpx.Client", "okhttp3x.Call", "com.acme.okhttp3.Wrapper", "jdk.internal.net.httpx.Foo"})
    void matchesWholePackageNamesOnly(String className) {
        assertNull(hint(HOOK, frame(className, "call", "X.java", 1), APPLICATION));
    }

    @Test
    void looksOnlyAtTheAllocationNotWhereEndOfStreamWasRead() {
        Leaks leaks = Leaks.eofNotClosed();
        leaks.eofSite = Leaks.callSite(OKHTTP);

        assertNull(Hints.forLeak(leaks.build()));
    }

    @Test
    void everyHintLinksToASectionThatExists() throws Exception {
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "fixing-leaks.md"));

        assertEquals(19, Hints.all().size(), "7 pooled clients with two hints each, 5 others");
        for (Hints.Hint hint : Hints.all()) {
            assertTrue(doc.contains("<a id=\"" + hint.id() + "\"></a>"), "no section for " + hint.id());
        }
    }
}
