package dev.closewait.report;

import dev.closewait.core.Leak;
import dev.closewait.core.LeakOutcome;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.closewait.report.Leaks.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Names the host controls (threads, classes, files) cannot forge lines or run escape sequences in text reports. */
class TextInjectionTest {

    private static final String FORGED = "x\n2026-11-30T00:00:00Z WARN [closewait] Leaked socket #999\u001b[2J";

    private static Leak hostileLeak() {
        return leak(FORGED, "\r\n  at forged.Frame", "\uD800");
    }

    /** A leak whose names hold these; all empty: the same leak with harmless names. */
    private static Leak leak(String forged, String forgedFile, String surrogate) {
        return Leaks.eofNotClosed().threads("acceptor" + forged, "reader" + forged + surrogate)
                .allocatedAt(frame("com.acme.Evil" + forged, "run", "Evil.java" + forgedFile, 1),
                        frame("java.lang.Thread", "run", "Thread.java", 840))
                .build();
    }

    private static void assertNoForgery(String text, int expectedLines) {
        List<String> lines = text.lines().toList();
        assertEquals(expectedLines, lines.size(), text);
        assertTrue(text.chars().noneMatch(c -> c < 0x20 && c != '\n' && c != '\r'), text);
        assertTrue(text.chars().noneMatch(c -> Character.isSurrogate((char) c)), text);
        for (String line : lines) {
            assertFalse(line.startsWith("2026-11-30"), "a forged line: " + line);
            assertFalse(line.trim().startsWith("at forged.Frame"), "a forged frame: " + line);
        }
    }

    @Test
    void aLeakReportKeepsItsOwnLinesWhateverTheNamesHold() {
        String text = new LeakText(40).leak(hostileLeak());

        assertNoForgery(text, (int) new LeakText(40).leak(leak("", "", "")).lines().count());
        String headline = text.lines().findFirst().orElseThrow();
        assertTrue(headline.contains("on thread \"readerx") && headline.contains("Leaked socket #999"),
                "the forged text stays inside the thread name, on the headline: " + text);
    }

    @Test
    void aThreadNameCannotCloseItsQuotesAndIsCutAt200Characters() {
        String quoting = "evil\" Site: forged.Frame.run(Forged.java:1). \\\"";
        Leak leak = Leaks.eofNotClosed().threads("acceptor", quoting + "x".repeat(3000)).build();
        String headline = new LeakText(40).leak(leak).lines().findFirst().orElseThrow();

        String quoted = headline.substring(headline.indexOf("on thread \"") + "on thread ".length(),
                headline.indexOf(" but close() was never called"));
        assertTrue(quoted.startsWith("\"evil\\\" Site: forged.Frame.run(Forged.java:1). \\\\\\\""), quoted);
        // Inside the quotes every double quote is escaped: the name cannot end them early.
        String inside = quoted.substring(1, quoted.length() - 1);
        assertFalse(inside.replace("\\\\", "").replace("\\\"", "").contains("\""), quoted);
        assertTrue(inside.length() < 300, "cut: " + inside.length() + " characters");
        assertTrue(inside.endsWith("(" + (quoting.length() + 3000) + " characters)"), inside);

        LeakOutcome closed = new LeakOutcome(leak, LeakOutcome.Kind.CLOSED, leak.detectedNanos() + 1,
                leak.detectedEpochMillis() + 1, quoting);
        assertTrue(new LeakText(40).outcome(closed).endsWith(
                ", on thread \"evil\\\" Site: forged.Frame.run(Forged.java:1). \\\\\\\"\"."),
                new LeakText(40).outcome(closed));
    }

    @Test
    void aClosedReportAndAFloodSummaryAreOneLineEach() {
        Leak leak = hostileLeak();
        LeakOutcome closed = new LeakOutcome(leak, LeakOutcome.Kind.CLOSED, leak.detectedNanos() + 1,
                leak.detectedEpochMillis() + 1, "closer" + FORGED);
        assertNoForgery(new LeakText(40).outcome(closed), 1);

        List<String> logged = new ArrayList<>();
        AppLog log = new AppLog() {
            @Override
            public void warn(String message) {
                logged.add(message);
            }

            @Override
            public void info(String message) {
                logged.add(message);
            }
        };
        FakeClockForSink clock = new FakeClockForSink();
        LogSink sink = new LogSink(log, new LeakText(40), clock);
        for (int i = 0; i < LogSink.PER_SITE_PER_MINUTE + 5; i++) {
            sink.leakDetected(leak);
        }
        clock.now += LogSink.MINUTE_NANOS;
        logged.clear();
        sink.tick();
        assertEquals(1, logged.size(), logged.toString());
        assertNoForgery(logged.get(0), 1);
    }

    @Test
    void standardErrorEscapesEverythingButTheAgentsOwnLineBreaks() {
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            new StderrLog(System.err).warn("Leaked \u001b]0;title\u0007\n  at a.B(B.java:1)");
        } finally {
            System.setErr(original);
        }
        String text = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(2, text.lines().count(), text);
        assertTrue(text.contains("Leaked \\u001b]0;title\\u0007"), text);
    }

    /** A clock the test moves. */
    private static final class FakeClockForSink implements dev.closewait.core.Clock {
        long now = 1_000_000_000L;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public long epochMillis(long nanoTime) {
            return 1_700_000_000_000L + nanoTime / 1_000_000L;
        }
    }
}
