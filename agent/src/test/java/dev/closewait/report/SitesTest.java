package dev.closewait.report;

import dev.closewait.core.Leak;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.closewait.report.Leaks.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which frame names a leak: the application's, from the last use first, never a library's or Thread.run. */
class SitesTest {

    private static final StackTraceElement HOOK = frame("dev.closewait.core.SocketTracker", "used", "SocketTracker.java", 1);
    private static final StackTraceElement THREAD = frame("java.lang.Thread", "run", "Thread.java", 840);
    private static final StackTraceElement[] POOLED_CONNECT = {HOOK,
            frame("java.net.Socket", "connect", "Socket.java", 633),
            frame("org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator", "connect",
                    "DefaultHttpClientConnectionOperator.java", 168),
            frame("org.apache.hc.client5.http.impl.classic.CloseableHttpClient", "execute",
                    "CloseableHttpClient.java", 245),
            frame("org.springframework.web.client.RestTemplate", "doExecute", "RestTemplate.java", 900),
            frame("com.acme.orders.Prices", "first", "Prices.java", 20),
            THREAD};
    private static final StackTraceElement[] POOLED_WRITE = {HOOK,
            frame("java.net.Socket$SocketOutputStream", "write", "Socket.java", 1035),
            frame("org.apache.hc.core5.http.impl.io.SessionOutputBufferImpl", "flush", "SessionOutputBufferImpl.java", 1),
            frame("org.apache.hc.client5.http.impl.classic.CloseableHttpClient", "execute",
                    "CloseableHttpClient.java", 245),
            frame("com.acme.orders.Prices", "second", "Prices.java", 40),
            THREAD};
    private static final StackTraceElement[] JDK_SERVER_ACCEPT = {HOOK,
            frame("sun.nio.ch.SocketChannelImpl", "<init>", "SocketChannelImpl.java", 160),
            frame("sun.nio.ch.ServerSocketChannelImpl", "finishAccept", "ServerSocketChannelImpl.java", 485),
            frame("sun.nio.ch.ServerSocketChannelImpl", "accept", "ServerSocketChannelImpl.java", 298),
            frame("sun.net.httpserver.ServerImpl$Dispatcher", "run", "ServerImpl.java", 423),
            THREAD};

    /** Netty 4.1: the event loop connects the channel; the application's thread created it in Bootstrap.connect. */
    static final StackTraceElement[] NETTY_CONNECT = {HOOK,
            frame("sun.nio.ch.SocketChannelImpl", "connect", "SocketChannelImpl.java", 869),
            frame("io.netty.util.internal.SocketUtils$3", "run", "SocketUtils.java", 91),
            frame("io.netty.channel.socket.nio.NioSocketChannel", "doConnect", "NioSocketChannel.java", 321),
            frame("io.netty.bootstrap.Bootstrap$3", "run", "Bootstrap.java", 264),
            frame("io.netty.channel.nio.NioEventLoop", "run", "NioEventLoop.java", 566),
            THREAD};
    static final StackTraceElement[] NETTY_CREATE = {HOOK,
            frame("sun.nio.ch.SelectorProviderImpl", "openSocketChannel", "SelectorProviderImpl.java", 77),
            frame("io.netty.channel.socket.nio.NioSocketChannel", "newChannel", "NioSocketChannel.java", 71),
            frame("io.netty.bootstrap.Bootstrap", "connect", "Bootstrap.java", 123),
            frame("com.acme.cache.CacheClient", "open", "CacheClient.java", 31),
            frame("com.acme.Main", "main", "Main.java", 9)};
    static final StackTraceElement[] NETTY_EOF = {HOOK,
            frame("sun.nio.ch.SocketChannelImpl", "read", "SocketChannelImpl.java", 432),
            frame("io.netty.channel.nio.AbstractNioByteChannel$NioByteUnsafe", "read", "AbstractNioByteChannel.java", 151),
            frame("io.netty.channel.nio.NioEventLoop", "run", "NioEventLoop.java", 562),
            THREAD};

