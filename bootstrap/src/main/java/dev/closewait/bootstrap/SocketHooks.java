package dev.closewait.bootstrap;

import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicBoolean;
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
    /** The first read that returned data of a run of reads by one thread on one socket. */
    public static final int USED_FOR_READ = 9;
    /** The first write of a run of writes by one thread on one socket. */
    public static final int USED_FOR_WRITE = 10;
    /** {@link #WROTE} and {@link #USED_FOR_WRITE} at once: a watched write that starts a run of writes. */
    public static final int WROTE_AND_USED = 11;
    /**
     * A client {@code SocketChannel} was constructed, not connected yet: where the application asked for a channel
     * that a library may connect later on another thread (Netty's {@code Bootstrap.connect} creates the channel on
     * the caller's thread and connects it on an event loop).
     */
    public static final int CREATED = 12;
    /**
     * A read returned data while reads are watched: the kernel view has a socket in CLOSE_WAIT within its grace
     * period, and a socket whose application still reads what the peer sent before closing is in use, not leaked.
     */
    public static final int READ = 13;

    private static volatile ObjIntConsumer<Object> listener;
    // Writes only matter while some socket has read EOF and is still within its grace period; the rest of the time
    // the write hook costs one volatile read.
    private static final AtomicBoolean watchingWrites = new AtomicBoolean();
    // Reads only matter while the kernel view has a socket in CLOSE_WAIT within its grace period (see READ).
    private static final AtomicBoolean watchingReads = new AtomicBoolean();
    private static final AtomicLong failures = new AtomicLong();
    // Plain ThreadLocals filled on first use: a subclass with initialValue() would be a second class to define.
    //
    // This thread's state, {int[] {busy, event of the last use}, WeakReference to the socket of the last use}: busy is
    // 1 while the thread is inside an event (the guard against recursion); the last use is this thread's last read or
    // write, so that a run of reads or writes on one socket raises one "used" event: a thread-local load, a
    // reference compare and an int compare per operation. Weakly, so the hook keeps no socket alive; a new reference
    // per run that starts, on the path that dispatches an event anyway. Not the socket's identity hash: the first
    // one taken of a new object is a call into the VM, about 0.13 us per socket in the churn workload (issue 16).
    private static final ThreadLocal<Object[]> threadState = new ThreadLocal<>();
    private static final int FLAGS = 0;
    private static final int LAST_SOCKET = 1;
    private static final int BUSY = 0;
    private static final int LAST_EVENT = 1;

    // The last local address the JDK looked up on this thread, with its descriptor: NioSocketImpl asks Net for it
    // while connecting and accepting and keeps only the port; the open hook that follows on the same thread reuses
    // it instead of asking the kernel again (getsockname and a JNI-built address, ~1.4 us).
    private static final ThreadLocal<Object[]> lastLocalAddress = new ThreadLocal<>();

    private SocketHooks() {
    }

    /**
     * Sets the listener (null: the hooks do nothing) and returns the state the agent shares with the hooks, all JDK
     * types, so that this one method is all the agent ever has to look up: {@code [AtomicBoolean watching writes,
     * AtomicLong failures caught here, ThreadLocal<Object[]> last local address as {descriptor, address},
     * AtomicBoolean watching reads]}.
     */
    public static Object[] install(ObjIntConsumer<Object> newListener) {
        listener = newListener;
        return new Object[] {watchingWrites, failures, lastLocalAddress, watchingReads};
    }

    public static void opened(Object socket, boolean accepted) {
        dispatch(accepted ? OPENED_ACCEPTED : OPENED_CLIENT, socket);
    }

    /** A client channel was constructed; see {@link #CREATED}. */
    public static void created(Object channel) {
        dispatch(CREATED, channel);
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

    /**
     * A write: {@link #WROTE} while writes are watched, {@link #USED_FOR_WRITE} when it starts a run of writes, and
     * both in one event ({@link #WROTE_AND_USED}) when both hold, which under connection churn is every write (an EOF
     * somewhere keeps writes watched): one dispatch and one lookup instead of two.
     */
    public static void wrote(Object socket) {
        Object[] state = stateIfListening(socket);
        if (state == null) {
            return;
        }
        boolean newUse = startsRun(state, socket, USED_FOR_WRITE);
        if (watchingWrites.get()) {
            dispatch(state, newUse ? WROTE_AND_USED : WROTE, socket);
        } else if (newUse) {
            dispatch(state, USED_FOR_WRITE, socket);
        }
    }

    /**
     * Raises a "used" event ({@link #USED_FOR_READ} or {@link #USED_FOR_WRITE}) when this thread's previous read or
     * write was on another socket or in the other direction; otherwise costs a thread-local load and two compares.
     */
    private static void used(Object socket, int event) {
        Object[] state = stateIfListening(socket);
        if (state != null && startsRun(state, socket, event)) {
            dispatch(state, event, socket);
        }
    }

    /** Whether this read or write starts a run (see {@link #used}); remembers it as this thread's last either way. */
    @SuppressWarnings("unchecked")
    private static boolean startsRun(Object[] state, Object socket, int event) {
        try {
            int[] flags = (int[]) state[FLAGS];
            Object last = state[LAST_SOCKET];
            if (flags[LAST_EVENT] == event && last != null && ((WeakReference<Object>) last).refersTo(socket)) {
                return false;
            }
            state[LAST_SOCKET] = new WeakReference<>(socket);
            flags[LAST_EVENT] = event;
            return true;
        } catch (Throwable t) {
            failures.incrementAndGet();
            return false;
        }
    }

    /** This thread's state, created on first use; null when no listener is installed, no socket given, or failing. */
    private static Object[] stateIfListening(Object socket) {
        if (listener == null || socket == null) {
            return null;
        }
        try {
            Object[] state = threadState.get();
            if (state == null) {
                state = new Object[] {new int[2], null};
                threadState.set(state);
            }
            return state;
        } catch (Throwable t) {
            // Even this can fail (StackOverflowError, OutOfMemoryError): then the event is skipped.
            failures.incrementAndGet();
            return null;
        }
    }

    // The *Returned variants take the instrumented method's return value, so that the code inlined into the JDK has
    // no branch of its own (and needs no new stack map frame): the test happens here.

    /**
     * The end-of-stream status of a read: -1 in every read API, and {@code IOStatus.EOF} in {@code IOUtil}, whose
     * other negative statuses are not ends of stream ({@code UNAVAILABLE} -2: no data yet, what an asynchronous
     * channel's first read attempt gets; {@code INTERRUPTED} -3; JDK 17 and 25).
     */
    private static final int EOF = -1;

    /**
     * A read returned {@code n}: {@link #EOF} is EOF, more than 0 a use ({@link #READ} too while reads are watched),
     * anything else nothing.
     */
    public static void readReturned(int n, Object socket) {
        if (n == EOF) {
            dispatch(END_OF_STREAM, socket);
        } else if (n > 0) {
            readData(socket);
        }
    }

    /** A scattering read returned {@code n}; as {@link #readReturned(int, Object)}. */
    public static void readReturned(long n, Object socket) {
        if (n == EOF) {
            dispatch(END_OF_STREAM, socket);
        } else if (n > 0) {
            readData(socket);
        }
    }

    private static void readData(Object socket) {
        if (watchingReads.get()) {
            dispatch(READ, socket);
        }
        used(socket, USED_FOR_READ);
    }

    /**
     * {@code SSLSocketImpl$AppInputStream.read} returned {@code n}; -1 means EOF (the peer's close_notify). Its
     * data reads are not uses: the transport socket's own reads underneath already were.
     */
    public static void sslReadReturned(int n, Object sslSocket) {
        if (n == EOF) {
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

    public static void inputShutdown(Object socket) {
        dispatch(INPUT_SHUTDOWN, socket);
    }

    public static void closed(Object socket) {
        dispatch(CLOSED, socket);
    }

    private static void dispatch(int event, Object socket) {
        Object[] state = stateIfListening(socket);
        if (state != null) {
            dispatch(state, event, socket);
        }
    }

    /** Hands the event to the listener, unless this thread is inside an event already (see the class comment). */
    private static void dispatch(Object[] state, int event, Object socket) {
        ObjIntConsumer<Object> target = listener;
        int[] flags = (int[]) state[FLAGS];
        if (target == null || flags[BUSY] != 0) {
            return;
        }
        flags[BUSY] = 1;
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
            flags[BUSY] = 0;
        }
    }
}
