package dev.closewait.e2e.scenarios;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Runs without the agent at first. Before attach: two accepted sockets read to EOF and left open (the kernel keeps
 * them in CLOSE_WAIT), and one accepted socket left unread with its client still connected. After the test attaches
 * and writes "leak": two new connections are read to EOF and left open (tracked from accept), and the old unread
 * one's client hangs up and it is read to EOF (adopted at that EOF). Then "DONE leak".
 */
public final class LeakBeforeAndAfterAttach {

    public static void main(String[] args) throws Exception {
        ServerSocket server = Scenario.serverSocket();
        List<Socket> forgotten = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 2; i++) {
            new Socket(Scenario.loopback(), server.getLocalPort()).close();
            forgotten.add(acceptAndReadToEnd(server));
        }
        Socket client = new Socket(Scenario.loopback(), server.getLocalPort());
        Socket unreadYet = server.accept();
        forgotten.add(unreadYet);
        Scenario.readyThenServe(server.getLocalPort(), 2, Map.of("leak", () -> {
            try {
                for (int i = 0; i < 2; i++) {
                    new Socket(Scenario.loopback(), server.getLocalPort()).close();
                    forgotten.add(acceptAndReadToEnd(server));
                }
                client.close();
                readToEnd(unreadYet);
            } catch (Exception e) {
                Scenario.fail("leak: " + e);
            }
        }));
    }

    static Socket acceptAndReadToEnd(ServerSocket server) throws Exception {
        Socket socket = server.accept();
        readToEnd(socket);
        return socket; // the bug: never closed
    }

    static void readToEnd(Socket socket) throws Exception {
        InputStream in = socket.getInputStream();
        while (in.read() != -1) {
            // consume
        }
    }
}
