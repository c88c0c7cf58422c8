package dev.closewait.jdk;

import dev.closewait.bootstrap.SocketEventListener;
import dev.closewait.bootstrap.SocketHooks;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.ObjIntConsumer;

/**
 * The agent's side of the hooks class that the inserted calls name ({@link SocketHooks#JAVA_BASE_NAME}): defines it
 * in java.base through a lookup into its package, then reaches its static methods through method handles, the only
 * way in (the package is not exported, so the application cannot call it either). Until {@link #define} has run,
 * every method here does nothing and returns zero or null: that is the state of unit tests and of a failed start.
 */
public final class JavaBaseHooks {

    private static volatile Handles handles;

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
    public static Class<?> define(MethodHandles.Lookup lookup, byte[] classFile) throws ReflectiveOperationException {
        Class<?> hooks;
        try {
            hooks = lookup.defineClass(classFile);
        } catch (LinkageError definedBefore) {
            hooks = lookup.findClass(SocketHooks.JAVA_BASE_NAME);
        }
        lookup.ensureInitialized(hooks);
        handles = new Handles(lookup, hooks);
        return hooks;
    }

    /** Whether the hooks class is defined and reachable. */
    public static boolean defined() {
        return handles != null;
    }

    /** Sends the hooks' events to {@code listener}; null makes the hooks inert. */
    public static void install(SocketEventListener listener) {
        Handles current = handles;
        if (current != null) {
            try {
                current.install.invokeExact((ObjIntConsumer<Object>) listener);
            } catch (Throwable impossible) {
                // a static setter of a volatile field: nothing to throw
                throw new IllegalStateException(impossible);
            }
        }
    }

    /** Whether the write hooks report writes (see {@code SocketTracker.WriteWatch}). */
    public static void watchWrites(boolean watch) {
        Handles current = handles;
        if (current != null) {
            try {
                current.watchWrites.invokeExact(watch);
            } catch (Throwable impossible) {
                // a static setter of a volatile boolean: nothing to throw
            }
        }
    }

    /** Failures the hooks' guard caught. */
    public static long failures() {
        Handles current = handles;
        if (current == null) {
            return 0;
        }
        try {
            return (long) current.failures.invokeExact();
        } catch (Throwable impossible) {
            return 0;
        }
    }

    /** See {@code SocketHooks.takeLocalAddress}: the local address the JDK just looked up for {@code fd}, or null. */
    public static Object takeLocalAddress(Object fd) throws Throwable {
        return handles == null ? null : (Object) OnEveryOpen.TAKE_LOCAL_ADDRESS.invokeExact(fd);
    }

    /** Called on every open: a constant handle the JIT inlines. Initialised only once the hooks are defined. */
    private static final class OnEveryOpen {
        static final MethodHandle TAKE_LOCAL_ADDRESS = handles.takeLocalAddress;
    }

    private static final class Handles {
        final MethodHandle install;
        final MethodHandle watchWrites;
        final MethodHandle failures;
        final MethodHandle takeLocalAddress;

        Handles(MethodHandles.Lookup lookup, Class<?> hooks) throws ReflectiveOperationException {
            install = lookup.findStatic(hooks, "install", MethodType.methodType(void.class, ObjIntConsumer.class));
            watchWrites = lookup.findStatic(hooks, "watchWrites", MethodType.methodType(void.class, boolean.class));
            failures = lookup.findStatic(hooks, "failures", MethodType.methodType(long.class));
            takeLocalAddress = lookup.findStatic(hooks, "takeLocalAddress",
                    MethodType.methodType(Object.class, Object.class));
        }
    }
}
