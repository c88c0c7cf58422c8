package dev.closewait.e2e.scenarios;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Leaks an accepted socket as the very first thing in main; prints whether the agent's start was still under way then
 * (the agent publishes its verdict property when its start has finished; it is under way only if the agent ever
 * starts its reporting side in the background again).
 */
public final class LeakBeforeAgentStarted {

    private static Socket forgotten; // still referenced: GC must not close it

    public static void main(String[] args) throws Exception {
        boolean startUnderWay = System.getProperty("dev.closewait.agent.verdict") == null;
        ServerSocket server = Scenario.serverSocket();
        try (Socket client = new Socket(Scenario.loopback(), server.getLocalPort())) {
            forgotten = server.accept();
            client.getOutputStream().write(1);
        }
        InputStream in = forgotten.getInputStream();
        while (in.read() != -1) {
            // consume to EOF, never close: the bug
        }
        System.out.println("EARLY " + startUnderWay);
        Scenario.readyThenAwaitExit(server.getLocalPort(), 1);
    }
}
