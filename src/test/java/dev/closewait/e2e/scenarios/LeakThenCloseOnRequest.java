package dev.closewait.e2e.scenarios;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;

/** A server leaks one accepted socket after EOF, and closes it late when the test writes "close". */
public final class LeakThenCloseOnRequest {

    public static void main(String[] args) throws Exception {
        ServerSocket server = Scenario.serverSocket();
        new Socket(Scenario.loopback(), server.getLocalPort()).close();
        Socket accepted = server.accept();
        InputStream in = accepted.getInputStream();
        while (in.read() != -1) {
            // consume
        }
        Scenario.readyThenServe(server.getLocalPort(), 1, Map.of("close", () -> {
            try {
                accepted.close();
            } catch (Exception e) {
                Scenario.fail("close: " + e);
            }
        }));
    }
}
