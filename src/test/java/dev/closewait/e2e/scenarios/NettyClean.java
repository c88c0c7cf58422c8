package dev.closewait.e2e.scenarios;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A Netty 4.1 NIO line-echo server, closing channels the normal Netty way. Ten plain-socket clients send a line,
 * read the echo and close (the server reads their EOF and closes); ten Netty clients send "quit", which the server
 * answers and closes after (the clients read its EOF and close). The event loops shut down gracefully before READY.
 */
public final class NettyClean {

    static final int SOCKET_CLIENTS = 10;
    static final int NETTY_CLIENTS = 10;

    public static void main(String[] args) throws Exception {
        CountDownLatch serverChannelsClosed = new CountDownLatch(SOCKET_CLIENTS + NETTY_CLIENTS);
        CountDownLatch clientChannelsClosed = new CountDownLatch(NETTY_CLIENTS);
        EventLoopGroup boss = new NioEventLoopGroup(1);
        EventLoopGroup workers = new NioEventLoopGroup(2);
        EventLoopGroup clients = new NioEventLoopGroup(2);
        Channel server = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new LineBasedFrameDecoder(256), new StringDecoder(StandardCharsets.UTF_8),
                                new StringEncoder(StandardCharsets.UTF_8), new EchoHandler(serverChannelsClosed));
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        int port = ((InetSocketAddress) server.localAddress()).getPort();

        for (int i = 0; i < SOCKET_CLIENTS; i++) {
            try (Socket socket = new Socket(Scenario.loopback(), port)) {
                socket.setSoTimeout(5000);
                socket.getOutputStream().write(("hello " + i + "\n").getBytes(StandardCharsets.UTF_8));
                String echo = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
                if (!("hello " + i).equals(echo)) {
                    Scenario.fail("unexpected echo: " + echo);
                }
            }
        }
        Bootstrap netty = new Bootstrap()
                .group(clients)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        ctx.writeAndFlush(ctx.alloc().buffer().writeBytes("quit\n".getBytes(StandardCharsets.UTF_8)));
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object bye) {
                        ReferenceCountUtil.release(bye);
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        clientChannelsClosed.countDown();
                    }

                    @Override
                    public boolean isSharable() {
                        return true;
                    }
                });
        for (int i = 0; i < NETTY_CLIENTS; i++) {
            netty.connect("127.0.0.1", port).sync();
        }
        if (!serverChannelsClosed.await(60, TimeUnit.SECONDS) || !clientChannelsClosed.await(60, TimeUnit.SECONDS)) {
            Scenario.fail("channels still open: server " + serverChannelsClosed.getCount()
                    + ", client " + clientChannelsClosed.getCount());
        }
        server.close().sync();
        for (Future<?> shutdown : new Future<?>[] {clients.shutdownGracefully(0, 2, TimeUnit.SECONDS),
                workers.shutdownGracefully(0, 2, TimeUnit.SECONDS), boss.shutdownGracefully(0, 2, TimeUnit.SECONDS)}) {
            if (!shutdown.await(5, TimeUnit.SECONDS)) {
                Scenario.fail("event loops did not shut down");
            }
        }
        Scenario.readyThenAwaitExit(port, 0);
    }

    /** Echoes each line; answers "quit" with "bye" and closes after it is written. */
    static final class EchoHandler extends SimpleChannelInboundHandler<String> {
        private final CountDownLatch closed;

        EchoHandler(CountDownLatch closed) {
            this.closed = closed;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, String line) {
            if (line.equals("quit")) {
                ctx.writeAndFlush("bye\n").addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(line + "\n");
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed.countDown();
        }
    }
}
