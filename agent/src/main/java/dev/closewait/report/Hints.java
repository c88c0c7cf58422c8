package dev.closewait.report;

import dev.closewait.core.Leak;
import dev.closewait.core.LeakKind;

import java.util.List;

/**
 * What to do about a leak, for the libraries and servers that cause most of them, recognised by their frames in the
 * last-use and allocation stacks. Pooled clients get one of two hints: a connection that was still leased (a newer
 * connection to the same server was opened after its last use, which a pool does only when it cannot reuse this
 * one: {@link Leak#reconnectedSinceUse()}) needs its response closed; an idle one needs idle eviction. Each hint
 * ends with the section of docs/fixing-leaks.md that explains it.
 */
public final class Hints {

    static final String DOC = "docs/fixing-leaks.md#";

    /** A hint: its section anchor in docs/fixing-leaks.md and its text. */
    public record Hint(String id, String text) {
        /** The text and where to read more, as reports show it. */
        public String full() {
            return text + " See " + DOC + id + ".";
        }
    }

    private record Pooled(List<String> prefixes, Hint leased, Hint idle) {
    }

    /**
     * A pooled client's idle hint, which also names the leased cause: without a newer connection to the same server
     * opened after this one's last use ({@link Leak#reconnectedSinceUse()}), a connection idle in the pool and one
     * whose response was never closed look the same (found with a single leaked OkHttp and HttpClient 5 response,
     * 2026-12-01: the hint told the user to tune the pool, which did not close the leaked connection).
     */
    private static Hint idle(String id, String idleText, String leasedFix) {
        return new Hint(id, idleText + " Or its last request never released it (the two look alike until a newer "
                + "connection to this server is opened): " + leasedFix);
    }

