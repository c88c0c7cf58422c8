package dev.closewait.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.closewait.core.AgentErrors;
import dev.closewait.core.AgentThread;
import dev.closewait.core.OwnPorts;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Serves the agent's meters in Prometheus text format at {@code /metrics}, with the JDK's own HTTP server (module
 * jdk.httpserver). Requests are handled on one agent thread. The server's port goes into {@link OwnPorts} before it
 * accepts anything, so its connections are never taken for the application's.
 *
 * <p>Start it from a daemon thread: the JDK's dispatcher thread inherits daemon status from the thread that starts
 * the server (JDK 17 and 25 set none of their own), and a non-daemon one would keep the application from exiting.
 */
public final class PrometheusEndpoint {

    static final String PATH = "/metrics";

    private final HttpServer server;
    private final ExecutorService executor;

    private PrometheusEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    public static PrometheusEndpoint start(InetSocketAddress address, Supplier<String> metrics, OwnPorts ownPorts,
                                           AgentErrors errors) throws IOException {
        HttpServer server = HttpServer.create();
        server.bind(address, 16);
        ownPorts.add(server.getAddress().getPort());
        ExecutorService executor = Executors.newSingleThreadExecutor(task -> new AgentThread("metrics-http", task));
        server.setExecutor(executor);
        server.createContext("/", exchange -> handle(exchange, metrics, errors));
        server.start();
        return new PrometheusEndpoint(server, executor);
    }

    private static void handle(HttpExchange exchange, Supplier<String> metrics, AgentErrors errors) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (!path.equals(PATH) && !path.equals(PATH + "/")) {
                respond(exchange, 404, "text/plain; charset=utf-8", "Not found: closewait serves " + PATH + "\n");
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, "text/plain; charset=utf-8", "Method not allowed: use GET\n");
            } else {
                String body;
                try {
                    body = metrics.get();
                } catch (RuntimeException e) {
                    errors.record("metrics endpoint", e);
                    respond(exchange, 500, "text/plain; charset=utf-8", "closewait could not render its metrics\n");
                    return;
                }
                respond(exchange, 200, PrometheusText.CONTENT_TYPE, body);
            }
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Where it listens; the port is the real one when 0 was asked for. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    public void stop() {
        server.stop(0);
        executor.shutdownNow();
    }
}
