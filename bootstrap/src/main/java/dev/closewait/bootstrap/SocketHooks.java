package dev.closewait.bootstrap;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ObjIntConsumer;

/**
 * The static entry points that the code inserted into JDK methods calls. This class is never used under its own name
 * in a running agent: the agent renames it to {@value #JAVA_BASE_NAME} and defines it in {@code java.base}, next to
 * the JDK classes that call it (see the agent's {@code JavaBaseHooks}), so nothing is appended to the bootstrap class
 * path. Hence its rules: JDK types only, no nested, anonymous or lambda classes, no string concatenation (each would
 * be a second class or an {@code invokedynamic} that java.base would have to resolve).
 *
 * <p>Each call is guarded: it never throws into the host, and a socket operation made while the agent is already
 * handling an event on the same thread is ignored (so the agent can never recurse through sockets it touches
 * itself). Events go to one listener, a JDK {@link ObjIntConsumer} taking the hook's argument and the event code
 * below; a failure caught here is passed to it as event {@link #FAILED} with the {@code Throwable} as argument.
 */
public final class SocketHooks {

    /** The name this class is defined under inside java.base; the inserted calls name it. */
    public static final String JAVA_BASE_NAME = "sun.nio.ch.ClosewaitSocketHooks";

    public static final int OPENED_CLIENT = 0;
    public static final int OPENED_ACCEPTED = 1;
    public static final int CONNECTED = 2;
    public static final int SECURED = 3;
    public static final int END_OF_STREAM = 4;
    public static final int WROTE = 5;
    public static final int INPUT_SHUTDOWN = 6;
    public static final int CLOSED = 7;
    /** Not a socket event: the argument is a {@code Throwable} the guard caught. */
    public static final int FAILED = 8;

    private static volatile ObjIntConsumer<Object> listener;
    // Writes only matter while some socket has read EOF and is still within its grace period; the rest of the time
    // the write hook costs one volatile read.
    private static volatile boolean watchingWrites;
    private static final AtomicLong failures = new AtomicLong();
    // Plain ThreadLocals filled on first use: a subclass with initialValue() would be a second class to define.
    private static final ThreadLocal<boolean[]> busy = new ThreadLocal<>();

    // The last local address the JDK looked up on this thread, with its descriptor: NioSocketImpl asks Net for it
    // while connecting and accepting and keeps only the port; the open hook that follows on the same thread reuses
    // it instead of asking the kernel again (getsockname and a JNI-built address, ~1.4 us).
    private static final ThreadLocal<Object[]> lastLocalAddress = new ThreadLocal<>();

    private SocketHooks() {
    }

    /** Sets the listener (null: the hooks do nothing). */
    public static void install(ObjIntConsumer<Object> newListener) {
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
    }

    // The *Returned variants take the instrumented method's return value, so that the code inlined into the JDK has
    // no branch of its own (and needs no new stack map frame): the test happens here.

    /** A read returned {@code n}; negative means EOF. */
    public static void readReturned(int n, Object socket) {
        if (n < 0) {
            dispatch(END_OF_STREAM, socket);
        }
    }

    /** A scattering read returned {@code n}; negative means EOF. */
    public static void readReturned(long n, Object socket) {
        if (n < 0) {
            dispatch(END_OF_STREAM, socket);
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
        if (async && n < 0) {
            dispatch(END_OF_STREAM, fd);
        }
    }

    public static void asyncReadReturned(long n, Object fd, boolean async) {
        if (async && n < 0) {
            dispatch(END_OF_STREAM, fd);
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
            if (slot == null) {
                slot = new Object[2];
                lastLocalAddress.set(slot);
            }
            slot[0] = fd;
            slot[1] = address;
        } catch (Throwable t) {
            failures.incrementAndGet();
        }
    }

    /** The local address last looked up on this thread if it was for {@code fd}, else null; forgets it either way. */
    public static Object takeLocalAddress(Object fd) {
        Object[] slot = lastLocalAddress.get();
        if (slot == null) {
            return null;
        }
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
        ObjIntConsumer<Object> target = listener;
        if (target == null || socket == null) {
            return;
        }
        boolean[] flag = enter();
        if (flag == null) {
            return;
        }
        try {
            target.accept(socket, event);
        } catch (Throwable t) {
            failures.incrementAndGet();
            try {
                target.accept(t, FAILED);
            } catch (Throwable ignored) {
                // Nothing more can be done without risking the host.
            }
        } finally {
            flag[0] = false;
        }
    }

    /** This thread's guard flag, now set; null if it was set already (a nested event) or the guard failed. */
    private static boolean[] enter() {
        try {
            boolean[] flag = busy.get();
            if (flag == null) {
                flag = new boolean[1];
                busy.set(flag);
            } else if (flag[0]) {
                return null;
            }
            flag[0] = true;
            return flag;
        } catch (Throwable t) {
            // Even the guard can fail (StackOverflowError, OutOfMemoryError): then the event is skipped.
            failures.incrementAndGet();
            return null;
        }
    }
}
