package dev.closewait.e2e.scenarios;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A correct echo server and clients, N connections (argument, default 400), each checked: the application's
 * behaviour must be exactly the same however the agent fares. Prints READY only if every echo was right.
 */
public final class EchoWorkload {

    public static void main(String[] args) throws Exception {
        int connections = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        Scenario.readyThenAwaitExit(echoes(connections), 0);
    }

    /** Runs the echoes, prints "ECHOES OK n" if every one was right (else fails the scenario); returns the port. */
    static int echoes(int connections) throws Exception {
        ServerSocket server = Scenario.serverSocket();
        Scenario.daemon("echo-server", () -> {
            try {
                while (true) {
                    try (Socket socket = server.accept()) {
                        BufferedReader in = new BufferedReader(
                                new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                        PrintWriter out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
                        String line;
                        while ((line = in.readLine()) != null) {
                            out.println(line);
                        }
                    }
                }
            } catch (Exception e) {
                // closed at exit
            }
        });
        for (int i = 0; i < connections; i++) {
            try (Socket client = new Socket(Scenario.loopback(), server.getLocalPort())) {
                PrintWriter out = new PrintWriter(client.getOutputStream(), true, StandardCharsets.UTF_8);
                BufferedReader in = new BufferedReader(
                        new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
                out.println("ping " + i);
                String echo = in.readLine();
                if (!("ping " + i).equals(echo)) {
                    Scenario.fail("connection " + i + " echoed " + echo);
                }
            }
        }
        System.out.println("ECHOES OK " + connections);
        return server.getLocalPort();
    }
}
