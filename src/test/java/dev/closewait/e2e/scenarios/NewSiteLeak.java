package dev.closewait.e2e.scenarios;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Leaks one accepted socket opened in {@link #acceptAtFirstSite}; on "leak", one more opened in
 * {@link #acceptAtNewSite}, a site that has not leaked before. Then "DONE leak".
 */
public final class NewSiteLeak {

    private static final List<Socket> FORGOTTEN = new CopyOnWriteArrayList<>();

    public static void main(String[] args) throws Exception {
        ServerSocket server = Scenario.serverSocket();
        connect(server);
        leak(acceptAtFirstSite(server));
        Scenario.readyThenServe(server.getLocalPort(), 1, Map.of("leak", () -> {
            try {
                connect(server);
                leak(acceptAtNewSite(server));
            } catch (Exception e) {
                Scenario.fail("leak: " + e);
            }
        }));
    }

    /** A client that says hello and hangs up: the accepted socket reads EOF. */
    private static void connect(ServerSocket server) throws Exception {
        try (Socket client = new Socket(Scenario.loopback(), server.getLocalPort())) {
            client.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    static Socket acceptAtFirstSite(ServerSocket server) throws Exception {
        return server.accept();
    }

    static Socket acceptAtNewSite(ServerSocket server) throws Exception {
        return server.accept();
    }

    private static void leak(Socket accepted) throws Exception {
        InputStream in = accepted.getInputStream();
        while (in.read() != -1) {
            // consume
        }
        FORGOTTEN.add(accepted); // the bug: no close()
    }
}
