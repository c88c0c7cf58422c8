package dev.closewait.e2e.scenarios;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** A non-blocking selector loop that, on EOF, cancels the key but never closes the channel: the classic NIO leak. */
public final class SelectorCancelLeak {

    public static void main(String[] args) throws Exception {
        Selector selector = Selector.open();
        ServerSocketChannel server = ServerSocketChannel.open().bind(Scenario.loopback(0));
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        int clients = 2;
        for (int i = 0; i < clients; i++) {
            try (Socket client = new Socket(Scenario.loopback(), port)) {
                client.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
            }
        }
        List<SocketChannel> forgotten = new ArrayList<>();
        int endOfStreams = 0;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (endOfStreams < clients && System.nanoTime() < deadline) {
            selector.select(100);
            Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey key = keys.next();
                keys.remove();
                if (key.isAcceptable()) {
                    SocketChannel channel = server.accept();
                    channel.configureBlocking(false);
                    channel.register(selector, SelectionKey.OP_READ);
                    forgotten.add(channel);
                } else if (key.isReadable()) {
                    SocketChannel channel = (SocketChannel) key.channel();
                    if (channel.read(ByteBuffer.allocate(64)) == -1) {
                        key.cancel(); // the bug: the channel itself is never closed
                        endOfStreams++;
                    }
                }
            }
        }
        if (endOfStreams < clients) {
            Scenario.fail("selector saw " + endOfStreams + " EOFs");
        }
        Scenario.readyThenAwaitExit(port, clients);
    }
}
