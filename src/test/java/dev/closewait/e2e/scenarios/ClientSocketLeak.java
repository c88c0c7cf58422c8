package dev.closewait.e2e.scenarios;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Clients read a server's goodbye to EOF and never close their sockets; the server closes properly. */
public final class ClientSocketLeak {

    public static void main(String[] args) throws Exception {
        ServerSocket server = Scenario.serverSocket();
        Scenario.daemon("server", () -> {
            try {
                while (true) {
                    try (Socket socket = server.accept()) {
                        socket.getOutputStream().write("bye\n".getBytes(StandardCharsets.UTF_8));
                    }
                }
            } catch (Exception e) {
                // server closed at exit
            }
        });
        List<Socket> forgotten = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Socket client = new Socket(Scenario.loopback(), server.getLocalPort());
            forgotten.add(client);
            readToEnd(client, i == 0);
        }
        Scenario.readyThenAwaitExit(server.getLocalPort(), forgotten.size());
    }

    static void readToEnd(Socket client, boolean singleBytes) throws Exception {
        InputStream in = client.getInputStream();
        if (singleBytes) {
            while (in.read() != -1) {
                // consume
            }
        } else {
            byte[] buffer = new byte[16];
            while (in.read(buffer, 0, buffer.length) != -1) {
                // consume
            }
        }
        // the bug: no client.close()
    }
}
