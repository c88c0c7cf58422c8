package dev.closewait.report;

import dev.closewait.core.AgentErrors;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakOutcome;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.closewait.report.Leaks.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportDispatcherTest {

    /** Keeps what it is given. */
    private static final class RecordingSink implements ReportSink {
        final List<Leak> leaks = new ArrayList<>();
        final List<LeakOutcome> outcomes = new ArrayList<>();

        @Override
        public void leak(Leak leak) {
            leaks.add(leak);
        }

        @Override
        public void outcome(LeakOutcome outcome) {
            outcomes.add(outcome);
        }
    }

    /** A sink whose disk is full. */
    private static final class BrokenSink implements ReportSink {
        int calls;

        @Override
        public void leak(Leak leak) {
            calls++;
            throw new IllegalStateException("disk full");
        }

        @Override
        public void outcome(LeakOutcome outcome) {
            calls++;
            throw new IllegalStateException("disk full");
        }
    }

    private final List<String> warnings = new ArrayList<>();
    private final AgentErrors errors = new AgentErrors(warnings::add);
    private final RecordingSink sink = new RecordingSink();

    private static Leak allocatedIn(String className) {
        return Leaks.eofNotClosed().allocatedAt(
                frame("dev.closewait.core.SocketTracker", "opened", "SocketTracker.java", 1),
                frame("java.net.Socket", "connect", "Socket.java", 633),
                frame(className, "call", "X.java", 10),
                frame("launcher.Main", "main", "Main.java", 5)).build();
    }

    private ReportDispatcher dispatcher(List<String> include, List<String> exclude) {
        return new ReportDispatcher(List.of(sink), include, exclude, errors);
    }

    @Test
    void reportsEverythingWithoutFilters() {
        ReportDispatcher dispatcher = dispatcher(List.of(), List.of());
        Leak leak = allocatedIn("org.example.Client");
        LeakOutcome outcome = Leaks.outcome(leak, LeakOutcome.Kind.CLOSED, 10);

        dispatcher.leakDetected(leak);
        dispatcher.leakResolved(outcome);

        assertEquals(List.of(leak), sink.leaks);
        assertEquals(List.of(outcome), sink.outcomes);
    }

    @Test
    void reportsOnlyLeaksAllocatedUnderAnIncludedPrefix() {
        ReportDispatcher dispatcher = dispatcher(List.of("com.acme.db.", "org.example.Client"), List.of());
        Leak db = allocatedIn("com.acme.db.Pool");
        Leak client = allocatedIn("org.example.Client");
        Leak web = allocatedIn("com.acme.web.Handler");

        dispatcher.leakDetected(db);
        dispatcher.leakDetected(client);
        dispatcher.leakDetected(web);
        dispatcher.leakResolved(Leaks.outcome(web, LeakOutcome.Kind.CLOSED, 1));
        dispatcher.leakResolved(Leaks.outcome(db, LeakOutcome.Kind.COLLECTED, 1));

        assertEquals(List.of(db, client), sink.leaks);
        assertEquals(1, sink.outcomes.size(), "outcomes follow the same filter");
        assertSame(db, sink.outcomes.get(0).leak());
    }

    @Test
    void dropsLeaksAllocatedUnderAnExcludedPrefix() {
        ReportDispatcher dispatcher = dispatcher(List.of(), List.of("com.acme.test."));
        Leak test = allocatedIn("com.acme.test.Fixture");
        Leak app = allocatedIn("com.acme.app.Service");

        dispatcher.leakDetected(test);
        dispatcher.leakDetected(app);
        dispatcher.leakResolved(Leaks.outcome(test, LeakOutcome.Kind.CLOSED, 1));

        assertEquals(List.of(app), sink.leaks);
        assertEquals(List.of(), sink.outcomes);
    }

    @Test
    void letsExcludeWinOverInclude() {
        ReportDispatcher dispatcher = dispatcher(List.of("com.acme."), List.of("com.acme.test."));
        Leak test = allocatedIn("com.acme.test.Fixture");
        Leak app = allocatedIn("com.acme.app.Service");
        Leak other = allocatedIn("org.other.Thing");

        dispatcher.leakDetected(test);
        dispatcher.leakDetected(app);
        dispatcher.leakDetected(other);

        assertEquals(List.of(app), sink.leaks);
    }

    @Test
    void keepsReportingToTheOtherSinksWhenOneFails() {
        BrokenSink broken = new BrokenSink();
        RecordingSink after = new RecordingSink();
        ReportDispatcher dispatcher = new ReportDispatcher(List.of(sink, broken, after), List.of(), List.of(), errors);
        Leak leak = Leaks.eofNotClosed().build();
        LeakOutcome outcome = Leaks.outcome(leak, LeakOutcome.Kind.CLOSED, 10);

        dispatcher.leakDetected(leak);
        dispatcher.leakResolved(outcome);
        dispatcher.leakDetected(leak);

        assertEquals(List.of(leak, leak), sink.leaks);
        assertEquals(List.of(leak, leak), after.leaks, "the sink after the broken one still gets every event");
        assertEquals(List.of(outcome), after.outcomes);
        assertEquals(3, broken.calls);
        assertEquals(3, errors.count());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("report to BrokenSink"), warnings.get(0));
    }
}
