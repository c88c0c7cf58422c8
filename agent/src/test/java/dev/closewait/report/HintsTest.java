package dev.closewait.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.closewait.report.Leaks.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @Test
    void tellsApacheHttpClient4UsersToEvictIdleConnections() {
        String hint = hint(HTTP_CLIENT_4);

        assertTrue(hint.startsWith("Apache HttpClient 4 pool: "), hint);
        assertTrue(hint.contains("evictIdleConnections") && hint.contains("EntityUtils.consume"), hint);
    }

    @Test
    void tellsApacheHttpClient5UsersToEvictIdleConnections() {
        String hint = hint(HTTP_CLIENT_5);

        assertTrue(hint.startsWith("Apache HttpClient 5 pool: "), hint);
        assertTrue(hint.contains("evictIdleConnections(TimeValue)") && hint.contains("CloseableHttpResponse"), hint);
    }

    @Test
    void tellsOkHttpUsersToCloseEveryResponse() {
        String hint = hint(OKHTTP);

        assertTrue(hint.startsWith("OkHttp: close every Response"), hint);
        assertTrue(hint.contains("keepAliveDuration"), hint);
    }

    @Test
    void tellsJdkHttpClientUsersAboutTheKeepAliveTimeout() {
        String hint = hint(JDK_HTTP_CLIENT);

        assertTrue(hint.startsWith("JDK HttpClient: "), hint);
        assertTrue(hint.contains("jdk.httpclient.keepalive.timeout"), hint);
    }

    @Test
    void givesEachLibraryItsOwnHint() {
        Set<String> hints = Stream.of(HTTP_CLIENT_4, HTTP_CLIENT_5, OKHTTP, JDK_HTTP_CLIENT)
                .map(HintsTest::hint).collect(Collectors.toSet());

        assertEquals(4, hints.size());
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
}
