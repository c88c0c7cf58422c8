package dev.closewait.instrument;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The transformer that inserts the hooks into the JDK's socket classes. Knows the targets by name only:
 * {@link SocketInstrumentation}'s rules and ASM are loaded the first time a target class is transformed, which in
 * most JVMs is when the application first opens a socket, not at start.
 *
 * <p>It is added in {@code premain}, closed: the hooks class the inserted calls name, and the tracker behind it,
 * are built afterwards on the agent's start thread, off the path to {@code main} (issue 16). Until {@link #ready}
 * opens it, a thread that loads a target class waits in {@link #transform} (at most {@link #MAX_WAIT_NANOS}), so that
 * a socket opened meanwhile is still followed; the start thread itself never waits (it would wait for itself): a
 * target it loads before then is left as it is and retransformed by {@link #ready}, like every target loaded before
 * the transformer was added. {@link #abandon} (a failed start) lets the waiting threads go with their classes
 * unchanged.
 */
public final class HookTransformer implements ClassFileTransformer {

    /** The internal names of {@link SocketInstrumentation#TARGETS}' classes (a test keeps the two equal). */
    static final Set<String> CLASSES = Set.of(
            "sun/nio/ch/NioSocketImpl",
            "sun/nio/ch/Net",
            "sun/nio/ch/SocketChannelImpl",
            "sun/nio/ch/AsynchronousSocketChannelImpl",
            "sun/nio/ch/UnixAsynchronousSocketChannelImpl",
            "sun/nio/ch/IOUtil",
            "sun/security/ssl/SSLSocketImpl$AppInputStream",
            "sun/security/ssl/SSLSocketImpl",
            "sun/security/ssl/SSLServerSocketImpl");

    /**
     * How long a thread that loads a target class waits for the start, in nanoseconds. The start takes tens of
     * milliseconds of CPU; the bound only keeps a host thread from waiting for ever should the start ever need a
     * class that thread is loading. A class that waited this long is left unchanged, and says so through the
     * error callback.
     */
    static final long MAX_WAIT_NANOS = 10_000_000_000L;

    private static final int CLOSED = 0;
    private static final int READY = 1;
    private static final int ABANDONED = 2;

    private final BiConsumer<String, Throwable> onError;
    private final Thread starter;
    private final long maxWaitNanos;
    private final Object gate = new Object();
    private volatile int state = CLOSED;

    HookTransformer(BiConsumer<String, Throwable> onError, Thread starter, long maxWaitNanos) {
        this.onError = onError;
        this.starter = starter;
        this.maxWaitNanos = maxWaitNanos;
    }

    /**
     * Adds the transformer, closed (see the class comment): no class is changed before {@link #ready}. Problems with
     * single classes go to {@code onError} (class name, cause); they never stop the others.
     *
     * @param starter the thread that will call {@link #ready} (never made to wait), or null when that is the
     *                thread calling this
     */
    public static HookTransformer add(Instrumentation instrumentation, BiConsumer<String, Throwable> onError,
                                      Thread starter) {
        HookTransformer transformer = new HookTransformer(onError,
                starter == null ? Thread.currentThread() : starter, MAX_WAIT_NANOS);
        instrumentation.addTransformer(transformer, true);
        return transformer;
    }

    /**
     * Opens the transformer: the hooks class is defined and its listener installed. Lets the waiting threads go on,
     * each transforming its class, then retransforms the target classes already loaded (before the transformer was
     * added, or on the start thread since).
     */
    public void ready(Instrumentation instrumentation) {
        open(READY);
        for (Class<?> loaded : instrumentation.getAllLoadedClasses()) {
            if (loaded.getClassLoader() == null && CLASSES.contains(loaded.getName().replace('.', '/'))
                    && instrumentation.isModifiableClass(loaded)) {
                try {
                    instrumentation.retransformClasses(loaded);
                } catch (Throwable t) {
                    onError.accept(loaded.getName(), t);
                }
            }
        }
    }

    /** The start failed before {@link #ready}: removes the transformer and lets the waiting threads go unchanged. */
    public void abandon(Instrumentation instrumentation) {
        open(ABANDONED);
        instrumentation.removeTransformer(this);
    }

    /** Whether {@link #ready} was called: target classes are transformed. */
    public boolean isReady() {
        return state == READY;
    }

    private void open(int to) {
        synchronized (gate) {
            if (state == CLOSED) {
                state = to;
            }
            gate.notifyAll();
        }
    }

    /** Loads the rules and ASM ahead of the first socket; for a background thread. */
    public static void prepare() {
        SocketInstrumentation.TARGETS.size();
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classFile) {
        if (loader != null || className == null || !CLASSES.contains(className)) {
            return null;
        }
        if (state != READY && !awaitReady(className)) {
            return null;
        }
        try {
            return SocketInstrumentation.transform(className, classFile);
        } catch (Throwable t) {
            onError.accept(className.replace('/', '.'), t);
            return null;
        }
    }

    /** Waits for {@link #ready} (see the class comment); false when the class is to stay as it is. */
    private boolean awaitReady(String className) {
        if (Thread.currentThread() == starter) {
            return false; // ready() retransforms it
        }
        long deadline = System.nanoTime() + maxWaitNanos;
        boolean interrupted = false;
        try {
            synchronized (gate) {
                while (state == CLOSED) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        onError.accept(className.replace('/', '.'), new IllegalStateException("not instrumented: "
                                + "the agent's start was not ready within " + maxWaitNanos / 1_000_000L + " ms"));
                        return false;
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(gate, left);
                    } catch (InterruptedException e) {
                        interrupted = true; // the host's interrupt, kept for it
                    }
                }
                return state == READY;
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
