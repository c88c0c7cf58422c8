package dev.closewait.e2e.scenarios.churn;

import dev.closewait.e2e.scenarios.Scenario;

import java.net.Socket;
import java.util.Map;

/**
 * The clean counterpart of {@link ChurningClient}: the same 3,000 requests (or {@code args[0]}) over one kept-alive
 * connection, closed once at the end.
 */
public final class KeepAliveClient {

    private KeepAliveClient() {
    }

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        ChurnServer server = new ChurnServer();
        try (Socket socket = new Socket(Scenario.loopback(), server.port())) {
            for (int i = 0; i < requests; i++) {
                ChurnServer.exchange(socket);
            }
        }
        server.awaitClosed(1);
        Scenario.readyThenServe(server.port(), 0, Map.of("meters", ChurnServer::printConnectionMeters));
    }
}
