package dev.closewait.e2e.scenarios;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An asynchronous server reads one accepted channel to EOF with a CompletionHandler and one with a Future, and
 * closes neither.
 */
public final class AsyncChannelLeak {

    public static void main(String[] args) throws Exception {
        AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open().bind(Scenario.loopback(0));
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        List<AsynchronousSocketChannel> forgotten = new CopyOnWriteArrayList<>();
        CountDownLatch endOfStreams = new CountDownLatch(2);

        try (Socket client = new Socket(Scenario.loopback(), port)) {
            client.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
        }
        AsynchronousSocketChannel withHandler = server.accept().get(60, TimeUnit.SECONDS);
        forgotten.add(withHandler);
        readWithHandler(withHandler, endOfStreams);

        try (Socket client = new Socket(Scenario.loopback(), port)) {
            client.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
        }
        AsynchronousSocketChannel withFuture = server.accept().get(60, TimeUnit.SECONDS);
        forgotten.add(withFuture);
        ByteBuffer buffer = ByteBuffer.allocate(64);
        while (withFuture.read(buffer).get(60, TimeUnit.SECONDS) != -1) {
            buffer.clear();
        }
        endOfStreams.countDown();

        if (!endOfStreams.await(60, TimeUnit.SECONDS)) {
            Scenario.fail("no EOF on the handler path");
        }
        Scenario.readyThenAwaitExit(port, forgotten.size());
    }

    static void readWithHandler(AsynchronousSocketChannel channel, CountDownLatch endOfStreams) {
        ByteBuffer buffer = ByteBuffer.allocate(64);
        channel.read(buffer, null, new CompletionHandler<Integer, Void>() {
            @Override
            public void completed(Integer read, Void attachment) {
                if (read == -1) {
                    endOfStreams.countDown(); // the bug: no channel.close()
                } else {
                    buffer.clear();
                    channel.read(buffer, null, this);
                }
            }

            @Override
            public void failed(Throwable failure, Void attachment) {
                Scenario.fail("async read: " + failure);
            }
        });
    }
}
