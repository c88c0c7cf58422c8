package dev.closewait.e2e.scenarios;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A server that reads a request, shuts its input down (it wants no more), replies and never closes the accepted
 * socket. After {@code shutdownInput()} the kernel flags end-of-input whatever the peer does, so only the TCP state
 * tells whether the peer left. Arguments: "socket" (java.net.Socket) or "channel" (SocketChannel), then "leak" (the
 * client closes after the reply: the server's sockets sit in CLOSE_WAIT) or "clean" (the client keeps its
 * connection open too: both ends ESTABLISHED, nothing to report).
 */
public final class InputShutDownNeverClosed {

    private static final int CONNECTIONS = 2;
    private static final byte[] REQUEST = "ping".getBytes(StandardCharsets.US_ASCII);
    private static final List<Object> kept = new ArrayList<>(); // reachable: leaked, not collected

    public static void main(String[] args) throws Exception {
        boolean channels = args[0].equals("channel");
        boolean leak = args[1].equals("leak");
        int port;
        if (channels) {
            ServerSocketChannel server = ServerSocketChannel.open().bind(Scenario.loopback(0));
            port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            for (int i = 0; i < CONNECTIONS; i++) {
                Socket client = request(port);
                serve(server.accept());
                finish(client, leak);
            }
        } else {
            ServerSocket server = Scenario.serverSocket();
            port = server.getLocalPort();
            for (int i = 0; i < CONNECTIONS; i++) {
                Socket client = request(port);
                serve(server.accept());
                finish(client, leak);
            }
        }
        Scenario.readyThenAwaitExit(port, leak ? CONNECTIONS : 0);
    }

    private static Socket request(int port) throws IOException {
        Socket client = new Socket(Scenario.loopback(), port);
        client.getOutputStream().write(REQUEST);
        return client;
    }

    /** The bug: reads the request, shuts input down, replies, and keeps the socket without closing it. */
    static void serve(Socket accepted) throws IOException {
        InputStream in = accepted.getInputStream();
        int read = 0;
        while (read < REQUEST.length) {
            read += Math.max(0, in.read(new byte[REQUEST.length], 0, REQUEST.length - read));
        }
        accepted.shutdownInput();
        accepted.getOutputStream().write('!');
        kept.add(accepted);
    }

    /** As {@link #serve(Socket)}, for a channel. */
    static void serve(SocketChannel accepted) throws IOException {
        ByteBuffer request = ByteBuffer.allocate(REQUEST.length);
        while (request.hasRemaining()) {
            accepted.read(request);
        }
        accepted.shutdownInput();
        accepted.write(ByteBuffer.wrap(new byte[] {'!'}));
        kept.add(accepted);
    }

    /** The client reads the reply, then hangs up ("leak") or keeps the connection open ("clean"). */
    private static void finish(Socket client, boolean hangUp) throws IOException {
        if (client.getInputStream().read() != '!') {
            Scenario.fail("no reply");
        }
        if (hangUp) {
            client.close();
        } else {
            kept.add(client);
        }
    }
}
