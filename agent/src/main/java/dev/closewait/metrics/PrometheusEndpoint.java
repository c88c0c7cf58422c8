package dev.closewait.metrics;

import dev.closewait.core.AgentErrors;
import dev.closewait.core.AgentThread;
import dev.closewait.core.OwnPorts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Serves the agent's meters in Prometheus text format at {@code /metrics}: a small HTTP/1.1 server of its own (one
 * request per connection), so that no client can hold it up. One thread, {@code closewait-metrics-http}, accepts and
 * reads every connection without blocking (a {@link Selector}): a client that connects and sends nothing occupies
 * no thread, only a slot among at most {@link #MAX_CONNECTIONS}, and when those are taken the oldest is closed to
 * make room, so that a scraper that sends its request at once is always read. A request must arrive within
 * {@link #READ_TIMEOUT_MILLIS} of each read and {@link #REQUEST_DEADLINE_MILLIS} in all, with headers of at most
 * {@link #MAX_REQUEST_BYTES}, and the answer must be taken within {@link #REQUEST_DEADLINE_MILLIS}; a silent or slow
 * client is then disconnected. Before 2026-12-01 two handler threads each waited up to 2 s on a silent client, so two
 * silent clients delayed every scrape by seconds and sixteen turned every scrape away (a review). The server's port
 * goes into {@link OwnPorts} before it accepts anything, so its connections are never taken for the application's.
 */
public final class PrometheusEndpoint {

    static final String PATH = "/metrics";
    static final int MAX_CONNECTIONS = 64;
    static final int READ_TIMEOUT_MILLIS = 2_000;
    static final int REQUEST_DEADLINE_MILLIS = 5_000;
    static final int MAX_REQUEST_BYTES = 8 * 1024;
    static final int ACCEPT_PAUSE_MILLIS = 1_000;

    private final ServerSocketChannel server;
    private final Selector selector;
    private final Supplier<String> metrics;
    private final AgentErrors errors;
    private final long readTimeoutNanos;
    /** Open connections, oldest first (the selector thread only). */
    private final Deque<Connection> connections = new ArrayDeque<>();
    private volatile boolean stopped;

    /** One client: its request so far, or the answer still to be written, and when it must be done. */
    private static final class Connection {
        final SocketChannel channel;
        final long deadlineNanos;
        long idleDeadlineNanos;
        final ByteArrayOutputStream request = new ByteArrayOutputStream(256);
        ByteBuffer answer; // null while the request is being read

        Connection(SocketChannel channel, long nowNanos, long readTimeoutNanos) {
            this.channel = channel;
            this.deadlineNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(REQUEST_DEADLINE_MILLIS);
            this.idleDeadlineNanos = nowNanos + readTimeoutNanos;
        }
    }

    private PrometheusEndpoint(ServerSocketChannel server, Selector selector, Supplier<String> metrics,
                               AgentErrors errors, int readTimeoutMillis) {
        this.server = server;
        this.selector = selector;
        this.metrics = metrics;
        this.errors = errors;
        this.readTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(readTimeoutMillis);
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
        ServerSocketChannel server = ServerSocketChannel.open();
        Selector selector;
        try {
            server.bind(address, MAX_CONNECTIONS);
            server.configureBlocking(false);
            selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        ownPorts.add(((InetSocketAddress) server.getLocalAddress()).getPort());
        PrometheusEndpoint endpoint = new PrometheusEndpoint(server, selector, metrics, errors, readTimeoutMillis);
        new AgentThread("metrics-http", new Runnable() {
            @Override
            public void run() {
                endpoint.serve();
            }
        }).start();
        return endpoint;
    }

    private void serve() {
        try {
            while (!stopped) {
                selector.select(TimeUnit.NANOSECONDS.toMillis(readTimeoutNanos) / 4 + 1);
                // Connections first, then new ones: a request that has arrived is read before a flood of accepts
                // can make room by closing its connection.
                boolean accept = false;
                for (SelectionKey key : selector.selectedKeys()) {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept = true;
                    } else if (key.attachment() instanceof Connection connection) {
                        handle(key, connection);
                    }
                }
                selector.selectedKeys().clear();
                long now = System.nanoTime();
                if (accept) {
                    acceptOrPause(now);
                } else if (acceptPaused && now - acceptPausedUntilNanos >= 0) {
                    acceptPaused = false;
                    server.keyFor(selector).interestOps(SelectionKey.OP_ACCEPT);
                }
                closeExpired(now);
            }
        } catch (IOException | RuntimeException e) {
            if (!stopped) {
                errors.record("metrics endpoint", e);
            }
        } finally {
            for (Connection connection : connections) {
                closeQuietly(connection.channel);
            }
            connections.clear();
            closeQuietly(selector);
            closeQuietly(server);
        }
    }

    /** Whether accepting is paused after a failed accept, and until when (System.nanoTime). */
    private boolean acceptPaused;
    private long acceptPausedUntilNanos;

    /**
     * Accepts; when accepting fails (the process is out of descriptors, EMFILE: just what leaking sockets lead to),
     * records it (an I/O failure: logged once, counted, never a reason for the agent to turn itself off, see
     * {@link AgentErrors#record}) and stops asking for new connections for {@link #ACCEPT_PAUSE_MILLIS}: the pending
     * connection stays acceptable, and without the pause the selector would wake at once, again and again, a core
     * spinning.
     */
    private void acceptOrPause(long nowNanos) {
        try {
            accept();
        } catch (IOException e) {
            errors.record("metrics endpoint", e);
            acceptPaused = true;
            acceptPausedUntilNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(ACCEPT_PAUSE_MILLIS);
            server.keyFor(selector).interestOps(0);
        }
    }

    /**
     * Accepts at most half of {@link #MAX_CONNECTIONS} per pass, each read at once (a scrape's request is usually
     * there already), so that a flood of new connections cannot make room by closing one accepted in the same pass
     * before its request was looked at.
     */
    private void accept() throws IOException {
        SocketChannel channel;
        for (int accepted = 0; accepted < MAX_CONNECTIONS / 2 && (channel = server.accept()) != null; accepted++) {
            if (connections.size() >= MAX_CONNECTIONS) {
                makeRoom();
            }
            try {
                channel.configureBlocking(false);
                Connection connection = new Connection(channel, System.nanoTime(), readTimeoutNanos);
                SelectionKey key = channel.register(selector, SelectionKey.OP_READ, connection);
                connections.addLast(connection);
                handle(key, connection);
            } catch (IOException e) {
                closeQuietly(channel);
            }
        }
    }

    /**
     * Closes one connection so that a new one can be read: the oldest that has sent nothing, else the oldest still
     * sending its request, else the oldest. A scrape sends its request at once, so a flood of silent connections
     * closes its own kind first (a scrape amid 3,000 silent connections was closed unread before, 1 in 150).
     */
    private void makeRoom() {
        close(victim(connections, connection -> connection.answer == null && connection.request.size() == 0,
                connection -> connection.answer == null));
    }

    /**
     * Of {@code oldestFirst} (not empty), the first that {@code sentNothing}, else the first still {@code reading},
     * else the first.
     */
    static <T> T victim(Iterable<T> oldestFirst, Predicate<T> sentNothing, Predicate<T> reading) {
        T first = null;
        T firstReading = null;
        for (T connection : oldestFirst) {
            if (sentNothing.test(connection)) {
                return connection;
            }
            if (first == null) {
                first = connection;
            }
            if (firstReading == null && reading.test(connection)) {
                firstReading = connection;
            }
        }
        return firstReading != null ? firstReading : first;
    }

    private void handle(SelectionKey key, Connection connection) {
        try {
            if (connection.answer == null) {
                read(key, connection);
            } else {
                connection.channel.write(connection.answer);
            }
            if (connection.answer != null && !connection.answer.hasRemaining()) {
                close(connection);
            }
        } catch (IOException gone) {
            close(connection); // the client went away
        } catch (RuntimeException e) {
            errors.record("metrics endpoint", e);
            close(connection);
        }
    }

    private void read(SelectionKey key, Connection connection) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        int n = connection.channel.read(buffer);
        if (n < 0) {
            close(connection);
            return;
        }
        connection.request.write(buffer.array(), 0, buffer.position());
        connection.idleDeadlineNanos = System.nanoTime() + readTimeoutNanos;
        byte[] request = connection.request.toByteArray();
        int end = headersEnd(request);
        if (end < 0) {
            if (request.length >= MAX_REQUEST_BYTES) {
                close(connection); // oversized: disconnected
            }
            return;
        }
        String[] line = requestLine(new String(request, 0, end, StandardCharsets.ISO_8859_1));
        if (line == null) {
            close(connection); // not HTTP
            return;
        }
        connection.answer = ByteBuffer.wrap(respond(line[0], line[1]));
        connection.channel.write(connection.answer);
        if (connection.answer.hasRemaining()) {
            key.interestOps(SelectionKey.OP_WRITE); // the rest when the client takes it
        }
    }

    /** The index just past the first {@code \r\n\r\n}, or -1. */
    private static int headersEnd(byte[] bytes) {
        for (int i = 3; i < bytes.length; i++) {
            if (bytes[i - 3] == '\r' && bytes[i - 2] == '\n' && bytes[i - 1] == '\r' && bytes[i] == '\n') {
                return i + 1;
            }
        }
        return -1;
    }

    /** Method and path of a request's first line, or null when it is not an HTTP request line. */
    private static String[] requestLine(String headers) {
        String[] parts = headers.substring(0, headers.indexOf("\r\n")).split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/")) {
            return null;
        }
        String target = parts[1];
        int query = target.indexOf('?');
        return new String[] {parts[0], query < 0 ? target : target.substring(0, query)};
    }

    /** Closes the connections whose request or answer is overdue, or that went silent for the read timeout. */
    private void closeExpired(long nowNanos) {
        for (Iterator<Connection> it = connections.iterator(); it.hasNext(); ) {
            Connection connection = it.next();
            if (nowNanos - connection.deadlineNanos > 0
                    || connection.answer == null && nowNanos - connection.idleDeadlineNanos > 0) {
                it.remove();
                closeQuietly(connection.channel);
            }
        }
    }

    private void close(Connection connection) {
        connections.remove(connection);
        closeQuietly(connection.channel);
    }

    private byte[] respond(String method, String path) {
        boolean head = method.equals("HEAD");
        if (!path.equals(PATH) && !path.equals(PATH + "/")) {
            return answer(head, "404 Not Found", "text/plain; charset=utf-8", "",
                    "Not found: closewait serves " + PATH + "\n");
        }
        if (!method.equals("GET") && !head) {
            return answer(false, "405 Method Not Allowed", "text/plain; charset=utf-8", "Allow: GET, HEAD\r\n",
                    "Method not allowed: use GET\n");
        }
        String body;
        try {
            body = metrics.get();
        } catch (RuntimeException e) {
            errors.record("metrics endpoint", e);
            return answer(head, "500 Internal Server Error", "text/plain; charset=utf-8", "",
                    "closewait could not render its metrics\n");
        }
        return answer(head, "200 OK", PrometheusText.CONTENT_TYPE, "", body);
    }

    private static byte[] answer(boolean head, String status, String contentType, String extraHeaders, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        byte[] headers = ("HTTP/1.1 " + status + "\r\nContent-Type: " + contentType + "\r\nContent-Length: "
                + bytes.length + "\r\n" + extraHeaders + "Connection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        if (head) {
            return headers;
        }
        byte[] all = new byte[headers.length + bytes.length];
        System.arraycopy(headers, 0, all, 0, headers.length);
        System.arraycopy(bytes, 0, all, headers.length, bytes.length);
        return all;
    }

    /** Where it listens; the port is the real one when 0 was asked for. */
    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException closed) {
            return null;
        }
    }

    /** Stops accepting and closes every connection (answers being written are cut), on the serving thread. */
    public void stop() {
        stopped = true;
        selector.wakeup();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing is all that is left to do
        }
    }
}
