package dev.closewait.e2e.scenarios;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A non-blocking Selector server done right: on read() == -1 it cancels the key and closes the channel. Clients
 * (three threads at once) send a line and close.
 */
public final class ProperCloseSelectorClean {

    static final int CONNECTIONS = 30;
    static final int CLIENT_THREADS = 3;

    public static void main(String[] args) throws Exception {
        try (Selector selector = Selector.open();
             ServerSocketChannel server = ServerSocketChannel.open().bind(Scenario.loopback(0))) {
            int port = server.socket().getLocalPort();
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            ExecutorService clients = Executors.newFixedThreadPool(CLIENT_THREADS);
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                int n = i;
                sent.add(clients.submit(() -> sendLineAndClose(port, n)));
            }
            clients.shutdown();
            int closed = serve(selector, TimeUnit.SECONDS.toNanos(60));
            if (closed != CONNECTIONS) {
                Scenario.fail("server closed " + closed + " of " + CONNECTIONS + " connections");
            }
            for (Future<?> future : sent) {
                future.get(60, TimeUnit.SECONDS);
            }
            Scenario.readyThenAwaitExit(port, 0);
        }
    }

    /** Serves until every connection has been read to EOF and closed, or the time is up; returns how many closed. */
    static int serve(Selector selector, long timeoutNanos) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        ByteBuffer buffer = ByteBuffer.allocate(64);
        int closed = 0;
        while (closed < CONNECTIONS && System.nanoTime() < deadline) {
            selector.select(100);
            Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey key = keys.next();
                keys.remove();
                if (key.isAcceptable()) {
                    SocketChannel accepted = ((ServerSocketChannel) key.channel()).accept();
                    if (accepted != null) {
                        accepted.configureBlocking(false);
                        accepted.register(selector, SelectionKey.OP_READ);
                    }
                } else if (key.isReadable()) {
                    SocketChannel channel = (SocketChannel) key.channel();
                    if (channel.read(buffer.clear()) == -1) {
                        key.cancel();
                        channel.close();
                        closed++;
                    }
                }
            }
        }
        // A registered channel's descriptor is released at the next selection operation after close().
        selector.selectNow();
        return closed;
    }

    static Void sendLineAndClose(int port, int n) throws IOException {
        try (SocketChannel client = SocketChannel.open(Scenario.loopback(port))) {
            ByteBuffer line = ByteBuffer.wrap(("hello " + n + "\n").getBytes(StandardCharsets.UTF_8));
            while (line.hasRemaining()) {
                client.write(line);
            }
        }
        return null;
    }
}
