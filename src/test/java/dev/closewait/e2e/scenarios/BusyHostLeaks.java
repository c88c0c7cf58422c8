package dev.closewait.e2e.scenarios;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The two leaks only the kernel's per-socket state shows, made as the first thing after start-up:
 * <ul>
 *   <li>{@value #IDLE} idle client connections (request sent, reply read in full, kept for reuse) whose server then
 *       closes them: the clients never read again, so they sit in CLOSE_WAIT (close-wait, role client);</li>
 *   <li>{@value #RESET} accepted connections whose client resets within milliseconds; the server's write fails, the
 *       handler swallows the IOException and never closes (reset-not-closed, role accepted).</li>
 * </ul>
 * Prints {@code FIN at=<epoch ms>} when the server has closed the idle connections and {@code RST at=<epoch ms>}
 * when the clients have reset, so the test can measure each report's latency from the peer's action.
 */
public final class BusyHostLeaks {

    static final int IDLE = 2;
    static final int RESET = 2;

    private static final List<Socket> KEPT = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        ServerSocket server = Scenario.serverSocket();
        idleConnectionsTheServerCloses(server);
        connectionsResetByTheClient(server);
        Scenario.readyThenAwaitExit(server.getLocalPort(), IDLE + RESET);
    }

    private static void idleConnectionsTheServerCloses(ServerSocket server) throws IOException {
        List<Socket> accepted = new ArrayList<>();
        for (int i = 0; i < IDLE; i++) {
            Socket client = new Socket(Scenario.loopback(), server.getLocalPort());
            Socket serverSide = server.accept();
            client.getOutputStream().write("GET\n".getBytes(StandardCharsets.US_ASCII));
            serverSide.getInputStream().read(new byte[4]);
            serverSide.getOutputStream().write("ok\n".getBytes(StandardCharsets.US_ASCII));
            client.getInputStream().readNBytes(3); // the whole reply: nothing more is expected, so nothing is read
            KEPT.add(client); // "pooled" for reuse
            accepted.add(serverSide);
        }
        for (Socket serverSide : accepted) {
            serverSide.close(); // the server's idle timeout
        }
        System.out.println("FIN at=" + System.currentTimeMillis());
    }

    private static void connectionsResetByTheClient(ServerSocket server) throws IOException {
        List<Socket> accepted = new ArrayList<>();
        for (int i = 0; i < RESET; i++) {
            Socket client = new Socket(Scenario.loopback(), server.getLocalPort());
            accepted.add(server.accept());
            client.setSoLinger(true, 0);
            client.close(); // RST
        }
        System.out.println("RST at=" + System.currentTimeMillis());
        for (Socket serverSide : accepted) {
            reply(serverSide);
        }
    }

    /** Writes until the reset shows, swallows the error and forgets to close: the handler's bug. */
    private static void reply(Socket socket) {
        try {
            OutputStream out = socket.getOutputStream();
            for (int i = 0; i < 100; i++) {
                out.write(new byte[1024]);
                out.flush();
                Scenario.sleep(5);
            }
            Scenario.fail("writes to a reset connection kept succeeding");
        } catch (IOException expected) {
            KEPT.add(socket); // still open: the leak
        }
    }

    private BusyHostLeaks() {
    }
}
