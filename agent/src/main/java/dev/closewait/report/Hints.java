package dev.closewait.report;

import dev.closewait.core.Leak;

import java.util.List;

/**
 * The fix users need for leaks whose allocation stack shows a well-known connection pool: each library keeps idle
 * connections that the server may have closed long ago. See docs/fixing-leaks.md.
 */
public final class Hints {

    private record Hint(String classPrefix, String text) {
    }

    private static final List<Hint> HINTS = List.of(
            new Hint("org.apache.hc.client5.",
                    "Apache HttpClient 5 pool: idle connections the server closed wait in CLOSE_WAIT until reused or "
                            + "evicted. Build the client with evictExpiredConnections() and "
                            + "evictIdleConnections(TimeValue) shorter than the server's keep-alive timeout, and "
                            + "always close the CloseableHttpResponse (or consume its entity)."),
            new Hint("org.apache.http.",
                    "Apache HttpClient 4 pool: idle connections the server closed wait in CLOSE_WAIT until reused or "
                            + "evicted. Use HttpClientBuilder.evictExpiredConnections() and "
                            + "evictIdleConnections(...) shorter than the server's keep-alive timeout (or call "
                            + "PoolingHttpClientConnectionManager.closeIdleConnections periodically), and always "
                            + "consume the entity (EntityUtils.consume) or close the CloseableHttpResponse."),
            new Hint("okhttp3.",
                    "OkHttp: close every Response (try-with-resources on Response or its ResponseBody); an unclosed "
                            + "body keeps its connection. Idle pooled connections live for the ConnectionPool's "
                            + "keepAliveDuration (default 5 minutes): make it shorter than the server's idle "
                            + "timeout, or call connectionPool().evictAll() when done."),
            new Hint("jdk.internal.net.http.",
                    "JDK HttpClient: its pool keeps idle connections for jdk.httpclient.keepalive.timeout seconds "
                            + "(1200 by default on JDK 17, 30 on JDK 25); set that system property below the server's "
                            + "idle timeout, and always "
                            + "consume or close response bodies (e.g. BodyHandlers.discarding(), or close the "
                            + "InputStream of ofInputStream())."));

    private Hints() {
    }

    /** The hint for a leak allocated by one of these libraries, or null. */
    public static String forLeak(Leak leak) {
        if (leak.allocation() == null) {
            return null;
        }
        for (StackTraceElement frame : leak.allocation().getStackTrace()) {
            for (Hint hint : HINTS) {
                if (frame.getClassName().startsWith(hint.classPrefix())) {
                    return hint.text();
                }
            }
        }
        return null;
    }
}
