package dev.closewait.jdk;

import dev.closewait.bootstrap.JdkFields;
import dev.closewait.core.Endpoints;
import dev.closewait.core.SocketType;

import java.io.FileDescriptor;
import java.lang.invoke.MethodHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketImpl;
import java.net.StandardProtocolFamily;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLSocket;

/**
 * Reads what reports need from the JDK's socket implementations (verified on JDK 17 and 25), and decides which
 * object identifies a socket: the {@code SocketImpl} for {@code Socket} and {@code SSLSocket}, the channel for
 * {@code SocketChannel}, the {@code FileDescriptor} for {@code AsynchronousSocketChannel} (its EOF surfaces in
 * {@code IOUtil} where only the descriptor is at hand). Field access goes through the bootstrap bridge's
 * {@link JdkFields}, to which alone the agent opens the JDK packages (see {@code ModuleAccess}).
 */
public final class JdkSockets {

    private final MethodHandle socketImpl;
    private final MethodHandle sslSelf;
    private final MethodHandle implFd;
    private final MethodHandle implAddress;
    private final MethodHandle implPort;
    private final MethodHandle descriptorFd;
    private final MethodHandle netLocalAddress;
    private final MethodHandle channelFamily;
    private final MethodHandle channelFd;
    private final MethodHandle channelLocal;
    private final MethodHandle channelRemote;
    private final MethodHandle asyncFd;
    private final MethodHandle asyncLocal;
    private final MethodHandle asyncRemote;
    private final Class<?> baseSslSocket;
    private final Class<?> delegatingImpl;
    private final MethodHandle implDelegate;

    public JdkSockets() throws ReflectiveOperationException {
        socketImpl = getter(Socket.class, "impl");
        implFd = getter(SocketImpl.class, "fd");
        implAddress = getter(SocketImpl.class, "address");
        implPort = getter(SocketImpl.class, "port");
        descriptorFd = getter(FileDescriptor.class, "fd");
        netLocalAddress = JdkFields.localAddressOfDescriptor();
        Class<?> channel = Class.forName("sun.nio.ch.SocketChannelImpl");
        channelFamily = getter(channel, "family");
        channelFd = getter(channel, "fdVal");
        channelLocal = getter(channel, "localAddress");
        channelRemote = getter(channel, "remoteAddress");
        Class<?> async = Class.forName("sun.nio.ch.AsynchronousSocketChannelImpl");
        asyncFd = getter(async, "fd");
        asyncLocal = getter(async, "localAddress");
        asyncRemote = getter(async, "remoteAddress");
        delegatingImpl = Class.forName("java.net.DelegatingSocketImpl");
        implDelegate = getter(delegatingImpl, "delegate");
        baseSslSocket = Class.forName("sun.security.ssl.BaseSSLSocketImpl");
        sslSelf = getter(baseSslSocket, "self");
    }

    private static MethodHandle getter(Class<?> owner, String field) throws ReflectiveOperationException {
        return JdkFields.getter(owner, field);
    }

    /** The object that identifies the socket behind a hook argument; null for sockets not tracked (Unix domain). */
    public Object keyOf(Object hookArgument) throws Throwable {
        if (hookArgument instanceof SocketImpl || hookArgument instanceof FileDescriptor) {
            return hookArgument;
        }
        if (hookArgument instanceof SocketChannel) {
            return channelFamily.invoke(hookArgument) == StandardProtocolFamily.UNIX ? null : hookArgument;
        }
        if (hookArgument instanceof AsynchronousSocketChannel) {
            return asyncFd.invoke(hookArgument);
        }
        if (hookArgument instanceof Socket socket) {
            return platformImpl((SocketImpl) socketImpl.invoke(transportOf(socket)));
        }
        return null;
    }

    /**
     * The NioSocketImpl doing the work: a client Socket's impl is a SocksSocketImpl (a DelegatingSocketImpl) around
     * it, on JDK 17 and 25 alike.
     */
    private SocketImpl platformImpl(SocketImpl impl) throws Throwable {
        SocketImpl current = impl;
        for (int depth = 0; depth < 4 && delegatingImpl.isInstance(current); depth++) {
            current = (SocketImpl) implDelegate.invoke(current);
        }
        return current;
    }

    /** The plain socket that carries an SSL socket's bytes: itself, or the socket it was layered over. */
    private Socket transportOf(Socket socket) throws Throwable {
        if (baseSslSocket.isInstance(socket)) {
            Socket self = (Socket) sslSelf.invoke(socket);
            return self == null ? socket : self;
        }
        return socket;
    }

    public SocketType typeOf(Object hookArgument) {
        if (hookArgument instanceof SocketChannel) {
            return SocketType.SOCKET_CHANNEL;
        }
        if (hookArgument instanceof AsynchronousSocketChannel || hookArgument instanceof FileDescriptor) {
            return SocketType.ASYNC_SOCKET_CHANNEL; // only asynchronous channels reach the hooks by descriptor
        }
        return hookArgument instanceof SSLSocket ? SocketType.SSL_SOCKET : SocketType.SOCKET;
    }

    /** File descriptor and addresses, as far as the socket knows them now. */
    public Endpoints endpointsOf(Object hookArgument) throws Throwable {
        if (hookArgument instanceof SocketImpl impl) {
            FileDescriptor descriptor = (FileDescriptor) implFd.invoke(impl);
            InetAddress address = (InetAddress) implAddress.invoke(impl);
            int port = (int) implPort.invoke(impl);
            InetSocketAddress remote = address == null ? null : new InetSocketAddress(address, port);
            InetSocketAddress local = null;
            int fd = descriptor == null ? -1 : (int) descriptorFd.invoke(descriptor);
            if (fd >= 0) {
                local = (InetSocketAddress) netLocalAddress.invoke(descriptor);
            }
            return new Endpoints(fd, local, remote);
        }
        if (hookArgument instanceof SocketChannel) {
            return new Endpoints((int) channelFd.invoke(hookArgument),
                    inet((SocketAddress) channelLocal.invoke(hookArgument)),
                    inet((SocketAddress) channelRemote.invoke(hookArgument)));
        }
        if (hookArgument instanceof AsynchronousSocketChannel) {
            FileDescriptor descriptor = (FileDescriptor) asyncFd.invoke(hookArgument);
            return new Endpoints((int) descriptorFd.invoke(descriptor),
                    (InetSocketAddress) asyncLocal.invoke(hookArgument),
                    (InetSocketAddress) asyncRemote.invoke(hookArgument));
        }
        if (hookArgument instanceof FileDescriptor descriptor) {
            return new Endpoints((int) descriptorFd.invoke(descriptor), null, null);
        }
        return Endpoints.UNKNOWN;
    }

    private static InetSocketAddress inet(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet : null;
    }
}
