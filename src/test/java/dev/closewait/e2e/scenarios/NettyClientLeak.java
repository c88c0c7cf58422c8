package dev.closewait.e2e.scenarios;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Netty 4.1 NIO clients whose server closes first. {@code Bootstrap.connect} creates each channel on the calling
 * thread (main) and connects it on the event loop, so every stack the JDK's socket calls see on the event loop is
 * Netty's; only the creation names the code that asked for the connection. Two leak: one allows half-closure and
 * ignores the input-shutdown event (EOF read, never closed: eof-not-closed), one has auto-read off and is never read
 * (CLOSE_WAIT only the kernel knows of: close-wait). A third, with Netty's defaults, closes itself on EOF and must not
 * be reported. Found 2026-12-01: such leaks were sited in Netty ("no application frame in the recorded stacks").
 * Before each Netty channel, main connects, reads to EOF and closes a {@code SocketChannel} of its own: a thread that
 * mixes the two lost the Netty channels' creations (2026-12-02). A fourth channel is created and connected by the
 * event loop itself, in a task (a reconnect, a proxy's backend): one thread, and only the creation's stack holds the
 * code that asked; it allows half-closure and leaks like the first.
 */
public final class NettyClientLeak {

    public static void main(String[] args) throws Exception {
        EventLoopGroup loop = new NioEventLoopGroup(1);
        try (ServerSocket server = Scenario.serverSocket()) {
            int port = server.getLocalPort();
            ownRoundTrip(server);
            Channel halfClosed = openIgnoringHalfClose(loop, port);
            closeFromServer(server);
            ownRoundTrip(server);
            Channel neverRead = openWithoutReading(loop, port);
            closeFromServer(server);
            ownRoundTrip(server);
            Channel clean = openWithDefaults(loop, port);
            closeFromServer(server);
            Channel loopConnected = openFromTheEventLoop(loop, port);
            closeFromServer(server);
            Scenario.await("the default channel closes on EOF", () -> !clean.isOpen(), 10_000);
            if (!halfClosed.isOpen() || !neverRead.isOpen() || !loopConnected.isOpen()) {
                Scenario.fail("a leaking channel was closed");
            }
            Scenario.readyThenAwaitExit(port, 3);
        }
    }

    static Channel openIgnoringHalfClose(EventLoopGroup loop, int port) throws InterruptedException {
        return new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                        // forgot: if (event instanceof ChannelInputShutdownEvent) ctx.close();
                    }
                })
                .connect(Scenario.loopback(), port).sync().channel();
    }

    static Channel openWithoutReading(EventLoopGroup loop, int port) throws InterruptedException {
        return new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(Scenario.loopback(), port).sync().channel();
    }

    static Channel openWithDefaults(EventLoopGroup loop, int port) throws InterruptedException {
        return new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(Scenario.loopback(), port).sync().channel();
    }

    /** A channel of main's own: connected, read to EOF and closed by main. */
    private static void ownRoundTrip(ServerSocket server) throws Exception {
        try (SocketChannel own = SocketChannel.open(Scenario.loopback(server.getLocalPort()))) {
            closeFromServer(server);
            if (own.read(ByteBuffer.allocate(1)) != -1) {
                Scenario.fail("expected EOF");
            }
        }
    }

    /** The event loop creates and connects a channel in a task of its own; returns it once connected. */
    static Channel openFromTheEventLoop(EventLoopGroup loop, int port) throws Exception {
        CompletableFuture<Channel> connected = new CompletableFuture<>();
        loop.next().execute(new Runnable() {
            @Override
            public void run() {
                connectFromLoop(loop, port, connected);
            }
        });
        return connected.get(10, TimeUnit.SECONDS);
    }

    static void connectFromLoop(EventLoopGroup loop, int port, CompletableFuture<Channel> connected) {
        new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(Scenario.loopback(), port)
                .addListener(new ChannelFutureListener() {
                    @Override
                    public void operationComplete(ChannelFuture future) {
                        if (future.isSuccess()) {
                            connected.complete(future.channel());
                        } else {
                            connected.completeExceptionally(future.cause());
                        }
                    }
                });
    }

    private static void closeFromServer(ServerSocket server) throws Exception {
        try (Socket accepted = server.accept()) {
            // closed at once: the client's side goes to CLOSE_WAIT
        }
    }
}
