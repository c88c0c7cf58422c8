package dev.closewait.e2e.scenarios;

import java.net.ServerSocket;
import java.net.Socket;

/**
 * A small application run from a jar whose classes the test archives with {@code -XX:ArchiveClassesAtExit}: it makes
 * one connection (so the agent has work to do) and closes everything.
 */
public final class ArchivedApplication {

    private ArchivedApplication() {
    }

    public static void main(String[] args) throws Exception {
        try (ServerSocket server = Scenario.serverSocket();
             Socket client = new Socket(Scenario.loopback(), server.getLocalPort());
             Socket accepted = server.accept()) {
            client.getOutputStream().write(1);
            System.out.println("ARCHIVED APPLICATION read " + accepted.getInputStream().read());
        }
    }
}
