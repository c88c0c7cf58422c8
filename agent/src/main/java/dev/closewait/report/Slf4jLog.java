package dev.closewait.report;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The application's own SLF4J logger named {@code closewait}, reached reflectively in the application's class loader
 * (the agent ships no SLF4J of its own, so there is never a second binding).
 */
final class Slf4jLog implements AppLog {

    static final String LOGGER_NAME = "closewait";

    private final MethodHandle warn;
    private final MethodHandle info;

    private Slf4jLog(MethodHandle warn, MethodHandle info) {
        this.warn = warn;
        this.info = info;
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
            Object binding = lookup.findStatic(factory, "getILoggerFactory",
                    MethodType.methodType(Class.forName("org.slf4j.ILoggerFactory", false, loader))).invoke();
            String bindingName = binding == null ? "" : binding.getClass().getName();
            if (bindingName.contains("NOP") || bindingName.contains("Substitute")) {
                return null;
            }
            Object logger = lookup.findStatic(factory, "getLogger", MethodType.methodType(loggerType, String.class))
                    .invoke(LOGGER_NAME);
            MethodType message = MethodType.methodType(void.class, String.class);
            return new Slf4jLog(lookup.findVirtual(loggerType, "warn", message).bindTo(logger),
                    lookup.findVirtual(loggerType, "info", message).bindTo(logger));
        } catch (Throwable absent) {
            return null;
        }
    }

    /** An SLF4J 2 provider or an SLF4J 1.x binder, looked up without initialising SLF4J. */
    private static boolean hasBinding(ClassLoader loader) {
        return loader.getResource("META-INF/services/org.slf4j.spi.SLF4JServiceProvider") != null
                || loader.getResource("org/slf4j/impl/StaticLoggerBinder.class") != null;
    }

    @Override
    public void warn(String message) {
        invoke(warn, message);
    }

    @Override
    public void info(String message) {
        invoke(info, message);
    }

    private static void invoke(MethodHandle method, String message) {
        try {
            method.invoke(message);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
