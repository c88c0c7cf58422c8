package dev.closewait.report;

import dev.closewait.core.AgentThread;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;

/**
 * The application's own SLF4J logger named {@code closewait}, reached reflectively in the application's class loader
 * (the agent ships no SLF4J of its own, so there is never a second binding). A leak is one line and a throwable
 * carrying its stacks; with SLF4J 2 its facts also go as key-value pairs through the fluent API
 * ({@code atWarn().addKeyValue(...)}), with SLF4J 1.7 they are in the line only.
 */
final class Slf4jLog implements AppLog {

    static final String LOGGER_NAME = "closewait";
    /** How long a report waits for SLF4J's initialization in another thread to end (agent threads only). */
    static final long INITIALIZATION_WAIT_MILLIS = 2_000;

    private final MethodHandle warn;
    private final MethodHandle info;
    private final MethodHandle warnWithThrowable;
    private final Fluent fluent; // null with SLF4J 1.x

    /** SLF4J 2's {@code Logger.atWarn()} and the {@code LoggingEventBuilder} methods the leak report uses. */
    private record Fluent(MethodHandle atWarn, MethodHandle addKeyValue, MethodHandle setCause, MethodHandle log) {
    }

    private Slf4jLog(MethodHandle warn, MethodHandle info, MethodHandle warnWithThrowable, Fluent fluent) {
        this.warn = warn;
        this.info = info;
        this.warnWithThrowable = warnWithThrowable;
        this.fluent = fluent;
    }

    /**
     * SLF4J as the loader sees it, or null when the loader has no SLF4J or SLF4J has no working binding (its
     * no-operation fallback would swallow every report).
     */
    static Slf4jLog find(ClassLoader loader) {
        if (!hasBinding(loader)) {
            return null; // and SLF4J is left untouched, so it prints no "no providers" warning because of us
        }
        try {
            Class<?> factory = Class.forName("org.slf4j.LoggerFactory", true, loader);
            Class<?> loggerType = Class.forName("org.slf4j.Logger", false, loader);
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            MethodHandle loggerFactory = lookup.findStatic(factory, "getILoggerFactory",
                    MethodType.methodType(Class.forName("org.slf4j.ILoggerFactory", false, loader)));
            Object binding = initialized(loggerFactory::invoke, INITIALIZATION_WAIT_MILLIS);
            String bindingName = binding == null ? "" : binding.getClass().getName();
            if (bindingName.contains("NOP") || isSubstitute(binding)) {
                return null;
            }
            Object logger = lookup.findStatic(factory, "getLogger", MethodType.methodType(loggerType, String.class))
                    .invoke(LOGGER_NAME);
            MethodType message = MethodType.methodType(void.class, String.class);
            return new Slf4jLog(lookup.findVirtual(loggerType, "warn", message).bindTo(logger),
                    lookup.findVirtual(loggerType, "info", message).bindTo(logger),
                    lookup.findVirtual(loggerType, "warn", MethodType.methodType(void.class, String.class,
                            Throwable.class)).bindTo(logger),
                    fluent(lookup, loader, loggerType, logger));
        } catch (Throwable absent) {
            return null;
        }
    }

    /** {@code getILoggerFactory()} as a call that may throw anything. */
    interface FactoryCall {
        Object get() throws Throwable;
    }

    /**
     * The logger factory {@code call} returns, called again every 10 ms for at most {@code waitMillis} while it is
     * SLF4J's SubstituteLoggerFactory: SLF4J hands that out while another thread is initializing it (the
     * application, typically, configuring its logging as it starts), and it would swallow the report. Waits only on
     * the agent's own threads (the log sink's); a host thread gets the first answer. Interrupted: returns the last.
     */
    static Object initialized(FactoryCall call, long waitMillis) throws Throwable {
        Object binding = call.get();
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        while (isSubstitute(binding) && AgentThread.current() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return binding;
            }
            binding = call.get();
        }
        return binding;
    }

    /** SLF4J 2's fluent API, or null (SLF4J 1.7 has no {@code org.slf4j.spi.LoggingEventBuilder}). */
    private static Fluent fluent(MethodHandles.Lookup lookup, ClassLoader loader, Class<?> loggerType, Object logger) {
        try {
            Class<?> builder = Class.forName("org.slf4j.spi.LoggingEventBuilder", false, loader);
            return new Fluent(
                    lookup.findVirtual(loggerType, "atWarn", MethodType.methodType(builder)).bindTo(logger),
                    lookup.findVirtual(builder, "addKeyValue",
                            MethodType.methodType(builder, String.class, Object.class)),
                    lookup.findVirtual(builder, "setCause", MethodType.methodType(builder, Throwable.class)),
                    lookup.findVirtual(builder, "log", MethodType.methodType(void.class, String.class)));
        } catch (Throwable slf4j1) {
            return null;
        }
    }

    private static boolean isSubstitute(Object binding) {
        return binding != null && binding.getClass().getName().contains("Substitute");
    }

    /** An SLF4J 2 provider or an SLF4J 1.x binder, looked up without initialising SLF4J. */
    private static boolean hasBinding(ClassLoader loader) {
        return loader.getResource("META-INF/services/org.slf4j.spi.SLF4JServiceProvider") != null
                || loader.getResource("org/slf4j/impl/StaticLoggerBinder.class") != null;
    }

    /** Whether leaks go out with key-value pairs (SLF4J 2). */
    boolean structured() {
        return fluent != null;
    }

    @Override
    public void warn(String message) {
        invoke(() -> warn.invoke(message));
    }

    @Override
    public void info(String message) {
        invoke(() -> info.invoke(message));
    }

    @Override
    public void leak(String message, Map<String, Object> keyValues, Throwable trace, String text) {
        if (fluent == null) {
            invoke(() -> warnWithThrowable.invoke(message, trace));
            return;
        }
        invoke(() -> {
            Object event = fluent.atWarn().invoke();
            for (Map.Entry<String, Object> pair : keyValues.entrySet()) {
                if (pair.getValue() != null) {
                    event = fluent.addKeyValue().invoke(event, pair.getKey(), pair.getValue());
                }
            }
            if (trace != null) {
                event = fluent.setCause().invoke(event, trace);
            }
            fluent.log().invoke(event, message);
        });
    }

    private interface Call {
        void run() throws Throwable;
    }

    private static void invoke(Call call) {
        try {
            call.run();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
