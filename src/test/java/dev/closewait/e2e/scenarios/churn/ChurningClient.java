package dev.closewait.e2e.scenarios.churn;

import dev.closewait.e2e.scenarios.Scenario;

import java.io.IOException;
import java.net.Socket;
import java.util.Map;

/**
 * Connection churn: one connection per request, which the client closes first (it reads its one-byte reply, never
 * EOF), 3,000 times (or {@code args[0]}), all from {@link #requestOnNewConnection}. Each leaves a TIME_WAIT socket on
 * the client's side. READY comes after the server has closed every connection too, so that the kernel's TIME_WAIT
 * count is complete.
 */
public final class ChurningClient {

    private ChurningClient() {
    }

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        ChurnServer server = new ChurnServer();
        for (int i = 0; i < requests; i++) {
            requestOnNewConnection(server.port());
        }
        server.awaitClosed(requests);
        Scenario.readyThenServe(server.port(), 0, Map.of("meters", ChurnServer::printConnectionMeters));
    }

    static void requestOnNewConnection(int port) throws IOException {
        try (Socket socket = new Socket(Scenario.loopback(), port)) {
            ChurnServer.exchange(socket);
        }
    }
}
