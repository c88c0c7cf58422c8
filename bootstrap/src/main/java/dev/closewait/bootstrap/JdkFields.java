package dev.closewait.bootstrap;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Set;

/**
 * Read access to the few JDK socket internals reports need, and nothing else. Loaded in the agent's own class loader,
 * whose unnamed module is the only one the agent opens the packages involved to: not the application class path's,
 * not the bootstrap loader's, so the application's own reflection behaves exactly as without the agent (a copy of
 * this class loaded from the application class path gets {@code IllegalAccessException}); and this class hands out
 * getters for a fixed list of fields only.
 */
public final class JdkFields {

    private static final Set<String> READABLE = Set.of(
            "java.net.Socket#impl",
            "java.net.SocketImpl#fd",
            "java.net.SocketImpl#address",
            "java.net.SocketImpl#port",
            "java.net.DelegatingSocketImpl#delegate",
            "sun.nio.ch.NioSocketImpl#state",
            "java.io.FileDescriptor#fd",
            "sun.nio.ch.SocketChannelImpl#family",
            "sun.nio.ch.SocketChannelImpl#fd",
            "sun.nio.ch.SocketChannelImpl#fdVal",
            "sun.nio.ch.SocketChannelImpl#localAddress",
            "sun.nio.ch.SocketChannelImpl#remoteAddress",
            "sun.nio.ch.AsynchronousSocketChannelImpl#fd",
            "sun.nio.ch.AsynchronousSocketChannelImpl#localAddress",
            "sun.nio.ch.AsynchronousSocketChannelImpl#remoteAddress",
            "sun.security.ssl.BaseSSLSocketImpl#self");

    private JdkFields() {
    }

    /** A getter for one of the listed fields. */
    public static MethodHandle getter(Class<?> owner, String field) throws ReflectiveOperationException {
        if (!READABLE.contains(owner.getName() + '#' + field)) {
            throw new IllegalAccessException(owner.getName() + '#' + field + " is not readable through closewait");
        }
        return MethodHandles.privateLookupIn(owner, MethodHandles.lookup())
                .unreflectGetter(owner.getDeclaredField(field));
    }

    /** {@code sun.nio.ch.Net.localAddress(FileDescriptor)}: a socket's local address, as the JDK asks the kernel. */
    public static MethodHandle localAddressOfDescriptor() throws ReflectiveOperationException {
        Class<?> net = Class.forName("sun.nio.ch.Net");
        return MethodHandles.privateLookupIn(net, MethodHandles.lookup()).findStatic(net, "localAddress",
                MethodType.methodType(java.net.InetSocketAddress.class, java.io.FileDescriptor.class));
    }

    /**
     * {@code sun.nio.ch.Net.poll(FileDescriptor, int events, long timeoutMillis)}: one poll(2) of a socket's
     * descriptor, returning its revents. With timeout 0 it neither blocks nor reads; the kernel view asks it whether
     * the peer closed (POLLRDHUP) or the connection is gone (POLLHUP, POLLERR).
     */
    public static MethodHandle pollDescriptor() throws ReflectiveOperationException {
        Class<?> net = Class.forName("sun.nio.ch.Net");
        return MethodHandles.privateLookupIn(net, MethodHandles.lookup()).findStatic(net, "poll",
                MethodType.methodType(int.class, java.io.FileDescriptor.class, int.class, long.class));
    }

    /** The module the JDK packages must be opened to: this class's, the agent class loader's unnamed module. */
    public static Module module() {
        return JdkFields.class.getModule();
    }
}
