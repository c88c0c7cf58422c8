package dev.closewait.bootstrap;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The static entry points that advice inlined into java.base calls. Each call is guarded: it never throws into the
 * host, and a socket operation made while the agent is already handling an event on the same thread is ignored
 * (so the agent can never recurse through sockets it touches itself).
 */
public final class SocketHooks {

    private static final int OPENED_CLIENT = 0;
    private static final int OPENED_ACCEPTED = 1;
    private static final int CONNECTED = 2;
    private static final int SECURED = 3;
    private static final int END_OF_STREAM = 4;
    private static final int WROTE = 5;
    private static final int INPUT_SHUTDOWN = 6;
    private static final int CLOSED = 7;
    private static final int USED_FOR_READ = 8;
    private static final int USED_FOR_WRITE = 9;

    private static volatile SocketEventListener listener;
    // Writes only matter while some socket has read EOF and is still within its grace period; the rest of the time
    // the write hook costs one volatile read.
    private static volatile boolean watchingWrites;
    private static final AtomicLong failures = new AtomicLong();
    private static final ThreadLocal<boolean[]> busy = new ThreadLocal<>() {
        @Override
        protected boolean[] initialValue() {
            return new boolean[1];
        }
    };

    // The last local address the JDK looked up on this thread, with its descriptor: NioSocketImpl asks Net for it
    // while connecting and accepting and keeps only the port; the open hook that follows on the same thread reuses
    // it instead of asking the kernel again (getsockname and a JNI-built address, ~1.4 us).
    private static final ThreadLocal<Object[]> lastLocalAddress = new ThreadLocal<>() {
        @Override
        protected Object[] initialValue() {
            return new Object[2];
        }
    };

    // The socket (by identity hash) and direction of this thread's last read or write, so that a run of reads or
    // writes on one socket raises one "used" event: a thread-local load and two compares per operation. The hash,
    // not the socket, so the hook keeps no socket alive; two sockets with one hash only lose a use event.
    private static final ThreadLocal<int[]> lastUse = new ThreadLocal<>() {
        @Override
        protected int[] initialValue() {
            return new int[2];
        }
    };

    private SocketHooks() {
    }

    public static void install(SocketEventListener newListener) {
        listener = newListener;
    }

    public static void watchWrites(boolean watch) {
        watchingWrites = watch;
    }

    /** Failures caught here, for tests and the agent's error counter. */
    public static long failures() {
        return failures.get();
    }

    public static void opened(Object socket, boolean accepted) {
        dispatch(accepted ? OPENED_ACCEPTED : OPENED_CLIENT, socket);
    }

    public static void connected(Object socket) {
        dispatch(CONNECTED, socket);
    }

    public static void secured(Object sslSocket) {
        dispatch(SECURED, sslSocket);
    }

    public static void endOfStream(Object socket) {
        dispatch(END_OF_STREAM, socket);
    }

    public static void wrote(Object socket) {
        if (watchingWrites) {
            dispatch(WROTE, socket);
        }
        used(socket, USED_FOR_WRITE);
    }

    /**
     * Raises a "used" event when this thread's previous read or write was on another socket or in the other
     * direction; otherwise costs a thread-local load and two compares.
     */
    private static void used(Object socket, int direction) {
        if (listener == null || socket == null) {
            return;
        }
        try {
            int[] last = lastUse.get();
            int hash = System.identityHashCode(socket);
            if (last[0] == hash && last[1] == direction) {
                return;
            }
            last[0] = hash;
            last[1] = direction;
        } catch (Throwable t) {
            failures.incrementAndGet();
            return;
        }
        dispatch(direction, socket);
    }

    // The *Returned variants take the instrumented method's return value, so that the code inlined into the JDK has
    // no branch of its own (and needs no new stack map frame): the test happens here.

