package dev.closewait.report;

import dev.closewait.core.Leak;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static dev.closewait.report.Leaks.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The throwable that carries a leak's stacks into the application's logging. */
class LeakTraceTest {

    @Test
    void carriesTheLastUseFirstThenTheAllocationAndEofAsSuppressed() {
        Leak leak = Leaks.eofNotClosed().lastUsedAt(frame("dev.closewait.core.SocketTracker", "used", "S.java", 1),
                frame("java.net.Socket$SocketOutputStream", "write", "Socket.java", 1035),
                frame("com.acme.Handler", "answer", "Handler.java", 7)).build();

        LeakTrace trace = LeakTrace.of(leak, 40, true);

        assertEquals("Last used (write) on thread \"worker\"", trace.getMessage());
        assertEquals("java.net.Socket$SocketOutputStream", trace.getStackTrace()[0].getClassName(), "agent frames gone");
        assertEquals("com.acme.Handler", trace.getStackTrace()[1].getClassName());
        assertEquals(2, trace.getSuppressed().length);
        assertEquals("Accepted on thread \"acceptor\"", trace.getSuppressed()[0].getMessage());
        assertEquals("com.acme.server.Acceptor", trace.getSuppressed()[0].getStackTrace()[1].getClassName());
        assertEquals("EOF read on thread \"reader\"", trace.getSuppressed()[1].getMessage());
        StringWriter printed = new StringWriter();
        trace.printStackTrace(new PrintWriter(printed));
        assertTrue(printed.toString().contains("Suppressed: dev.closewait.report.LeakTrace: Accepted on thread"),
                printed.toString());
        assertTrue(printed.toString().contains("at com.acme.Handler.answer(Handler.java:7)"), printed.toString());
    }

    @Test
    void capturesNoStackOfItsOwn() {
        LeakTrace trace = LeakTrace.of(Leaks.gcNotClosed().build(), 40, true);

        assertEquals(3, trace.getStackTrace().length, "the allocation's three frames, nothing of the test's");
        trace.fillInStackTrace();
        assertEquals(3, trace.getStackTrace().length);
    }

    @Test
    void keepsAtMostTheStackDepthAndEscapesThreadNames() {
        LeakTrace trace = LeakTrace.of(Leaks.gcNotClosed().threads("evil\nWARN forged", "r").build(), 1, true);

        assertEquals(1, trace.getStackTrace().length);
        assertEquals("Accepted on thread \"evil\\nWARN forged\"", trace.getMessage());
    }

    @Test
    void isAbsentWithoutStacks() {
        assertNull(LeakTrace.of(Leaks.allocationUnknown().build(), 40, true));
    }
}
