package dev.closewait.e2e.scenarios;

import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An application that installs a security manager as main begins (JDK 17 to 23), under a policy that grants its code
 * only sockets, threads and files (no class loaders, no reflection): clients read a server's goodbye to EOF and never
 * close. The agent, started before, runs on (its classes hold every permission and its work runs privileged).
 */
public final class SecurityManagerLeak {

    @SuppressWarnings("removal")
    public static void main(String[] args) throws Exception {
        System.setSecurityManager(new SecurityManager());
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
            ClientSocketLeak.readToEnd(client, i == 0);
        }
        Scenario.readyThenAwaitExit(server.getLocalPort(), forgotten.size());
    }
}
