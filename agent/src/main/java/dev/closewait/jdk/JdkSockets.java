package dev.closewait.jdk;

import dev.closewait.bootstrap.JdkFields;

import dev.closewait.core.Endpoints;
import dev.closewait.core.SocketTracker;
import dev.closewait.core.SocketType;

import java.io.FileDescriptor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketImpl;
import java.net.StandardProtocolFamily;
import java.security.AccessController;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLSocket;

/**
 * Reads what reports need from the JDK's socket implementations (verified on JDK 17 and 25), and decides which
 * object identifies a socket: the {@code SocketImpl} for {@code Socket} and {@code SSLSocket}, the channel for
 * {@code SocketChannel}, the {@code FileDescriptor} for {@code AsynchronousSocketChannel} (its EOF surfaces in
 * {@code IOUtil} where only the descriptor is at hand). Field access goes through the bootstrap bridge's
 * {@link JdkFields}, to which alone the agent opens the JDK packages (see {@code ModuleAccess}).
 *
 * <p>The accessors live in one holder class per kind of socket, resolved the first time such a socket shows up:
 * resolving them all at start loaded and initialised {@code sun.nio.ch.Net}, {@code SocketChannelImpl} and
 * {@code AsynchronousSocketChannelImpl}, which then had to be retransformed, in every JVM, sockets or not
 * (docs/performance.md). Being {@code static final}, the method handles are also constants to the JIT.
 */
public final class JdkSockets implements SocketTracker.KeyHash {

    public JdkSockets() {
        // nothing to resolve yet: see the holders below
    }

    private static MethodHandle getter(Class<?> owner, String field) throws ReflectiveOperationException {
        return erased(resolve(new Resolve(owner, field)));
    }

    /**
     * Resolves an accessor; under a security manager (JDK 17 to 23) privileged, so that the checks of the lookup and
     * the reflection stop at the agent's own classes, which hold every permission: a holder below is resolved on
     * the application thread that first meets its kind of socket, whose code the policy may grant nothing.
     */
    @SuppressWarnings("removal")
    private static MethodHandle resolve(Resolve resolve) throws ReflectiveOperationException {
        if (System.getSecurityManager() == null) {
            return resolve.run();
        }
        try {
            return AccessController.doPrivileged(resolve);
        } catch (PrivilegedActionException e) {
            throw (ReflectiveOperationException) e.getException();
        }
    }

    /** A getter of {@code owner}'s {@code field}, or {@code Net.localAddress} when the field is null. */
    private static final class Resolve implements PrivilegedExceptionAction<MethodHandle> {
        private final Class<?> owner;
        private final String field;

        Resolve(Class<?> owner, String field) {
            this.owner = owner;
            this.field = field;
        }

        @Override
        public MethodHandle run() throws ReflectiveOperationException {
            return field == null ? JdkFields.localAddressOfDescriptor() : JdkFields.getter(owner, field);
        }
    }

    /**
     * {@code handle} taking an {@code Object} and returning an {@code Object} (or its primitive), so that every call
     * here is an {@code invokeExact} with those static types. A plain {@code invoke} goes through the generic invoker
     * and its type checks on every call: a fifth of the open hook's time in a connection-churn profile
     * (async-profiler, issue 16).
     */
    private static MethodHandle erased(MethodHandle handle) {
        Class<?> returned = handle.type().returnType();
        return handle.asType(MethodType.methodType(returned.isPrimitive() ? returned : Object.class, Object.class));
    }

    private static MethodHandle getter(String owner, String field) throws ReflectiveOperationException {
        return getter(Class.forName(owner), field);
    }

    /** {@code Socket} and {@code SocketImpl}: the plain socket under every {@code Socket} and {@code SSLSocket}. */
    private static final class Plain {
        static final MethodHandle SOCKET_IMPL;
        static final MethodHandle IMPL_FD;
        static final MethodHandle IMPL_ADDRESS;
        static final MethodHandle IMPL_PORT;
        static final MethodHandle DESCRIPTOR_FD;
        static final MethodHandle NET_LOCAL_ADDRESS;
        static final Class<?> DELEGATING_IMPL;
        static final MethodHandle IMPL_DELEGATE;

