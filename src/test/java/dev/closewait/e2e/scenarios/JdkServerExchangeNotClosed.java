package dev.closewait.e2e.scenarios;

import com.sun.net.httpserver.HttpServer;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A JDK HttpServer handler that returns without answering or closing the exchange; the client gives up and closes.
 * The server's socket stays in CLOSE_WAIT. Every frame of its allocation is the JDK's (the server accepts on its own
 * dispatcher thread), so the report must name the JDK server, not only {@code java.lang.Thread.run}. From the
 * shared case JdkServerExchangeNotClosed.java (failed 2026-11-30 with allocation ["java.lang.Thread.run(...)"]).
 */
public final class JdkServerExchangeNotClosed {

    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(Scenario.loopback(), 0), 0);
        server.createContext("/", exchange -> {
            /* forgot exchange.close() on this path */
        });
        server.start();
        int port = server.getAddress().getPort();
        try (Socket client = new Socket(Scenario.loopback(), port)) {
            OutputStream out = client.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(200);
        }
        Scenario.readyThenAwaitExit(port, 1);
    }
}
