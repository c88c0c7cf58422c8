package dev.closewait.report;

import dev.closewait.core.AgentThread;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Waiting out SLF4J's initialization in another thread: while it runs, {@code LoggerFactory.getILoggerFactory()}
 * answers with a SubstituteLoggerFactory, which would swallow a report (seen in the Logback end-to-end test, the
 * first two reports going to standard error).
 */
class Slf4jLogTest {

    /** Named like SLF4J's own, which is all the check looks at. */
    static final class SubstituteLoggerFactory {
    }

    static final class LoggerContext {
    }

    private static Object onAgentThread(Slf4jLog.FactoryCall call, long waitMillis) throws Throwable {
        AtomicReference<Object> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new AgentThread("test-log", () -> {
            try {
                result.set(Slf4jLog.initialized(call, waitMillis));
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        thread.start();
        thread.join(30_000);
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }

    @Test
    void anAgentThreadWaitsUntilAnotherThreadHasInitializedSlf4j() throws Throwable {
        LoggerContext real = new LoggerContext();
        AtomicInteger calls = new AtomicInteger();
        Object found = onAgentThread(() -> calls.incrementAndGet() <= 3 ? new SubstituteLoggerFactory() : real,
                10_000);

        assertSame(real, found);
        assertEquals(4, calls.get());
    }

    @Test
    void givesUpOnceTheWaitIsOver() throws Throwable {
        Object found = onAgentThread(SubstituteLoggerFactory::new, 50);

        assertEquals(SubstituteLoggerFactory.class, found.getClass(), "the report then goes to standard error");
    }

    @Test
    void aHostThreadNeverWaits() throws Throwable {
        AtomicInteger calls = new AtomicInteger();
        Object found = Slf4jLog.initialized(() -> {
            calls.incrementAndGet();
            return new SubstituteLoggerFactory();
        }, 10_000);

        assertEquals(SubstituteLoggerFactory.class, found.getClass());
        assertEquals(1, calls.get());
    }
}
