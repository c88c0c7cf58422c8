package dev.closewait.e2e.scenarios;

import org.eclipse.jetty.server.Server;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Jetty 12 serving plain HTTP/1.1 over java.net.Socket clients (four at a time) that send "Connection: close",
 * read the response to EOF and close. Jetty then reads the clients' EOF and closes its side; the scenario gives it
 * longer than the grace period to do so before stopping the server.
 */
public final class JettyConnectionCloseClean {

    static final int REQUESTS = 20;
    static final int CLIENT_THREADS = 4;

    public static void main(String[] args) throws Exception {
        Server server = JettyServers.startOk();
        int port = JettyServers.port(server);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENT_THREADS);
        List<Future<String>> responses = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            responses.add(clients.submit(() -> get(port)));
        }
        clients.shutdown();
        for (Future<String> response : responses) {
            String text = response.get(60, TimeUnit.SECONDS);
            if (!text.startsWith("HTTP/1.1 200 ") || !text.endsWith("\r\n\r\nok")) {
                Scenario.fail("unexpected response: " + text);
            }
        }
        Thread.sleep(3 * JettyServers.IDLE_TIMEOUT_MILLIS);
        server.stop();
        Scenario.readyThenAwaitExit(port, 0);
    }

    static String get(int port) throws Exception {
        try (Socket socket = new Socket(Scenario.loopback(), port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            byte[] buffer = new byte[512];
            int n;
            while ((n = in.read(buffer)) != -1) {
                response.write(buffer, 0, n);
            }
            return response.toString(StandardCharsets.US_ASCII);
        }
    }
}
