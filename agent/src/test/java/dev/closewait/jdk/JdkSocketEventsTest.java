package dev.closewait.jdk;

import dev.closewait.core.AgentErrors;
import dev.closewait.core.AgentThread;
import dev.closewait.core.ClassLoaderCandidates;
import dev.closewait.core.Clock;
import dev.closewait.core.OwnPorts;
import dev.closewait.core.SocketTracker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.nio.channels.AsynchronousSocketChannel;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the hooks' listener makes of real JDK sockets on loopback, called as the inserted hooks call it (same
 * arguments, same thread), without instrumenting anything: which sockets it follows, adopts or leaves alone.
 */
class JdkSocketEventsTest {

    private final JdkSockets sockets = new JdkSockets();
    /** Filed by descriptor number, as the agent files them. */
    private final SocketTracker tracker = new SocketTracker(Clock.system(), watch -> { }, sockets);
    private final List<String> warnings = new ArrayList<>();
    private final AgentErrors errors = new AgentErrors(warnings::add);
    private final List<Closeable> open = new ArrayList<>();

    private JdkSocketEvents events(boolean attached) {
        return new JdkSocketEvents(sockets, tracker, errors, new ClassLoaderCandidates(), new OwnPorts(), attached);
    }

    @AfterEach
    void closeAll() throws IOException {
        for (Closeable closeable : open) {
            closeable.close();
        }
        assertEquals(List.of(), warnings, "no internal errors");
    }

    /** An accepted socket whose peer has closed, and its NioSocketImpl: what the read hook passes. */
    private Object acceptedImplAfterPeerClosed() throws Throwable {
        ServerSocket server = keep(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
        keep(new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())).close();
        Socket accepted = keep(server.accept());
        assertEquals(-1, accepted.getInputStream().read());
        return sockets.keyOf(accepted);
    }

    @Test
    void anAsynchronousChannelTheJdkClosedInsideConnectIsNotFollowed() throws Throwable {
        // A connection refused at once: the JDK closes the channel inside connect() and returns a failed future; the
        // close hook ran before the open hook, and the application's own close() will raise none.
        JdkSocketEvents events = events(false);
        AsynchronousSocketChannel refused = keep(AsynchronousSocketChannel.open());
        refused.close();
        events.opened(refused, false);
        assertEquals(0, tracker.trackedCount(), "a closed channel is no opening");

        ServerSocket server = keep(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
        AsynchronousSocketChannel connecting = keep(AsynchronousSocketChannel.open());
        connecting.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()))
                .get(30, TimeUnit.SECONDS);
        events.opened(connecting, false);
        assertEquals(1, tracker.trackedCount(), "an open one is followed");
    }

    @Test
    void aSocketClosedBetweenItsEofAndTheReadHookIsNotFollowedAgain() throws Throwable {
        for (boolean attached : new boolean[]{false, true}) {
            JdkSocketEvents events = events(attached);
            Object impl = acceptedImplAfterPeerClosed();
            events.opened(impl, true);
            assertNotNull(tracker.find(impl));
            // Another thread closes the socket (its close hook forgets it) before this thread's read hook runs.
            closeImpl(impl);
            events.closed(impl);
            events.endOfStream(impl);
            assertNull(tracker.find(impl), "attached=" + attached + ": a closed socket was tracked again");
            assertEquals(0, tracker.trackedCount(), "attached=" + attached);
        }
    }

    @Test
    void underTheJavaagentAnUnknownSocketAtEofIsNeverAdopted() throws Throwable {
        Object impl = acceptedImplAfterPeerClosed();
        events(false).endOfStream(impl);
        assertNull(tracker.find(impl));
    }

    @Test
    void afterAttachAnOpenSocketFirstMetAtEofIsAdoptedWithAllocationUnknown() throws Throwable {
        Object impl = acceptedImplAfterPeerClosed();
        events(true).endOfStream(impl);
        assertNotNull(tracker.find(impl), "opened before the attach: followed from its EOF on");
        assertEquals(1, tracker.trackedCount());
    }

    @Test
    void afterAttachAClosedChannelFirstMetAtEofIsNotAdopted() throws Throwable {
        ServerSocketChannel server = keep(ServerSocketChannel.open().bind(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        keep(SocketChannel.open(server.getLocalAddress())).close();
        SocketChannel accepted = keep(server.accept());
        accepted.close();
        events(true).endOfStream(accepted);
        assertNull(tracker.find(accepted));
    }

    @Test
    void unixDomainChannelsAreNeverFollowed() throws Throwable {
        Path dir = Files.createTempDirectory("closewait-unix");
        Path path = dir.resolve("s");
        ServerSocketChannel server = keep(ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(path)));
        SocketChannel client = keep(SocketChannel.open(UnixDomainSocketAddress.of(path)));
        SocketChannel accepted = keep(server.accept());
        JdkSocketEvents events = events(true);
        events.opened(client, false);
        events.opened(accepted, true);
        client.close();
        events.endOfStream(accepted);
        assertEquals(0, tracker.trackedCount());
        assertNull(tracker.find(accepted));
        assertNull(tracker.find(client));
        Files.deleteIfExists(path);
        Files.deleteIfExists(dir);
    }

    @Test
    void socketsOpenedOnTheAgentsOwnThreadsAreRememberedButNotFollowed() throws Throwable {
        Object impl = acceptedImplAfterPeerClosed();
        JdkSocketEvents events = events(false);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread agentThread = new AgentThread("test-appender", () -> {
            try {
                events.opened(impl, false);
                events.endOfStream(impl);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        agentThread.start();
        agentThread.join();
        assertNull(failure.get());
        assertNotNull(tracker.find(impl), "remembered, so that the kernel view leaves it alone");
        assertEquals(0, tracker.trackedCount(), "not followed as one of the application's sockets");
        events.endOfStream(impl);
        assertEquals(0, tracker.trackedCount(), "an EOF on another thread changes nothing");
    }

    /**
     * JDK 17's {@code BaseSSLSocketImpl.finalize()} calls {@code close()}, so the close hook runs on the finalizer
     * thread for an SSL socket the application dropped: that is a collected socket, not a closed one.
     */
    @Test
    void aCloseOnTheFinalizerThreadCountsAsCollectedNotClosed() throws Throwable {
        JdkSocketEvents events = events(false);
        Object impl = acceptedImplAfterPeerClosed();
        events.opened(impl, true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread finalizer = new Thread(new ThreadGroup("system"), () -> {
            try {
                events.closed(impl);
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "Finalizer");
        finalizer.start();
        finalizer.join();
        assertNull(failure.get());
        // Queued for the detector as collected (the reference is cleared as it is queued), not forgotten as closed.
        assertNull(tracker.find(impl));
        assertEquals(1, tracker.trackedCount(), "still followed until the detector reports it as gc-not-closed");
    }

    @Test
    void failuresHandedOverByTheHooksAreRecordedOnce() {
        JdkSocketEvents events = events(false);
        events.hookFailed(new IllegalStateException("boom"));
        assertEquals(1, errors.count());
        assertEquals(1, events.failuresRecorded());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).startsWith("closewait: internal error in socket hook"), warnings.get(0));
        warnings.clear();
    }

    private static void closeImpl(Object impl) throws Exception {
        var close = java.net.SocketImpl.class.getDeclaredMethod("close");
        close.setAccessible(true);
        close.invoke(impl);
    }

    private <T extends Closeable> T keep(T closeable) {
        open.add(closeable);
        return closeable;
    }
}