    private final Sites sites = Sites.DEFAULT;

    @Test
    void namesTheCodeThatCreatedAChannelALibraryConnectedOnItsOwnThread() {
        Leak connectedOnly = Leaks.eofNotClosed().client().allocatedAt(NETTY_CONNECT).eofAt(NETTY_EOF).build();
        Leak created = Leaks.eofNotClosed().client().allocatedAt(NETTY_CONNECT).eofAt(NETTY_EOF)
                .createdAt(NETTY_CREATE).build();

        assertEquals("io.netty.util.internal.SocketUtils$3.run(SocketUtils.java:91)", sites.site(connectedOnly),
                "without the creation, only Netty's frames");
        assertEquals("com.acme.cache.CacheClient.open(CacheClient.java:31)", sites.site(created));
    }

    /**
     * Where a channel was created is shown when another thread connected it, or when the connect's stack has no
     * application frame (an event loop that creates a channel and connects it in a later task); not when the same
     * code created and connected it, whose two stacks say the same.
     */
    @Test
    void showsWhereAChannelWasCreatedOnlyWhereTheConnectDoesNotSayIt() {
        StackTraceElement[] ownConnect = {HOOK,
                frame("sun.nio.ch.SocketChannelImpl", "connect", "SocketChannelImpl.java", 869),
                frame("java.nio.channels.SocketChannel", "open", "SocketChannel.java", 285),
                frame("com.acme.cache.CacheClient", "open", "CacheClient.java", 31),
                THREAD};
        Leaks handedOff = Leaks.eofNotClosed().client().threads("nioEventLoopGroup-2-1", "nioEventLoopGroup-2-1")
                .allocatedAt(NETTY_CONNECT).createdOn("main", NETTY_CREATE);
        Leaks loopConnect = Leaks.eofNotClosed().client().threads("nioEventLoopGroup-2-1", "nioEventLoopGroup-2-1")
                .allocatedAt(NETTY_CONNECT).createdOn("nioEventLoopGroup-2-1", NETTY_CREATE);
        Leaks ownChannel = Leaks.eofNotClosed().client().threads("main", "main")
                .allocatedAt(ownConnect).createdOn("main", ownConnect);

        assertTrue(sites.showsCreation(handedOff.build()));
        assertTrue(sites.showsCreation(loopConnect.build()));
        assertEquals("com.acme.cache.CacheClient.open(CacheClient.java:31)", sites.site(loopConnect.build()));
        assertFalse(sites.showsCreation(ownChannel.build()));
        assertFalse(sites.showsCreation(Leaks.eofNotClosed().client().allocatedAt(NETTY_CONNECT).build()));
    }

    /** The connection churn report's site: one stack, the same choice, as {@code pkg.Class.method}. */
    @Test
    void namesTheMethodOfOneStackSkippingLibrariesAsTheLeakSiteDoes() {
        assertEquals("com.acme.orders.Prices.first", sites.method(Leaks.callSite(POOLED_CONNECT)));
        assertEquals("com.acme.cache.CacheClient.open", sites.method(Leaks.callSite(NETTY_CREATE)));
        assertEquals("io.netty.util.internal.SocketUtils$3.run", sites.method(Leaks.callSite(NETTY_CONNECT)),
                "no application frame: the first library frame");
        assertEquals("org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator.connect",
                new Sites(List.of("org.apache.hc.client5.http.impl.io"), List.of()).method(Leaks.callSite(POOLED_CONNECT)),
                "app-packages wins over the library list");
        assertEquals(null, sites.method(null));
    }

    @Test
    void namesTheApplicationFrameOfTheLastUseBeforeTheAllocation() {
        Leak leak = Leaks.closeWait().client().allocatedAt(POOLED_CONNECT).lastUsedAt(POOLED_WRITE).build();

        assertEquals("com.acme.orders.Prices.second(Prices.java:40)", sites.site(leak));
    }

