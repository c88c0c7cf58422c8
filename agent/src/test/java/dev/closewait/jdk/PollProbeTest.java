package dev.closewait.jdk;

import dev.closewait.bootstrap.JdkFields;
import dev.closewait.core.SocketProbe.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.FileDescriptor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketImpl;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The probe on real loopback connections: what poll says, that it reads nothing, and that it drops stale answers. */
class PollProbeTest {

    private final PollProbe probe = create();
    private final List<AutoCloseable> open = new ArrayList<>();

    private static PollProbe create() {
        try {
            return PollProbe.create();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
    }

    /** A connected pair: [client, accepted]. */
    private SocketChannel[] pair() throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        open.add(server);
        SocketChannel client = SocketChannel.open(server.getLocalAddress());
        SocketChannel accepted = server.accept();
        open.add(client);
        open.add(accepted);
        return new SocketChannel[] {client, accepted};
    }

    private static int fd(SocketChannel channel) throws Throwable {
        return (int) JdkFields.getter(channel.getClass(), "fdVal").invoke(channel);
    }

    /** Probes until the answer is {@code expected} or a second has passed (the peer's segment is in flight). */
    private Result awaitProbe(Object socket, int fd, Result expected) throws Exception {
        Result result = probe.probe(socket, fd);
        for (int i = 0; i < 100 && result != expected; i++) {
            Thread.sleep(10);
            result = probe.probe(socket, fd);
        }
        return result;
    }

    @Test
    void aConnectionIsAliveWithDataWaitingOrNot() throws Throwable {
        SocketChannel[] pair = pair();
        assertEquals(Result.ALIVE, probe.probe(pair[0], fd(pair[0])));
        pair[1].write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        Thread.sleep(50);
        assertEquals(Result.ALIVE, probe.probe(pair[0], fd(pair[0])), "unread data is not a closed peer");
    }

    @Test
    void thePeersFinIsPeerClosedAndNothingIsConsumed() throws Throwable {
        SocketChannel[] pair = pair();
        pair[1].write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        pair[1].close();

        assertEquals(Result.PEER_CLOSED, awaitProbe(pair[0], fd(pair[0]), Result.PEER_CLOSED));
        assertEquals(Result.PEER_CLOSED, probe.probe(pair[0], fd(pair[0])), "asking again changes nothing");

        ByteBuffer read = ByteBuffer.allocate(8);
        assertEquals(3, pair[0].read(read), "the data is still there for the application");
        assertEquals(-1, pair[0].read(read), "and then the EOF");
    }

    @Test
    void aResetIsConnectionGoneAndStaysSoAfterTheApplicationSawTheError() throws Throwable {
        SocketChannel[] pair = pair();
        pair[1].setOption(StandardSocketOptions.SO_LINGER, 0);
        pair[1].close(); // RST

        assertEquals(Result.CONNECTION_GONE, awaitProbe(pair[0], fd(pair[0]), Result.CONNECTION_GONE));
        try {
            pair[0].write(ByteBuffer.wrap(new byte[] {1}));
            pair[0].write(ByteBuffer.wrap(new byte[] {1}));
        } catch (java.io.IOException swallowed) {
            // what a careless handler does: the socket stays open
        }
        assertEquals(Result.CONNECTION_GONE, probe.probe(pair[0], fd(pair[0])), "POLLHUP stays when POLLERR is read");
    }

    @Test
    void aClosedSocketOrAnotherDescriptorNumberIsUnknown() throws Throwable {
        SocketChannel[] pair = pair();
        int fd = fd(pair[0]);
        assertEquals(Result.UNKNOWN, probe.probe(pair[0], fd(pair[1])), "not this socket's descriptor");
        pair[0].close();
        assertEquals(Result.UNKNOWN, probe.probe(pair[0], fd), "closed: its number may be another socket's now");
        assertEquals(Result.UNKNOWN, probe.probe(new Object(), 0), "not a socket key");
    }

    @Test
    void probesPlainSocketsByTheirImplAndAsyncChannelsByTheirDescriptor() throws Throwable {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket accepted = server.accept()) {
            Object impl = new JdkSockets().keyOf(JdkFields.getter(Socket.class, "impl").invoke(accepted));
            FileDescriptor descriptor = (FileDescriptor) JdkFields.getter(SocketImpl.class, "fd").invoke(impl);
            int fd = (int) JdkFields.getter(FileDescriptor.class, "fd").invoke(descriptor);
            assertEquals(Result.ALIVE, probe.probe(impl, fd));
            assertEquals(Result.ALIVE, probe.probe(descriptor, fd));

            client.close();

            assertEquals(Result.PEER_CLOSED, awaitProbe(impl, fd, Result.PEER_CLOSED));
            assertEquals(Result.PEER_CLOSED, probe.probe(descriptor, fd));
        }
    }

    @ParameterizedTest(name = "revents {0}: {1}")
    @CsvSource({
            "0, ALIVE", "1, ALIVE",                         // POLLIN: data, nothing else
            "8193, PEER_CLOSED", "8192, PEER_CLOSED",       // POLLRDHUP (with POLLIN)
            "8209, CONNECTION_GONE", "8217, CONNECTION_GONE", "16, CONNECTION_GONE", "8, CONNECTION_GONE",
            "32, UNKNOWN", "-5, UNKNOWN"})                  // POLLNVAL; the JDK's IOS_THROWN
    void classifiesLinuxRevents(int revents, Result expected) {
        assertEquals(expected, PollProbe.classify(revents));
    }
}
