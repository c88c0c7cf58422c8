package dev.closewait.e2e.scenarios;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Client channels read through stream views, the socket adaptor's input stream and Channels.newInputStream, to EOF
 * and are never closed.
 */
public final class ClientChannelStreamLeak {

    public static void main(String[] args) throws Exception {
        ServerSocket server = Scenario.serverSocket();
        Scenario.daemon("server", () -> {
            try {
                while (true) {
                    try (Socket socket = server.accept()) {
                        socket.getOutputStream().write("bye".getBytes(StandardCharsets.UTF_8));
                    }
                }
            } catch (Exception e) {
                // closed at exit
            }
        });
        List<SocketChannel> forgotten = new ArrayList<>();
        SocketChannel viaAdaptor = SocketChannel.open(Scenario.loopback(server.getLocalPort()));
        forgotten.add(viaAdaptor);
        readToEnd(viaAdaptor.socket().getInputStream());
        SocketChannel viaChannels = SocketChannel.open(Scenario.loopback(server.getLocalPort()));
        forgotten.add(viaChannels);
        readToEnd(Channels.newInputStream(viaChannels));
        Scenario.readyThenAwaitExit(server.getLocalPort(), forgotten.size());
    }

    static void readToEnd(InputStream in) throws Exception {
        byte[] buffer = new byte[16];
        while (in.read(buffer) != -1) {
            // consume
        }
    }
}
