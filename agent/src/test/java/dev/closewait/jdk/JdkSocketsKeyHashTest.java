package dev.closewait.jdk;

import org.junit.jupiter.api.Test;

import java.io.Closeable;
import java.io.FileDescriptor;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketImpl;
import java.nio.channels.SocketChannel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hash the tracker files the JDK's sockets under: the descriptor number, the same from the open hook to after
 * close (the close hook looks the record up after the JDK closed the descriptor), never the identity hash.
 */
class JdkSocketsKeyHashTest {

    private final JdkSockets sockets = new JdkSockets();

    @Test
    void aSocketIsFiledUnderItsDescriptorNumberBeforeAndAfterClose() throws Throwable {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket accepted = server.accept()) {
            for (Socket socket : new Socket[] {client, accepted}) {
                assertFiledUnderItsDescriptorBeforeAndAfterClose(socket, socket);
            }
        }
    }

    @Test
    void aChannelIsFiledUnderItsDescriptorNumberBeforeAndAfterClose() throws Throwable {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             SocketChannel channel = SocketChannel.open(
                     new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()))) {
            assertFiledUnderItsDescriptorBeforeAndAfterClose(channel, channel);
        }
    }

    @Test
    void anythingElseIsFiledUnderItsIdentityHash() throws Throwable {
        Object other = new Object();
        assertEquals(System.identityHashCode(other), sockets.of(other));
        FileDescriptor descriptor = new FileDescriptor();
        assertEquals(System.identityHashCode(descriptor), sockets.of(descriptor));
        SocketImpl unconnected = unconnectedImpl();
        assertEquals(System.identityHashCode(unconnected), sockets.of(unconnected), "no descriptor yet");
    }

    /** {@code socket}'s key ({@link JdkSockets#keyOf}) hashes to its descriptor number; closes it, and again. */
    private void assertFiledUnderItsDescriptorBeforeAndAfterClose(Object socket, Closeable closing) throws Throwable {
        Object key = sockets.keyOf(socket);
        int fd = sockets.endpointsOf(key).fd();
        assertTrue(fd >= 0);
        assertEquals(fd, sockets.of(key));
        closing.close();
        assertEquals(fd, sockets.of(key), "the same after close");
    }

    private static SocketImpl unconnectedImpl() throws ReflectiveOperationException {
        Socket socket = new Socket();
        Field impl = Socket.class.getDeclaredField("impl");
        impl.setAccessible(true);
        return (SocketImpl) impl.get(socket);
    }
}
