package dev.closewait.e2e.scenarios;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/** Thousands of leaks at once (argument, default 2,000), from two allocation sites, half each. */
public final class LeakFlood {

    public static void main(String[] args) throws Exception {
        int leaks = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        ServerSocket server = Scenario.serverSocket();
        List<Socket> forgotten = new ArrayList<>();
        for (int i = 0; i < leaks; i++) {
            new Socket(Scenario.loopback(), server.getLocalPort()).close();
            Socket accepted = i % 2 == 0 ? acceptHere(server) : acceptThere(server);
            forgotten.add(accepted);
            InputStream in = accepted.getInputStream();
            while (in.read() != -1) {
                // consume
            }
        }
        Scenario.readyThenAwaitExit(server.getLocalPort(), leaks);
    }

    static Socket acceptHere(ServerSocket server) throws Exception {
        return server.accept();
    }

    static Socket acceptThere(ServerSocket server) throws Exception {
        return server.accept();
    }
}