    @Test
    void skipsLibrariesAndFrameworksInTheAllocation() {
        Leak leak = Leaks.closeWait().client().allocatedAt(POOLED_CONNECT).build();

        assertEquals("com.acme.orders.Prices.first(Prices.java:20)", sites.site(leak));
    }

    @Test
    void namesTheJdkServerNotThreadRunWhenThereIsOnlyJdkCode() {
        Leak leak = Leaks.closeWait().allocatedAt(JDK_SERVER_ACCEPT).build();

        assertEquals("sun.net.httpserver.ServerImpl$Dispatcher.run(ServerImpl.java:423)", sites.site(leak));
        assertEquals(List.of("sun.nio.ch.ServerSocketChannelImpl.accept(ServerSocketChannelImpl.java:298)",
                "sun.net.httpserver.ServerImpl$Dispatcher.run(ServerImpl.java:423)",
                "java.lang.Thread.run(Thread.java:840)"), StackFrames.of(leak.allocation(), 40));
    }

    /** An executor's thread ran accept (JDK code only); the application's handler read EOF straight away. */
    @Test
    void namesTheApplicationFrameOfTheEofStackWhenTheOthersHaveNone() {
        Leak leak = Leaks.eofNotClosed().allocatedAt(HOOK,
                frame("java.net.ServerSocket", "accept", "ServerSocket.java", 532),
                frame("java.util.concurrent.FutureTask", "run", "FutureTask.java", 264),
                frame("java.lang.Thread", "run", "Thread.java", 840)).eofAt(
                frame("java.net.Socket$SocketInputStream", "read", "Socket.java", 966),
                frame("com.acme.Health", "handleEof", "Health.java", 12),
                frame("java.lang.Thread", "run", "Thread.java", 840)).build();

        assertEquals("com.acme.Health.handleEof(Health.java:12)", sites.site(leak));
        assertTrue(sites.isApplication(sites.siteFrame(leak).getClassName()));
    }

    @Test
    void namesALibraryFrameWhenNoApplicationFrameExists() {
        Leak leak = Leaks.closeWait().allocatedAt(HOOK, frame("java.net.ServerSocket", "accept", "ServerSocket.java", 1),
                frame("org.apache.tomcat.util.net.NioEndpoint", "serverSocketAccept", "NioEndpoint.java", 2),
                frame("org.apache.tomcat.util.net.Acceptor", "run", "Acceptor.java", 3), THREAD).build();

        assertEquals("org.apache.tomcat.util.net.NioEndpoint.serverSocketAccept(NioEndpoint.java:2)", sites.site(leak));
    }

    @Test
    void applicationPackagesWinOverLibrariesAndExtraLibrariesAreSkipped() {
        Leak leak = Leaks.closeWait().client().allocatedAt(POOLED_CONNECT).build();

        Sites spring = new Sites(List.of("org.springframework.web"), List.of());
        Sites ownClient = new Sites(List.of(), List.of("com.acme.orders"));

        assertEquals("org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:900)", spring.site(leak));
        assertEquals("org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator.connect("
                + "DefaultHttpClientConnectionOperator.java:168)", ownClient.site(leak), "no application frame left");
    }

    @Test
    void hasNoSiteWithoutStacks() {
        assertNull(sites.site(Leaks.allocationUnknown().build()));
    }

    @Test
    void matchesWholeNameParts() {
        assertTrue(sites.isApplication("io.nettyx.Foo"));
        assertFalse(sites.isApplication("io.netty.channel.Channel"));
        assertFalse(sites.isApplication("java.lang.Thread"));
        assertFalse(sites.isApplication("dev.closewait.core.SocketTracker"));
        assertTrue(sites.isApplication("dev.closewait.demo.LeakyEchoServer"));
    }
}