    private static final List<Pooled> POOLED_CLIENTS = List.of(
            new Pooled(List.of("org.apache.hc.client5."),
                    new Hint("httpclient-5-leased", "Apache HttpClient 5, leased connection never released: a newer "
                            + "connection to this server was opened after this one's last request, so the pool could "
                            + "not reuse it. That request did not close its CloseableHttpResponse nor consume its "
                            + "entity: use try-with-resources on the response, EntityUtils.consume(entity), or "
                            + "execute(request, responseHandler)."),
                    idle("httpclient-5-idle", "Apache HttpClient 5 pool: an idle pooled connection the server "
                            + "closed waits in CLOSE_WAIT until reused or evicted. Build the client with "
                            + "evictExpiredConnections() and evictIdleConnections(TimeValue) shorter than the "
                            + "server's keep-alive timeout.", "close every CloseableHttpResponse (try-with-resources) "
                            + "or consume its entity.")),
            new Pooled(List.of("org.apache.http."),
                    new Hint("httpclient-4-leased", "Apache HttpClient 4, leased connection never released: a newer "
                            + "connection to this server was opened after this one's last request, so the pool could "
                            + "not reuse it. That request did not consume the entity nor close the response: "
                            + "EntityUtils.consume(response.getEntity()) or try-with-resources on the "
                            + "CloseableHttpResponse, or execute(request, responseHandler)."),
                    idle("httpclient-4-idle", "Apache HttpClient 4 pool: idle connections the server closed wait "
                            + "in CLOSE_WAIT until reused or evicted. Use HttpClientBuilder.evictExpiredConnections() "
                            + "and evictIdleConnections(...) shorter than the server's keep-alive timeout (or call "
                            + "PoolingHttpClientConnectionManager.closeIdleConnections periodically).",
                            "EntityUtils.consume(response.getEntity()) or close the CloseableHttpResponse.")),
            new Pooled(List.of("okhttp3."),
                    new Hint("okhttp-leased", "OkHttp, response never closed: a newer connection to this server was "
                            + "opened after this one's last call, so the pool could not reuse it. Close every "
                            + "Response (try-with-resources on Response or its ResponseBody); an unclosed body keeps "
                            + "its connection."),
                    idle("okhttp-idle", "OkHttp pool: idle pooled connections live for the ConnectionPool's "
                            + "keepAliveDuration (default 5 minutes): make it shorter than the server's idle timeout, "
                            + "or call connectionPool().evictAll() when done.", "close every Response "
                            + "(try-with-resources on Response or its ResponseBody).")),
            new Pooled(List.of("jdk.internal.net.http."),
                    new Hint("jdk-httpclient-leased", "JDK HttpClient, response body never consumed: a newer "
                            + "connection to this server was opened after this one's last request. Consume or close "
                            + "every body (BodyHandlers.discarding(), or close the InputStream of ofInputStream())."),
                    idle("jdk-httpclient-idle", "JDK HttpClient pool: it keeps idle connections for "
                            + "jdk.httpclient.keepalive.timeout seconds (1200 by default on JDK 17, 30 on JDK 25); set "
                            + "that system property below the server's idle timeout.", "consume or close every body "
                            + "(BodyHandlers.discarding(), or close the InputStream of ofInputStream()).")),
            new Pooled(List.of("redis.clients.jedis."),
                    new Hint("jedis-leased", "Jedis, connection never returned to the pool: a newer connection to "
                            + "this server was opened after this one's last command. Close every Jedis taken from "
                            + "JedisPool.getResource() (try-with-resources), or use JedisPooled."),
                    idle("jedis-idle", "Jedis pool: an idle pooled connection Redis closed (its 'timeout' "
                            + "setting). Evict idle connections sooner: JedisPoolConfig setTestWhileIdle(true), "
                            + "setTimeBetweenEvictionRuns and setMinEvictableIdleTime shorter than Redis' timeout.",
                            "close every Jedis taken from JedisPool.getResource() (try-with-resources).")),
            new Pooled(List.of("com.zaxxer.hikari.", "org.apache.commons.dbcp2.", "com.mchange.", "org.postgresql.",
                    "com.mysql.", "org.mariadb.", "oracle.jdbc.", "com.microsoft.sqlserver.", "com.ibm.db2.",
                    "net.sourceforge.jtds."),
                    new Hint("jdbc-leased", "JDBC connection never closed: a newer connection to this database was "
                            + "opened after this one's last statement, so the pool could not reuse it. Close every "
                            + "Connection (try-with-resources); HikariCP's leakDetectionThreshold names the borrower."),
                    idle("jdbc-idle", "JDBC pool: the database closed an idle pooled connection (MySQL "
                            + "wait_timeout, a proxy's or firewall's idle timeout). Set HikariCP maxLifetime (and "
                            + "keepaliveTime, idleTimeout) a few seconds below the server's timeout.",
                            "close every Connection (try-with-resources).")),
            // Leased keeps the id it had before the idle case was told apart (2026-12-01): correct code that read
            // and closed every body was told to do so, for a connection the JDK's keep-alive cache held idle.
            new Pooled(List.of("sun.net.www.protocol.http.", "sun.net.www.http."),
                    new Hint("httpurlconnection", "HttpURLConnection: a response stream was never read to the "
                            + "end and closed, so the connection neither went back to the keep-alive cache nor "
                            + "closed: a newer connection to this server was opened after this one's last request. "
                            + "For every status read and close getInputStream(), or getErrorStream() when the status "
                            + "is 400 or more (getInputStream() throws then), or call disconnect()."),
                    // Hedged like the other idle hints: the last of several leaked responses has no newer
                    // connection after it and looked idle, and was told "the application's code is fine" (new-user
                    // trial, 2026-12-02).
                    idle("httpurlconnection-idle", "HttpURLConnection keep-alive cache: an idle connection the "
                            + "server closed waits in the JDK's cache until its keep-alive time ends (the server's "
                            + "Keep-Alive timeout, else 5 s; JDK 20 and later: -Dhttp.keepAlive.time.server=N), then "
                            + "the JDK's Keep-Alive-Timer closes it: if so, report it only with a grace longer than "
                            + "that time, or lower that time below the server's idle timeout.",
                            "for every status read and close getInputStream(), or getErrorStream() when the status "
                            + "is 400 or more, or call disconnect().")));
    private static final Hint COMMONS_NET = new Hint("commons-net-retrievefilestream", "Apache Commons Net: a "
            + "data connection of retrieveFileStream/storeFileStream was not finished. Close the stream, then call "
            + "completePendingCommand(); call logout() and disconnect() in finally for the control connection.");
    private static final Hint SERVLET_ASYNC = new Hint("servlet-async", "Servlet container: the client gave up on "
            + "this request and the container never closed it; usually a request put in async mode "
            + "(startAsync) that never completes. Call AsyncContext.complete() (or dispatch) on every path, set "
            + "setTimeout, and add an AsyncListener whose onTimeout/onError complete it. A Jetty 12 core Handler: "
            + "complete its Callback (succeeded or failed) on every path, timeouts included.");
    private static final Hint JDK_HTTP_SERVER = new Hint("jdk-httpserver", "JDK HttpServer: a handler returned "
            + "without closing its HttpExchange, so the connection stays open after the client left. Close the "
            + "exchange on every path, errors included (try (exchange) { ... } or exchange.close() in finally), "
            + "after sendResponseHeaders.");

