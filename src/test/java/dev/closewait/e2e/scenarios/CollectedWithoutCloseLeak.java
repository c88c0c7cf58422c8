package dev.closewait.e2e.scenarios;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Accepted sockets dropped without close() and then garbage-collected, after the client hung up. Argument
 * "socket": java.net.Socket, whose cleaner closes the descriptor at GC (the leak hides); "channel": SocketChannel,
 * which has no cleaner, so its descriptor stays in CLOSE_WAIT.
 */
public final class CollectedWithoutCloseLeak {

    public static void main(String[] args) throws Exception {
        boolean channels = args.length > 0 && args[0].equals("channel");
        int leaks = 2;
        int port;
        if (channels) {
            ServerSocketChannel server = ServerSocketChannel.open().bind(Scenario.loopback(0));
            port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            for (int i = 0; i < leaks; i++) {
                SocketChannel.open(Scenario.loopback(port)).close();
                dropChannel(server);
            }
        } else {
            ServerSocket server = Scenario.serverSocket();
            port = server.getLocalPort();
            for (int i = 0; i < leaks; i++) {
                new Socket(Scenario.loopback(), port).close();
                dropSocket(server);
            }
        }
        for (int i = 0; i < 10; i++) {
            System.gc();
            Scenario.sleep(100);
        }
        Scenario.readyThenAwaitExit(port, leaks);
    }

    static void dropSocket(ServerSocket server) throws Exception {
        server.accept(); // the bug: the accepted socket is dropped without close()
    }

    static void dropChannel(ServerSocketChannel server) throws Exception {
        server.accept(); // the bug: the accepted channel is dropped without close()
    }
}
