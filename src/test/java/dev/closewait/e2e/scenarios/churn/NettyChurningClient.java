package dev.closewait.e2e.scenarios.churn;

import dev.closewait.e2e.scenarios.Scenario;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Promise;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@link ChurningClient}'s churn through Netty 4.1: one connection per request, closed by the client after its
 * one-byte reply, 3,000 times, all from {@link #requestOnNewConnection}. Netty's {@code Bootstrap.connect} creates
 * each channel on main and connects it on the event loop, so the connect's stack is Netty's alone; the churn report
 * must still name {@link #requestOnNewConnection}.
 */
public final class NettyChurningClient {

    private static final AttributeKey<Promise<Void>> REPLIED = AttributeKey.valueOf("replied");

    private NettyChurningClient() {
    }

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        ChurnServer server = new ChurnServer();
        EventLoopGroup loop = new NioEventLoopGroup(1);
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class).handler(new Reply());
        for (int i = 0; i < requests; i++) {
            requestOnNewConnection(bootstrap, server.port());
        }
        server.awaitClosed(requests);
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        Scenario.readyThenServe(server.port(), 0, Map.of("meters", ChurnServer::printConnectionMeters));
    }

    static void requestOnNewConnection(Bootstrap bootstrap, int port) throws InterruptedException {
        Channel channel = bootstrap.connect(Scenario.loopback(), port).sync().channel();
        Promise<Void> replied = channel.eventLoop().newPromise();
        channel.attr(REPLIED).set(replied);
        channel.writeAndFlush(channel.alloc().buffer(1).writeByte(1)).sync();
        if (!replied.await(10, TimeUnit.SECONDS)) {
            Scenario.fail("no reply");
        }
        channel.close().sync();
    }

    /** Completes the channel's promise at its one-byte reply. */
    @ChannelHandler.Sharable
    private static final class Reply extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            ((ByteBuf) message).release();
            Promise<Void> replied = ctx.channel().attr(REPLIED).get();
            if (replied != null) {
                replied.trySuccess(null);
            }
        }
    }
}