    private static final Hint NETTY_HALF_CLOSURE = new Hint("netty-half-closure", "Netty channel that read EOF and "
            + "stayed open: Netty closes a channel on EOF by itself unless ChannelOption.ALLOW_HALF_CLOSURE is set; "
            + "then the handler must close it on ChannelInputShutdownEvent (userEventTriggered), or drop the option.");
    private static final Hint NETTY_NEVER_READ = new Hint("netty-never-read", "Netty channel never read after the "
            + "peer closed: Netty sees the EOF, and closes, only when it reads. With AUTO_READ off (setAutoRead(false)) "
            + "nothing is read until ctx.read(): keep reading while the channel is idle, or close idle channels "
            + "(IdleStateHandler).");

    private Hints() {
    }

    /** Every hint, for checking that each has its section in the documentation. */
    static List<Hint> all() {
        List<Hint> all = new java.util.ArrayList<>(List.of(COMMONS_NET, SERVLET_ASYNC, JDK_HTTP_SERVER,
                NETTY_HALF_CLOSURE, NETTY_NEVER_READ));
        for (Pooled pooled : POOLED_CLIENTS) {
            all.add(pooled.leased());
            all.add(pooled.idle());
        }
        return all;
    }

    /** The hint for a leak, with its documentation link; null when no library or server is recognised. */
    public static String forLeak(Leak leak) {
        Hint hint = hintFor(leak);
        return hint == null ? null : hint.full();
    }

    /** The hint for a leak, or null. */
    public static Hint hintFor(Leak leak) {
        if (leak.accepted()) {
            if (mentions(leak, List.of("sun.net.httpserver."))) {
                return JDK_HTTP_SERVER;
            }
            if (leak.kind() != LeakKind.GC_NOT_CLOSED && mentions(leak, List.of("org.apache.catalina.",
                    "org.apache.coyote.", "org.apache.tomcat.", "org.eclipse.jetty.", "io.undertow.",
                    "jakarta.servlet.", "javax.servlet."))) {
                return SERVLET_ASYNC;
            }
        }
        if (mentions(leak, List.of("org.apache.commons.net."))) {
            return COMMONS_NET;
        }
        for (Pooled pooled : POOLED_CLIENTS) {
            if (mentions(leak, pooled.prefixes())) {
                return leak.reconnectedSinceUse() ? pooled.leased() : pooled.idle();
            }
        }
        // After the pooled clients: a library built on Netty (Lettuce, Reactor Netty) knows better what to do.
        if (leak.kind() != LeakKind.GC_NOT_CLOSED && mentions(leak, List.of("io.netty."))) {
            return leak.kind() == LeakKind.EOF_NOT_CLOSED ? NETTY_HALF_CLOSURE : NETTY_NEVER_READ;
        }
        return null;
    }

    private static boolean mentions(Leak leak, List<String> prefixes) {
        if (leak.hasLastUse() && mentions(leak.lastUse().site().getStackTrace(), prefixes)) {
            return true;
        }
        return leak.allocation() != null && mentions(leak.allocation().getStackTrace(), prefixes);
    }

    private static boolean mentions(StackTraceElement[] frames, List<String> prefixes) {
        for (StackTraceElement frame : frames) {
            for (String prefix : prefixes) {
                if (frame.getClassName().startsWith(prefix)) {
                    return true;
                }
            }
        }
        return false;
    }
}
