package dev.closewait.jdk;

import dev.closewait.bootstrap.SocketEventListener;
import dev.closewait.bootstrap.SocketHooks;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ObjIntConsumer;

/**
 * The agent's side of the hooks class that the inserted calls name ({@link SocketHooks#JAVA_BASE_NAME}): defines it
 * in java.base through a lookup into its package, then reaches it through one method handle, the only way in (the
 * package is not exported, so the application cannot call it either); {@code install} hands back the state the
 * two share, as JDK objects. Until {@link #define} has run, every method here does nothing and returns zero or
 * null: that is the state of unit tests and of a failed start.
 */
public final class JavaBaseHooks {

    private static volatile MethodHandle install;
    private static volatile AtomicBoolean watchingWrites;
    private static volatile AtomicBoolean watchingReads;
    private static volatile AtomicLong failures;
    private static volatile ThreadLocal<Object[]> lastLocalAddress;

    private JavaBaseHooks() {
    }

    /**
     * Defines and initialises the hooks class from {@code classFile} (already named {@link SocketHooks#JAVA_BASE_NAME})
     * with {@code lookup}, a lookup with package access in that class's package; returns the class.
     *
     * <p>If a start that failed before instrumenting anything defined it already, that class is used again (a class
     * cannot be defined twice); a class of that name with other methods fails here with
     * {@code NoSuchMethodException}.
     *
     * @throws IllegalAccessException if the lookup lacks package access
     */
    @SuppressWarnings("unchecked")
    public static Class<?> define(MethodHandles.Lookup lookup, byte[] classFile) throws Throwable {
        Class<?> hooks;
        try {
            hooks = lookup.defineClass(classFile);
        } catch (LinkageError definedBefore) {
            hooks = lookup.findClass(SocketHooks.JAVA_BASE_NAME);
        }
        MethodHandle handle = lookup.findStatic(hooks, "install",
                MethodType.methodType(Object[].class, ObjIntConsumer.class));
        Object[] shared = (Object[]) handle.invokeExact((ObjIntConsumer<Object>) null);
        watchingWrites = (AtomicBoolean) shared[0];
        failures = (AtomicLong) shared[1];
        lastLocalAddress = (ThreadLocal<Object[]>) shared[2];
        watchingReads = (AtomicBoolean) shared[3];
        install = handle;
        return hooks;
    }

    /** Sends the hooks' events to {@code listener}; null makes the hooks inert. */
    public static void install(SocketEventListener listener) {
        MethodHandle current = install;
        if (current != null) {
            try {
                Object[] ignored = (Object[]) current.invokeExact((ObjIntConsumer<Object>) listener);
            } catch (Throwable impossible) {
                // a static setter of a volatile field: nothing to throw
                throw new IllegalStateException(impossible);
            }
        }
    }

    /** Whether the write hooks report writes (see {@code SocketTracker.WriteWatch}). */
    public static void watchWrites(boolean watch) {
        AtomicBoolean current = watchingWrites;
        if (current != null) {
            current.set(watch);
        }
    }

    /** Whether the read hooks report reads of data (see {@code SocketTracker.ReadWatch}). */
    public static void watchReads(boolean watch) {
        AtomicBoolean current = watchingReads;
        if (current != null) {
            current.set(watch);
        }
    }

    /** Failures the hooks' guard caught. */
    public static long failures() {
        AtomicLong current = failures;
        return current == null ? 0 : current.get();
    }

    /**
     * The local address the JDK looked up last on this thread ({@code Net.localAddress}, remembered by the hooks)
     * if it was for {@code fd}, else null; forgets it either way.
     */
    public static Object takeLocalAddress(Object fd) {
        ThreadLocal<Object[]> current = lastLocalAddress;
        Object[] slot = current == null ? null : current.get();
        if (slot == null) {
            return null;
        }
        Object address = slot[0] == fd ? slot[1] : null;
        slot[0] = null;
        slot[1] = null;
        return address;
    }
}