    /** A read returned {@code n}; negative means EOF. */
    public static void readReturned(int n, Object socket) {
        if (n < 0) {
            dispatch(END_OF_STREAM, socket);
        } else if (n > 0) {
            used(socket, USED_FOR_READ);
        }
    }

    /** A scattering read returned {@code n}; negative means EOF. */
    public static void readReturned(long n, Object socket) {
        if (n < 0) {
            dispatch(END_OF_STREAM, socket);
        } else if (n > 0) {
            used(socket, USED_FOR_READ);
        }
    }

    /**
     * {@code SSLSocketImpl$AppInputStream.read} returned {@code n}; negative means EOF (the peer's close_notify). Its
     * data reads are not uses: the transport socket's own reads underneath already were.
     */
    public static void sslReadReturned(int n, Object sslSocket) {
        if (n < 0) {
            dispatch(END_OF_STREAM, sslSocket);
        }
    }

    /** {@code SocketChannel.connect}/{@code finishConnect} returned; true means connected now. */
    public static void connectReturned(boolean connected, Object socket) {
        if (connected) {
            dispatch(CONNECTED, socket);
        }
    }

    /** {@code IOUtil.read} returned {@code n}; only asynchronous socket channels pass {@code async = true}. */
    public static void asyncReadReturned(int n, Object fd, boolean async) {
        if (async) {
            readReturned(n, fd);
        }
    }

    public static void asyncReadReturned(long n, Object fd, boolean async) {
        if (async) {
            readReturned(n, fd);
        }
    }

    public static void asyncWrote(Object fd, boolean async) {
        if (async) {
            wrote(fd);
        }
    }

    /** {@code Net.localAddress(fd)} returned {@code address}. */
    public static void localAddressReturned(Object address, Object fd) {
        if (listener == null) {
            return;
        }
        try {
            Object[] slot = lastLocalAddress.get();
            slot[0] = fd;
            slot[1] = address;
        } catch (Throwable t) {
            failures.incrementAndGet();
        }
    }

    /** The local address last looked up on this thread if it was for {@code fd}, else null; forgets it either way. */
    public static Object takeLocalAddress(Object fd) {
        Object[] slot = lastLocalAddress.get();
        Object address = slot[0] == fd ? slot[1] : null;
        slot[0] = null;
        slot[1] = null;
        return address;
    }

    public static void inputShutdown(Object socket) {
        dispatch(INPUT_SHUTDOWN, socket);
    }

    public static void closed(Object socket) {
        dispatch(CLOSED, socket);
    }

    private static void dispatch(int event, Object socket) {
        SocketEventListener target = listener;
        if (target == null || socket == null || !enter()) {
            return;
        }
        try {
            switch (event) {
                case OPENED_CLIENT -> target.opened(socket, false);
                case OPENED_ACCEPTED -> target.opened(socket, true);
                case CONNECTED -> target.connected(socket);
                case SECURED -> target.secured(socket);
                case END_OF_STREAM -> target.endOfStream(socket);
                case WROTE -> target.wrote(socket);
                case INPUT_SHUTDOWN -> target.inputShutdown(socket);
                case USED_FOR_READ -> target.used(socket, false);
                case USED_FOR_WRITE -> target.used(socket, true);
                default -> target.closed(socket);
            }
        } catch (Throwable t) {
            failures.incrementAndGet();
            try {
                target.hookFailed(t);
            } catch (Throwable ignored) {
                // Nothing more can be done without risking the host.
            }
        } finally {
            exit();
        }
    }

    private static boolean enter() {
        try {
            boolean[] flag = busy.get();
            if (flag[0]) {
                return false;
            }
            flag[0] = true;
            return true;
        } catch (Throwable t) {
            // Even the guard can fail (StackOverflowError, OutOfMemoryError): then the event is skipped.
            failures.incrementAndGet();
            return false;
        }
    }

    private static void exit() {
        try {
            busy.get()[0] = false;
        } catch (Throwable t) {
            failures.incrementAndGet();
        }
    }
}
