package dev.closewait.report;

import dev.closewait.core.Endpoints;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakOutcome;
import dev.closewait.core.SocketType;
import dev.closewait.core.TcpState;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeakTextTest {

    private final LeakText text = new LeakText(40);

    private static List<String> lines(String text) {
        return text.lines().toList();
    }

    @Test
    void saysWhenTheSiteIsAnotherSocketsOfTheSamePeer() {
        String headline = lines(text.leak(Leaks.eofNotClosed().client().standingInFor(2002,
                Leaks.frame("java.net.Socket", "<init>", "Socket.java", 287),
                Leaks.frame("com.acme.Client", "cleanPath", "Client.java", 18)).build())).get(0);

        assertTrue(headline.endsWith(" Site of socket #2002, opened to the same peer (this socket's own stacks were "
                + "not recorded; closewait records every socket of this site again from now on): "
                + "com.acme.Client.cleanPath(Client.java:18)."), headline);
    }

    /**
     * A channel of an adapted site, connected on a library's thread: its stand-in shows where the socket it stands
     * for was created, and the site is the application's (2026-12-02: Netty's SocketUtils was named).
     */
    @Test
    void aStandInForAHandedOffChannelShowsWhereThatChannelWasCreated() {
        List<String> lines = lines(text.leak(Leaks.closeWait().client().threads("nioEventLoopGroup-2-1", null)
                .standingInFor(2004, SitesTest.NETTY_CONNECT).createdAt(SitesTest.NETTY_CREATE).build()));

        assertTrue(lines.get(0).endsWith(" Site of socket #2004, opened to the same peer (this socket's own stacks "
                + "were not recorded; closewait records every socket of this site again from now on): "
                + "com.acme.cache.CacheClient.open(CacheClient.java:31)."), lines.get(0));
        int created = lines.indexOf("  and where socket #2004 was created, on thread \"main\":");
        assertTrue(created > 0, String.join("\n", lines));
        assertEquals("    at com.acme.cache.CacheClient.open(CacheClient.java:31)", lines.get(created + 4));
    }

    /** One parenthesis, not two in a row, when a stand-in's stacks hold no application frame either. */
    @Test
    void aStandInWithoutAnApplicationFrameSaysBothInOneParenthesis() {
        String headline = lines(text.leak(Leaks.closeWait().client().standingInFor(2004, SitesTest.NETTY_CONNECT)
                .build())).get(0);

        assertTrue(headline.endsWith(" Site of socket #2004, opened to the same peer (this socket's own stacks were "
                + "not recorded; closewait records every socket of this site again from now on; no application frame "
                + "in the recorded stacks: the first frame of library or JDK code): "
                + "io.netty.util.internal.SocketUtils$3.run(SocketUtils.java:91)."), headline);
    }

    @Test
    void saysWhenTheSiteIsALibrarysFrame() {
        String headline = lines(text.leak(Leaks.closeWait().client().allocatedAt(
                Leaks.frame("java.net.Socket", "<init>", "Socket.java", 287),
                Leaks.frame("okhttp3.internal.platform.Platform", "connectSocket", "Platform.kt", 128),
                Leaks.frame("java.lang.Thread", "run", "Thread.java", 840)).build())).get(0);

        assertTrue(headline.endsWith(" Site (no application frame in the recorded stacks: the first frame of library "
                + "or JDK code): okhttp3.internal.platform.Platform.connectSocket(Platform.kt:128)."), headline);
    }

    @Test
    void headlinesAnEofLeakWithWhatToLookFor() {
        List<String> lines = lines(text.leak(Leaks.eofNotClosed().build()));

        assertEquals("Leaked socket #42 (eof-not-closed): java.net.Socket accepted 127.0.0.1:8080 <- 10.0.0.2:51234, "
                + "fd 17. The peer closed the connection; EOF was read 30.0s ago on thread \"reader\" but close() was "
                + "never called; open for 32.5s. Site: com.acme.server.Acceptor.run(Acceptor.java:33).", lines.get(0));
    }

    @Test
    void followsTheHeadlineWithBothStacks() {
        List<String> lines = lines(text.leak(Leaks.eofNotClosed().build()));

        assertEquals(List.of(
                "  Accepted on thread \"acceptor\" at:",
                "    at java.net.ServerSocket.accept(ServerSocket.java:629)",
                "    at com.acme.server.Acceptor.run(Acceptor.java:33)",
                "    at java.lang.Thread.run(Thread.java:840)",
                "  EOF read at:",
                "    at java.net.Socket$SocketInputStream.read(Socket.java:966)",
                "    at com.acme.server.Handler.serve(Handler.java:57)"), lines.subList(1, lines.size()));
    }

    @Test
    void showsWhereAChannelConnectedOnAnotherThreadWasCreatedAfterItsConnect() {
        List<String> lines = lines(text.leak(Leaks.eofNotClosed().client().threads("nioEventLoopGroup-2-1",
                "nioEventLoopGroup-2-1").allocatedAt(SitesTest.NETTY_CONNECT).eofAt(SitesTest.NETTY_EOF)
                .createdAt(SitesTest.NETTY_CREATE).build()));

        assertTrue(lines.get(0).endsWith(" Site: com.acme.cache.CacheClient.open(CacheClient.java:31)."), lines.get(0));
        assertTrue(lines.get(1).startsWith("  Hint: Netty channel that read EOF and stayed open"), lines.get(1));
        assertEquals(List.of(
                "  Connected on thread \"nioEventLoopGroup-2-1\" at:",
                "    at sun.nio.ch.SocketChannelImpl.connect(SocketChannelImpl.java:869)",
                "    at io.netty.util.internal.SocketUtils$3.run(SocketUtils.java:91)",
                "    at io.netty.channel.socket.nio.NioSocketChannel.doConnect(NioSocketChannel.java:321)",
                "    at io.netty.bootstrap.Bootstrap$3.run(Bootstrap.java:264)",
                "    at io.netty.channel.nio.NioEventLoop.run(NioEventLoop.java:566)",
                "    at java.lang.Thread.run(Thread.java:840)",
                "  Created on thread \"main\" at:",
                "    at sun.nio.ch.SelectorProviderImpl.openSocketChannel(SelectorProviderImpl.java:77)",
                "    at io.netty.channel.socket.nio.NioSocketChannel.newChannel(NioSocketChannel.java:71)",
                "    at io.netty.bootstrap.Bootstrap.connect(Bootstrap.java:123)",
                "    at com.acme.cache.CacheClient.open(CacheClient.java:31)",
                "    at com.acme.Main.main(Main.java:9)",
                "  EOF read at:",
                "    at sun.nio.ch.SocketChannelImpl.read(SocketChannelImpl.java:432)",
                "    at io.netty.channel.nio.AbstractNioByteChannel$NioByteUnsafe.read(AbstractNioByteChannel.java:151)",
                "    at io.netty.channel.nio.NioEventLoop.run(NioEventLoop.java:562)",
                "    at java.lang.Thread.run(Thread.java:840)"), lines.subList(2, lines.size()));
    }

    @Test
    void describesAClientSocketWithAnArrowToThePeer() {
        List<String> lines = lines(text.leak(Leaks.eofNotClosed().client().type(SocketType.SOCKET_CHANNEL).build()));

        assertTrue(lines.get(0).contains("java.nio.channels.SocketChannel client 127.0.0.1:8080 -> 10.0.0.2:51234, "
                + "fd 17."), lines.get(0));
        assertEquals("  Connected on thread \"acceptor\" at:", lines.get(1));
    }

    @Test
    void marksUnknownEndpointsAndLeavesOutAnUnknownDescriptor() {
        String headline = lines(text.leak(Leaks.eofNotClosed().endpoints(Endpoints.UNKNOWN).build())).get(0);

        assertTrue(headline.startsWith("Leaked socket #42 (eof-not-closed): java.net.Socket accepted ? <- ?. "),
                headline);
        assertFalse(headline.contains("fd"), headline);
    }

    @Test
    void saysTheJdkReleasedTheDescriptorOfACollectedSocket() {
        List<String> lines = lines(text.leak(Leaks.gcNotClosed().build()));

        assertEquals("Leaked socket #42 (gc-not-closed): java.net.Socket accepted 127.0.0.1:8080 <- 10.0.0.2:51234, "
                + "fd 17. It was garbage-collected without close(); the JDK released its file descriptor (cleaner or "
                + "finalizer), "
                + "but only because the garbage collector ran; open for 32.5s. Site: com.acme.server.Acceptor.run(Acceptor.java:33).", lines.get(0));
        assertFalse(lines.contains("  EOF read at:"), "no EOF, no EOF stack");
        assertEquals(5, lines.size(), "headline and one stack of three frames");
    }

    @Test
    void saysACollectedChannelKeepsItsDescriptor() {
        List<String> lines = lines(text.leak(Leaks.gcNotClosed().withEndOfStream(true)
                .type(SocketType.ASYNC_SOCKET_CHANNEL).build()));

        assertTrue(lines.get(0).contains("It was garbage-collected without close() after reading EOF on thread "
                + "\"reader\"; channels have no cleaner, so its file descriptor stays open until the process exits"),
                lines.get(0));
        assertTrue(lines.contains("  EOF read at:"));
    }

    @Test
    void limitsStacksToTheConfiguredDepth() {
        List<String> lines = lines(new LeakText(1).leak(Leaks.eofNotClosed().build()));

        assertEquals(List.of(
                "  Accepted on thread \"acceptor\" at:",
                "    at java.net.ServerSocket.accept(ServerSocket.java:629)",
                "  EOF read at:",
                "    at java.net.Socket$SocketInputStream.read(Socket.java:966)"), lines.subList(1, lines.size()));
    }

    @Test
    void tellsWhoClosedAReportedSocketAndWhen() {
        Leak leak = Leaks.eofNotClosed().build();

        assertEquals("Previously reported leaked socket #42 (eof-not-closed, java.net.Socket accepted 127.0.0.1:8080 "
                + "<- 10.0.0.2:51234, fd 17) was closed 5.0s after the report, on thread \"closer\".",
                text.outcome(Leaks.outcome(leak, LeakOutcome.Kind.CLOSED, 5_000)));
    }

    @Test
    void tellsWhenAReportedSocketWasCollected() {
        Leak leak = Leaks.gcNotClosed().build();

        assertEquals("Previously reported leaked socket #42 (gc-not-closed, java.net.Socket accepted 127.0.0.1:8080 "
                + "<- 10.0.0.2:51234, fd 17) was garbage-collected without close() 2m00s after the report.",
                text.outcome(Leaks.outcome(leak, LeakOutcome.Kind.COLLECTED, 120_000)));
    }

    @Test
    void headlinesACloseWaitLeakWithHowLongTheKernelHasShownIt() {
        List<String> lines = lines(text.leak(Leaks.closeWait().build()));

        assertEquals("Leaked socket #42 (close-wait): java.net.Socket accepted 127.0.0.1:8080 <- 10.0.0.2:51234, fd 17. "
                + "The peer closed the connection: the kernel has shown it in CLOSE_WAIT for at least 30.0s, but the "
                + "application stopped reading from it without closing it; open for 32.5s. Site: com.acme.server.Acceptor.run(Acceptor.java:33).", lines.get(0));
        assertEquals(List.of(
                "  Accepted on thread \"acceptor\" at:",
                "    at java.net.ServerSocket.accept(ServerSocket.java:629)",
                "    at com.acme.server.Acceptor.run(Acceptor.java:33)",
                "    at java.lang.Thread.run(Thread.java:840)"), lines.subList(1, lines.size()), "no EOF, no EOF stack");
    }

    @Test
    void headlinesAResetLeakWithWhenTheKernelDroppedTheConnection() {
        String headline = lines(text.leak(Leaks.resetNotClosed().build())).get(0);

        assertEquals("Leaked socket #42 (reset-not-closed): java.net.Socket accepted 127.0.0.1:8080 <- 10.0.0.2:51234, "
                + "fd 17. The connection is gone (reset by the peer, or closed both ways; the kernel dropped it 12.0s ago) "
                + "but close() was "
                + "never called, so its file descriptor stays open; open for 32.5s. Site: com.acme.server.Acceptor.run(Acceptor.java:33).", headline);
    }

    @Test
    void saysTheAllocationIsUnknownForASocketOnlyTheKernelKnew() {
        List<String> lines = lines(text.leak(Leaks.allocationUnknown().build()));

        assertEquals(List.of(
                "Leaked socket #42 (close-wait): socket (type unknown) accepted 127.0.0.1:8080 <- 10.0.0.2:51234, fd "
                        + "17. The peer closed the connection: the kernel has shown it in CLOSE_WAIT for at least 30.0s, but the "
                        + "application has not closed it.",
                "  Allocation unknown: closewait did not see this socket opened (it was opened before closewait started "
                        + "or attached, or by a path closewait does not instrument, such as Netty's native transports)."),
                lines, "no age, no thread, no stack");
    }

    @Test
    void putsTheLibraryHintRightUnderTheHeadline() {
        List<String> lines = lines(text.leak(Leaks.closeWait().client().allocatedAt(
                Leaks.frame("okhttp3.internal.connection.RealConnection", "connectSocket", "RealConnection.kt", 295),
                Leaks.frame("com.acme.Client", "call", "Client.java", 12)).build()));

        assertTrue(lines.get(1).startsWith("  Hint: OkHttp pool: "), lines.get(1));
        assertTrue(lines.get(1).endsWith("See docs/fixing-leaks.md#okhttp-idle."), lines.get(1));
        assertEquals("  Connected on thread \"acceptor\" at:", lines.get(2));
    }

    @Test
    void tellsTheCloseOfASocketOnlyTheKernelKnewWithoutAThread() {
        Leak leak = Leaks.allocationUnknown().build();
        LeakOutcome closed = new LeakOutcome(leak, LeakOutcome.Kind.CLOSED, leak.detectedNanos() + 5_000_000_000L,
                leak.detectedEpochMillis() + 5_000, null);

        assertEquals("Previously reported leaked socket #42 (close-wait, socket (type unknown) accepted 127.0.0.1:8080 "
                + "<- 10.0.0.2:51234, fd 17) was closed 5.0s after the report.", text.outcome(closed));
    }

    @Test
    void summarisesTheProcesssTcpSocketsByState() {
        Map<TcpState, Integer> counts = new EnumMap<>(TcpState.class);
        counts.put(TcpState.LISTEN, 1);
        counts.put(TcpState.CLOSE_WAIT, 2);
        counts.put(TcpState.ESTABLISHED, 3);

        assertEquals("This process has 6 TCP sockets: 3 ESTABLISHED, 2 CLOSE_WAIT, 1 LISTEN.",
                text.socketStates(counts));
    }

    @Test
    void countsOneSocketInTheSingularAndNoneInWords() {
        assertEquals("This process has 1 TCP socket: 1 LISTEN.",
                text.socketStates(java.util.Map.of(dev.closewait.core.TcpState.LISTEN, 1)));
        assertEquals("This process has no TCP sockets.", text.socketStates(java.util.Map.of()));
    }

    @Test
    void saysWhyASampledOutSocketHasNoStacks() {
        Leaks sampledOut = Leaks.eofNotClosed();
        sampledOut.allocation = dev.closewait.core.CallSite.NOT_SAMPLED;
        List<String> lines = lines(text.leak(sampledOut.build()));

        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(1).startsWith("  Stacks not recorded: with stack-sample set"), lines.get(1));
    }
}
