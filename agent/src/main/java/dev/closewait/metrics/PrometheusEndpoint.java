package dev.closewait.metrics;

import dev.closewait.core.AgentErrors;
import dev.closewait.core.AgentThread;
import dev.closewait.core.OwnPorts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Serves the agent's meters in Prometheus text format at {@code /metrics}: a small HTTP/1.1 server of its own (one
 * request per connection), so that no client can hold it up. Connections are accepted on
 * {@code closewait-metrics-http} and answered by at most {@link #HANDLERS} threads ({@code closewait-metrics-handler});
 * at most {@link #WAITING} more wait, and any beyond that are closed at once. A request must arrive within
 * {@link #READ_TIMEOUT_MILLIS} of each read and {@link #REQUEST_DEADLINE_MILLIS} in all, with headers of at most
 * {@link #MAX_REQUEST_BYTES}; a silent or slow client is then disconnected. The server's port goes into
 * {@link OwnPorts} before it accepts anything, so its connections are never taken for the application's.
 */
public final class PrometheusEndpoint {

    static final String PATH = "/metrics";
    static final int HANDLERS = 2;
    static final int WAITING = 8;
    static final int READ_TIMEOUT_MILLIS = 2_000;
    static final int REQUEST_DEADLINE_MILLIS = 5_000;
    static final int MAX_REQUEST_BYTES = 8 * 1024;

    private final ServerSocket server;
    private final ThreadPoolExecutor handlers;
    private final Supplier<String> metrics;
    private final AgentErrors errors;
    private final int readTimeoutMillis;

    private PrometheusEndpoint(ServerSocket server, Supplier<String> metrics, AgentErrors errors,
                               int readTimeoutMillis) {
        this.server = server;
        this.metrics = metrics;
        this.errors = errors;
        this.readTimeoutMillis = readTimeoutMillis;
        this.handlers = new ThreadPoolExecutor(HANDLERS, HANDLERS, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(WAITING), task -> new AgentThread("metrics-handler", task));
    }

    /**
     * Binds and starts serving.
     *
     * @param address where to listen (port 0: any free port, see {@link #address()})
     * @param metrics renders the body of a scrape; a failure answers 500 and is recorded in {@code errors}
     * @throws IOException when the address cannot be bound (the port is then not recorded in {@code ownPorts})
     */
    public static PrometheusEndpoint start(InetSocketAddress address, Supplier<String> metrics, OwnPorts ownPorts,
                                           AgentErrors errors) throws IOException {
        return start(address, metrics, ownPorts, errors, READ_TIMEOUT_MILLIS);
    }

    static PrometheusEndpoint start(InetSocketAddress address, Supplier<String> metrics, OwnPorts ownPorts,
                                    AgentErrors errors, int readTimeoutMillis) throws IOException {
        ServerSocket server = new ServerSocket();
        try {
            server.bind(address, HANDLERS + WAITING);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        ownPorts.add(server.getLocalPort());
        PrometheusEndpoint endpoint = new PrometheusEndpoint(server, metrics, errors, readTimeoutMillis);
        new AgentThread("metrics-http", endpoint::acceptLoop).start();
        return endpoint;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket connection;
            try {
                connection = server.accept();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    errors.record("metrics endpoint", e);
                }
                continue;
            }
            try {
                handlers.execute(() -> serve(connection));
            } catch (RejectedExecutionException full) {
                closeQuietly(connection); // too many at once: this one is turned away, the server stays free
            }
        }
    }

    private void serve(Socket connection) {
        try (connection) {
            connection.setSoTimeout(readTimeoutMillis);
            String[] request = readRequestLine(connection.getInputStream(),
                    System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REQUEST_DEADLINE_MILLIS));
            if (request == null) {
                return; // silent, slow, oversized or not HTTP: disconnected
            }
            respond(connection.getOutputStream(), request[0], request[1]);
        } catch (SocketTimeoutException | SocketException gone) {
            // the client went silent or away
        } catch (Throwable t) {
            errors.record("metrics endpoint", t);
        }
    }

    /** Method and path of a request whose headers arrived whole in time, else null. */
    private static String[] readRequestLine(InputStream in, long deadlineNanos) throws IOException {
        ByteArrayOutputStream headers = new ByteArrayOutputStream(512);
        int matched = 0; // of "\r\n\r\n"
        while (matched < 4) {
            if (headers.size() >= MAX_REQUEST_BYTES || System.nanoTime() - deadlineNanos > 0) {
                return null;
            }
            int b = in.read();
            if (b < 0) {
                return null;
            }
            headers.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = headers.toString(StandardCharsets.ISO_8859_1);
        String[] parts = text.substring(0, text.indexOf("\r\n")).split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/")) {
            return null;
        }
        String target = parts[1];
        int query = target.indexOf('?');
        return new String[] {parts[0], query < 0 ? target : target.substring(0, query)};
    }

    private void respond(OutputStream out, String method, String path) throws IOException {
        boolean head = method.equals("HEAD");
        if (!path.equals(PATH) && !path.equals(PATH + "/")) {
            write(out, head, "404 Not Found", "text/plain; charset=utf-8", "",
                    "Not found: closewait serves " + PATH + "\n");
        } else if (!method.equals("GET") && !head) {
            write(out, false, "405 Method Not Allowed", "text/plain; charset=utf-8", "Allow: GET, HEAD\r\n",
                    "Method not allowed: use GET\n");
        } else {
            String body;
            try {
                body = metrics.get();
            } catch (RuntimeException e) {
                errors.record("metrics endpoint", e);
                write(out, head, "500 Internal Server Error", "text/plain; charset=utf-8", "",
                        "closewait could not render its metrics\n");
                return;
            }
            write(out, head, "200 OK", PrometheusText.CONTENT_TYPE, "", body);
        }
    }

    private static void write(OutputStream out, boolean head, String status, String contentType, String extraHeaders,
                              String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String headers = "HTTP/1.1 " + status + "\r\nContent-Type: " + contentType + "\r\nContent-Length: "
                + bytes.length + "\r\n" + extraHeaders + "Connection: close\r\n\r\n";
        out.write(headers.getBytes(StandardCharsets.ISO_8859_1));
        if (!head) {
            out.write(bytes);
        }
        out.flush();
    }

    /** Where it listens; the port is the real one when 0 was asked for. */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** Stops accepting, and stops the handlers (connections being answered are cut). */
    public void stop() {
        closeQuietly(server);
        handlers.shutdownNow();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing is all that is left to do
        }
    }
}
