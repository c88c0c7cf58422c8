package dev.closewait.report;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ApplicationLogTest {

    /** Keeps what it is given, as "LEVEL message". */
    private static final class RecordingLog implements AppLog {
        final List<String> lines = new ArrayList<>();

        @Override
        public void warn(String message) {
            lines.add("WARN " + message);
        }

        @Override
        public void info(String message) {
            lines.add("INFO " + message);
        }
    }

    /** An application logger whose appender throws what it is given. */
    private static AppLog throwing(Supplier<Throwable> failure) {
        return new AppLog() {
            @Override
            public void warn(String message) {
                throw sneaky(failure.get());
            }

            @Override
            public void info(String message) {
                throw sneaky(failure.get());
            }
        };
    }

    private static RuntimeException sneaky(Throwable failure) {
        if (failure instanceof Error error) {
            throw error;
        }
        return (RuntimeException) failure;
    }

    private static void recurse(int depth) {
        recurse(depth + 1);
    }

    @Test
    void aLoggerThatThrowsSendsTheReportToStandardErrorAndTheFailureOn() {
        List<Supplier<Throwable>> failures = List.of(
                () -> new IllegalStateException("appender closed"),
                () -> new OutOfMemoryError("Java heap space"),
                () -> {
                    try {
                        recurse(0);
                        return null;
                    } catch (StackOverflowError e) {
                        return e;
                    }
                });
        for (Supplier<Throwable> failure : failures) {
            RecordingLog stderr = new RecordingLog();
            Throwable thrown = failure.get();
            ApplicationLog log = new ApplicationLog(throwing(() -> thrown), stderr);

            assertSame(thrown, assertThrows(Throwable.class, () -> log.warn("Leaked socket #1")));
            assertSame(thrown, assertThrows(Throwable.class, () -> log.info("Previously reported #1")));

            assertEquals(List.of("WARN Leaked socket #1", "INFO Previously reported #1"), stderr.lines,
                    thrown.getClass().getSimpleName());
        }
    }

    @Test
    void aWorkingLoggerGetsEveryReportAndStandardErrorNothing() {
        RecordingLog application = new RecordingLog();
        RecordingLog stderr = new RecordingLog();
        ApplicationLog log = new ApplicationLog(application, stderr);

        log.warn("Leaked socket #1");

        assertEquals(List.of("WARN Leaked socket #1"), application.lines);
        assertEquals(List.of(), stderr.lines);
    }
}