        static {
            try {
                SOCKET_IMPL = getter(Socket.class, "impl");
                IMPL_FD = getter(SocketImpl.class, "fd");
                IMPL_ADDRESS = getter(SocketImpl.class, "address");
                IMPL_PORT = getter(SocketImpl.class, "port");
                DESCRIPTOR_FD = getter(FileDescriptor.class, "fd");
                NET_LOCAL_ADDRESS = erased(resolve(new Resolve(null, null)));
                DELEGATING_IMPL = Class.forName("java.net.DelegatingSocketImpl");
                IMPL_DELEGATE = getter(DELEGATING_IMPL, "delegate");
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    /** {@code NioSocketImpl.state}: 0 new ... 3 connected, 4 closing, 5 closed (JDK 17 to 25). */
    private static final class NioState {
        static final MethodHandle STATE;
        static final int CLOSING = 4;

        static {
            try {
                STATE = getter("sun.nio.ch.NioSocketImpl", "state");
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    private static final class Ssl {
        static final Class<?> BASE_SSL_SOCKET;
        static final MethodHandle SELF;

        static {
            try {
                BASE_SSL_SOCKET = Class.forName("sun.security.ssl.BaseSSLSocketImpl");
                SELF = getter(BASE_SSL_SOCKET, "self");
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    private static final class Channel {
        static final MethodHandle FAMILY;
        static final MethodHandle FD;
        static final MethodHandle LOCAL;
        static final MethodHandle REMOTE;

        static {
            try {
                FAMILY = getter("sun.nio.ch.SocketChannelImpl", "family");
                FD = getter("sun.nio.ch.SocketChannelImpl", "fdVal");
                LOCAL = getter("sun.nio.ch.SocketChannelImpl", "localAddress");
                REMOTE = getter("sun.nio.ch.SocketChannelImpl", "remoteAddress");
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    private static final class Async {
        static final MethodHandle FD;
        static final MethodHandle LOCAL;
        static final MethodHandle REMOTE;

        static {
            try {
                FD = getter("sun.nio.ch.AsynchronousSocketChannelImpl", "fd");
                LOCAL = getter("sun.nio.ch.AsynchronousSocketChannelImpl", "localAddress");
                REMOTE = getter("sun.nio.ch.AsynchronousSocketChannelImpl", "remoteAddress");
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    /** The object that identifies the socket behind a hook argument; null for sockets not tracked (Unix domain). */
    public Object keyOf(Object hookArgument) throws Throwable {
        if (hookArgument instanceof SocketImpl || hookArgument instanceof FileDescriptor) {
            return hookArgument;
        }
        if (hookArgument instanceof SocketChannel) {
            Object family = (Object) Channel.FAMILY.invokeExact((Object) hookArgument);
            return family == StandardProtocolFamily.UNIX ? null : hookArgument;
        }
        if (hookArgument instanceof AsynchronousSocketChannel) {
            return (Object) Async.FD.invokeExact((Object) hookArgument);
        }
        if (hookArgument instanceof Socket socket) {
            return platformImpl((SocketImpl) (Object) Plain.SOCKET_IMPL.invokeExact((Object) transportOf(socket)));
        }
        return null;
    }

    /**
     * The hash the tracker files a socket key ({@link #keyOf}) under: its descriptor number for a {@code SocketImpl}
     * and a {@code SocketChannel}, which the JDK keeps in the object from before the open hook to after close (the
     * impl's {@code FileDescriptor} keeps its number when {@code NioSocketImpl} closes it, and the channel's
     * {@code fdVal} is final; checked on JDK 17 and 25), so the hash never changes while the socket is tracked. The
     * identity hash for anything else, or when the number is not there (-1). Never throws.
     */
    @Override
    public int of(Object key) {
        try {
            if (key instanceof SocketImpl) {
                FileDescriptor descriptor = (FileDescriptor) (Object) Plain.IMPL_FD.invokeExact(key);
                int fd = descriptor == null ? -1 : (int) Plain.DESCRIPTOR_FD.invokeExact((Object) descriptor);
                if (fd >= 0) {
                    return fd;
                }
            } else if (key instanceof SocketChannel) {
                return (int) Channel.FD.invokeExact(key);
            }
        } catch (Throwable unreadable) {
            // the identity hash below: always the same for this key too
        }
        return System.identityHashCode(key);
    }

    /**
     * The NioSocketImpl doing the work: a client Socket's impl is a SocksSocketImpl (a DelegatingSocketImpl) around
     * it, on JDK 17 and 25 alike.
     */
    private static SocketImpl platformImpl(SocketImpl impl) throws Throwable {
        SocketImpl current = impl;
        for (int depth = 0; depth < 4 && Plain.DELEGATING_IMPL.isInstance(current); depth++) {
            current = (SocketImpl) (Object) Plain.IMPL_DELEGATE.invokeExact((Object) current);
        }
        return current;
    }

    /** The plain socket that carries an SSL socket's bytes: itself, or the socket it was layered over. */
    private Socket transportOf(Socket socket) throws Throwable {
        if (socket instanceof SSLSocket && Ssl.BASE_SSL_SOCKET.isInstance(socket)) {
            Socket self = (Socket) (Object) Ssl.SELF.invokeExact((Object) socket);
            return self == null ? socket : self;
        }
        return socket;
    }

    /**
     * Whether the JDK says the socket behind a hook argument is still open (not closing, not closed), read from its
     * own state: {@code SocketChannel.isOpen()}, {@code AsynchronousSocketChannel.isOpen()}, {@code Socket.isClosed()},
     * {@code NioSocketImpl.state}. False where the JDK keeps no such state that the agent can read: an asynchronous
     * channel's bare descriptor, other impls.
     */
    public boolean isOpen(Object hookArgument) throws Throwable {
        if (hookArgument instanceof SocketChannel channel) {
            return channel.isOpen();
        }
        if (hookArgument instanceof AsynchronousSocketChannel channel) {
            return channel.isOpen();
        }
        if (hookArgument instanceof Socket socket) {
            return !socket.isClosed();
        }
        if (hookArgument instanceof SocketImpl impl && impl.getClass().getName().equals("sun.nio.ch.NioSocketImpl")) {
            return (int) NioState.STATE.invokeExact((Object) impl) < NioState.CLOSING;
        }
        return false;
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
            FileDescriptor descriptor = (FileDescriptor) (Object) Plain.IMPL_FD.invokeExact((Object) impl);
            InetAddress address = (InetAddress) (Object) Plain.IMPL_ADDRESS.invokeExact((Object) impl);
            int port = (int) Plain.IMPL_PORT.invokeExact((Object) impl);
            InetSocketAddress remote = address == null ? null : new InetSocketAddress(address, port);
            InetSocketAddress local = null;
            int fd = descriptor == null ? -1 : (int) Plain.DESCRIPTOR_FD.invokeExact((Object) descriptor);
            if (fd >= 0) {
                // Usually the JDK looked it up a moment ago on this thread (see JavaBaseHooks.takeLocalAddress).
                Object known = JavaBaseHooks.takeLocalAddress(descriptor);
                local = known instanceof InetSocketAddress remembered
                        ? remembered
                        : (InetSocketAddress) (Object) Plain.NET_LOCAL_ADDRESS.invokeExact((Object) descriptor);
            }
            return new Endpoints(fd, local, remote);
        }
        if (hookArgument instanceof SocketChannel) {
            return new Endpoints((int) Channel.FD.invokeExact((Object) hookArgument),
                    inet((SocketAddress) (Object) Channel.LOCAL.invokeExact((Object) hookArgument)),
                    inet((SocketAddress) (Object) Channel.REMOTE.invokeExact((Object) hookArgument)));
        }
        if (hookArgument instanceof AsynchronousSocketChannel) {
            FileDescriptor descriptor = (FileDescriptor) (Object) Async.FD.invokeExact((Object) hookArgument);
            return new Endpoints((int) Plain.DESCRIPTOR_FD.invokeExact((Object) descriptor),
                    (InetSocketAddress) (Object) Async.LOCAL.invokeExact((Object) hookArgument),
                    (InetSocketAddress) (Object) Async.REMOTE.invokeExact((Object) hookArgument));
        }
        if (hookArgument instanceof FileDescriptor descriptor) {
            return new Endpoints((int) Plain.DESCRIPTOR_FD.invokeExact((Object) descriptor), null, null);
        }
        return Endpoints.UNKNOWN;
    }

    private static InetSocketAddress inet(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet : null;
    }
}
