package dev.closewait.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * The far end of workload (d), a child JVM without the agent: listens on enough loopback ports for N connections,
 * prints them, accepts and holds every connection until its standard input closes (or ten minutes pass). Keeping
 * this end out of the measured JVM halves the descriptors the measured JVM needs.
 */
public final class PeerServer {

    static final int CONNECTIONS_PER_PORT = 20_000; // one destination has about 28,000 ephemeral ports
    private static final long MAX_LIFETIME_MILLIS = 600_000;

    private PeerServer() {
    }

    public static void main(String[] args) throws Exception {
        int connections = Integer.parseInt(args[0]);
        int ports = (connections + CONNECTIONS_PER_PORT - 1) / CONNECTIONS_PER_PORT;
        List<Socket> held = new ArrayList<>(connections);
        StringBuilder portList = new StringBuilder();
        for (int i = 0; i < ports; i++) {
            ServerSocket server = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
            portList.append(i == 0 ? "" : ",").append(server.getLocalPort());
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket socket = server.accept();
                        synchronized (held) {
                            held.add(socket);
                        }
                    }
                } catch (IOException e) {
                    System.err.println("peer: " + e);
                }
            }, "bench-peer-acceptor-" + i);
            acceptor.setDaemon(true);
            acceptor.start();
        }
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(MAX_LIFETIME_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            System.exit(3);
        }, "bench-peer-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        System.out.println("PORTS " + portList);
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold everything until the parent closes our standard input
        }
        System.exit(0);
    }
}
