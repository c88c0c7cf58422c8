package dev.closewait.jdk;

import dev.closewait.bootstrap.SocketEventListener;
import dev.closewait.core.AgentErrors;
import dev.closewait.core.AgentThread;
import dev.closewait.core.ClassLoaderCandidates;
import dev.closewait.core.Endpoints;
import dev.closewait.core.OwnPorts;
import dev.closewait.core.SocketTracker;
import dev.closewait.core.SocketType;
import dev.closewait.core.TrackedSocket;

import java.nio.channels.AsynchronousSocketChannel;
import java.security.AccessController;
import java.security.PrivilegedAction;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns what the hooks see inside the JDK into tracker events. Runs on application threads inside socket
 * operations: no I/O, no logging; sockets the agent's own threads open are remembered only to be left alone.
 *
 * <p>Errors are not caught here: {@code SocketHooks.dispatch}, the only caller, catches every {@code Throwable},
 * counts it and hands it to {@link #hookFailed}, which records it in {@link AgentErrors} as "socket hook".
 */
public final class JdkSocketEvents implements SocketEventListener {

    private final JdkSockets sockets;
    private final SocketTracker tracker;
    private final AgentErrors errors;
    private final ClassLoaderCandidates loaders;
    private final OwnPorts ownPorts;
    private final boolean adoptUntracked;
    private final AtomicLong failuresRecorded = new AtomicLong();

    /**
     * @param adoptUntracked whether a socket first met at EOF is followed from there on: only when the agent was
     *                       attached to a running JVM, whose older sockets it never saw opened. Under
     *                       {@code -javaagent} every socket passes the open hook, so an unknown one at EOF can only
     *                       be one closed meanwhile (or the agent's own): never adopted.
     * @param ownPorts       ports of the agent's own server, whose sockets are remembered only to be left alone
     */
    public JdkSocketEvents(JdkSockets sockets, SocketTracker tracker, AgentErrors errors,
                           ClassLoaderCandidates loaders, OwnPorts ownPorts, boolean adoptUntracked) {
        this.sockets = sockets;
        this.tracker = tracker;
        this.errors = errors;
        this.loaders = loaders;
        this.ownPorts = ownPorts;
        this.adoptUntracked = adoptUntracked;
    }

    @Override
    public void opened(Object socket, boolean accepted) throws Throwable {
        Object key = sockets.keyOf(socket);
        if (key == null) {
            return;
        }
        if (AgentThread.current()) {
            tracker.agentOwned(key, sockets.typeOf(socket), sockets.endpointsOf(socket));
        } else if (tracker.find(key) == null) {
            Endpoints endpoints = sockets.endpointsOf(socket);
            if (ownPorts.owns(endpoints.local())) {
                // accepted by the agent's own metrics endpoint (on the JDK's HTTP-Dispatcher thread)
                tracker.agentOwned(key, sockets.typeOf(socket), endpoints);
                return;
            }
            tracker.opened(key, sockets.typeOf(socket), accepted, endpoints);
            loaders.note(contextLoader());
            if (closedSinceItsConnect(socket)) {
                tracker.closed(key);
            }
        }
    }

    /**
     * Whether an asynchronous channel, just filed by its open hook, is closed already. The JDK closes the channel
     * when its connection cannot be made: inside {@code connect} when refused at once, or on its event thread when
     * the pending connection fails, which can be before the open hook at {@code connect}'s return has filed it. Either
     * way that close hook found nothing to forget and the application's own close raises none, so the record would
     * stay until the channel is collected and reported as leaked. Read after filing: a close whose hook runs after
     * that finds the record itself; one that ran before shows here ({@code isOpen} turns false before the close hook
     * runs). The other open hooks run on a normal return only, which a failed connect never makes.
     */
    private boolean closedSinceItsConnect(Object socket) throws Throwable {
        return socket instanceof AsynchronousSocketChannel && !sockets.isOpen(socket);
    }

    /** A client channel was constructed: where, kept until it connects (Unix domain ones and the agent's own: not). */
    @Override
    public void created(Object channel) throws Throwable {
        Object key = sockets.keyOf(channel);
        if (key != null && !AgentThread.current()) {
            tracker.created(key);
        }
    }

    @Override
    public void connected(Object socket) throws Throwable {
        Object key = sockets.keyOf(socket);
        if (key != null && tracker.find(key) != null) {
            tracker.endpoints(key, sockets.endpointsOf(socket));
        }
    }

    @Override
    public void secured(Object sslSocket) throws Throwable {
        Object key = sockets.keyOf(sslSocket);
        if (key != null) {
            tracker.retype(key, SocketType.SSL_SOCKET);
        }
    }

    @Override
    public void endOfStream(Object socket) throws Throwable {
        Object key = sockets.keyOf(socket);
        if (key == null) {
            return;
        }
        TrackedSocket tracked = tracker.find(key);
        if (tracked == null) {
            adopt(socket, key);
            return;
        }
        tracker.endOfStream(tracked); // one map operation per EOF, not two
    }

    /**
     * Follows a socket opened before the agent attached, first met at EOF (allocation unknown). Never one the JDK
     * says is closed: another thread may have closed it between the read returning -1 and this hook, and its close
     * hook found nothing to forget. The state is read again after adopting, so that a close that runs its hook
     * before the adoption is still seen.
     */
    private void adopt(Object socket, Object key) throws Throwable {
        if (!adoptUntracked || AgentThread.current() || !sockets.isOpen(socket)) {
            return;
        }
        tracker.adopted(key, sockets.typeOf(socket), sockets.endpointsOf(socket));
        tracker.endOfStream(key);
        if (!sockets.isOpen(socket)) {
            tracker.closed(key);
        }
    }

    @Override
    public void wrote(Object socket) throws Throwable {
        Object key = sockets.keyOf(socket);
        if (key != null) {
            tracker.wrote(key);
        }
    }

    @Override
    public void read(Object socket) throws Throwable {
        Object key = sockets.keyOf(socket);
        if (key != null) {
            tracker.read(key);
        }
    }

    @Override
    public void wroteAndUsed(Object socket) throws Throwable {
        Object key = sockets.keyOf(socket);
        if (key != null) {
            tracker.wroteAndUsed(key);
        }
    }

    @Override
    public void used(Object socket, boolean write) throws Throwable {
        Object key = sockets.keyOf(socket);
        if (key != null) {
            tracker.used(key, write);
        }
    }

    @Override
    public void inputShutdown(Object socket) throws Throwable {
        Object key = sockets.keyOf(socket);
        if (key != null) {
            tracker.inputShutdown(key);
        }
    }

    @Override
    public void closed(Object socket) throws Throwable {
        Object key = sockets.keyOf(socket);
        if (key == null) {
            return;
        }
        if (isFinalizerThread()) {
            tracker.finalized(key);
        } else {
            tracker.closed(key);
        }
    }

    @Override
    public void hookFailed(Throwable failure) {
        failuresRecorded.incrementAndGet();
        errors.record("socket hook", failure);
    }

    /**
     * Failures handed to {@link #hookFailed} and recorded in {@link AgentErrors}: {@code SocketHooks.failures()}
     * counts them too.
     */
    public long failuresRecorded() {
        return failuresRecorded.get();
    }

    /**
     * This thread's context class loader. Under a security manager (JDK 17 to 23) asked for privileged, so that the
     * check stops at the agent's own classes, which hold every permission, instead of failing the hook when the
     * application's code on this stack lacks {@code getClassLoader}.
     */
    @SuppressWarnings("removal")
    private static ClassLoader contextLoader() {
        if (System.getSecurityManager() == null) {
            return Thread.currentThread().getContextClassLoader();
        }
        return AccessController.doPrivileged(ContextLoader.INSTANCE);
    }

    private static final class ContextLoader implements PrivilegedAction<ClassLoader> {
        static final ContextLoader INSTANCE = new ContextLoader();

        @Override
        public ClassLoader run() {
            return Thread.currentThread().getContextClassLoader();
        }
    }

    // JDK 17's SSL sockets close themselves from finalize(): that is the garbage collector at work, not the application.
    private static boolean isFinalizerThread() {
        Thread thread = Thread.currentThread();
        return "Finalizer".equals(thread.getName()) && thread.getThreadGroup() != null
                && "system".equals(thread.getThreadGroup().getName());
    }
}
