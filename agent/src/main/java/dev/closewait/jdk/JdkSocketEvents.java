package dev.closewait.jdk;

import dev.closewait.bootstrap.SocketEventListener;
import dev.closewait.core.AgentErrors;
import dev.closewait.core.AgentThread;
import dev.closewait.core.ClassLoaderCandidates;
import dev.closewait.core.Endpoints;
import dev.closewait.core.OwnPorts;
import dev.closewait.core.SocketTracker;
import dev.closewait.core.SocketType;

/**
 * Turns what the hooks see inside the JDK into tracker events. Runs on application threads inside socket
 * operations: no I/O, no logging; sockets the agent's own threads open are remembered only to be left alone.
 */
public final class JdkSocketEvents implements SocketEventListener {

    private final JdkSockets sockets;
    private final SocketTracker tracker;
    private final AgentErrors errors;
    private final ClassLoaderCandidates loaders;
    private final OwnPorts ownPorts;

    public JdkSocketEvents(JdkSockets sockets, SocketTracker tracker, AgentErrors errors,
                           ClassLoaderCandidates loaders) {
        this(sockets, tracker, errors, loaders, new OwnPorts());
    }

    /** Ignoring sockets on {@code ownPorts}: the agent's own server's. */
    public JdkSocketEvents(JdkSockets sockets, SocketTracker tracker, AgentErrors errors,
                           ClassLoaderCandidates loaders, OwnPorts ownPorts) {
        this.sockets = sockets;
        this.tracker = tracker;
        this.errors = errors;
        this.loaders = loaders;
        this.ownPorts = ownPorts;
    }

    @Override
    public void opened(Object socket, boolean accepted) {
        try {
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
                loaders.note(Thread.currentThread().getContextClassLoader());
            }
        } catch (Throwable t) {
            errors.record("socket open hook", t);
        }
    }

    @Override
    public void connected(Object socket) {
        try {
            Object key = sockets.keyOf(socket);
            if (key != null && tracker.find(key) != null) {
                tracker.endpoints(key, sockets.endpointsOf(socket));
            }
        } catch (Throwable t) {
            errors.record("socket connect hook", t);
        }
    }

    @Override
    public void secured(Object sslSocket) {
        try {
            Object key = sockets.keyOf(sslSocket);
            if (key != null) {
                tracker.retype(key, SocketType.SSL_SOCKET);
            }
        } catch (Throwable t) {
            errors.record("SSL socket hook", t);
        }
    }

    @Override
    public void endOfStream(Object socket) {
        try {
            Object key = sockets.keyOf(socket);
            if (key == null) {
                return;
            }
            if (tracker.find(key) == null && !AgentThread.current()) {
                // Opened before the agent attached: followed from here on, allocation unknown.
                tracker.adopted(key, sockets.typeOf(socket), sockets.endpointsOf(socket));
            }
            tracker.endOfStream(key);
        } catch (Throwable t) {
            errors.record("socket read hook", t);
        }
    }

    @Override
    public void wrote(Object socket) {
        try {
            Object key = sockets.keyOf(socket);
            if (key != null) {
                tracker.wrote(key);
            }
        } catch (Throwable t) {
            errors.record("socket write hook", t);
        }
    }

    @Override
    public void used(Object socket, boolean write) {
        try {
            Object key = sockets.keyOf(socket);
            if (key != null) {
                tracker.used(key, write);
            }
        } catch (Throwable t) {
            errors.record("socket use hook", t);
        }
    }

    @Override
    public void inputShutdown(Object socket) {
        try {
            Object key = sockets.keyOf(socket);
            if (key != null) {
                tracker.inputShutdown(key);
            }
        } catch (Throwable t) {
            errors.record("socket shutdown hook", t);
        }
    }

    @Override
    public void closed(Object socket) {
        try {
            Object key = sockets.keyOf(socket);
            if (key == null) {
                return;
            }
            if (isFinalizerThread()) {
                tracker.finalized(key);
            } else {
                tracker.closed(key);
            }
        } catch (Throwable t) {
            errors.record("socket close hook", t);
        }
    }

    @Override
    public void hookFailed(Throwable failure) {
        errors.record("socket hook", failure);
    }

    // JDK 17's SSL sockets close themselves from finalize(): that is the garbage collector at work, not the application.
    private static boolean isFinalizerThread() {
        Thread thread = Thread.currentThread();
        return "Finalizer".equals(thread.getName()) && thread.getThreadGroup() != null
                && "system".equals(thread.getThreadGroup().getName());
    }
}
