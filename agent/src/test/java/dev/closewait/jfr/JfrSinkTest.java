package dev.closewait.jfr;

import dev.closewait.core.CallSite;
import dev.closewait.core.Endpoints;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakKind;
import dev.closewait.core.LeakOutcome;
import dev.closewait.core.SocketType;
import dev.closewait.report.Sites;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JfrSinkTest {

    @TempDir
    Path temp;

    private static Leak leak(Endpoints endpoints) throws Exception {
        CallSite allocation = new CallSite();
        allocation.setStackTrace(new StackTraceElement[] {
                new StackTraceElement("java.net.ServerSocket", "accept", "ServerSocket.java", 532),
                new StackTraceElement("com.acme.server.Acceptor", "run", "Acceptor.java", 33)});
        return new Leak(LeakKind.CLOSE_WAIT, 7, SocketType.SOCKET, true, endpoints, "acceptor",
                1_000_000_000L, 1_700_000_000_000L, allocation, null, -1, 3_500_000_000L, 1_700_000_002_500L,
                1_700_000_001_000L);
    }

    private static Endpoints endpoints() throws Exception {
        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        return new Endpoints(17, new InetSocketAddress(loopback, 8080), new InetSocketAddress(loopback, 50123));
    }

    /** Free when no recording runs: not one field of the leak is read (a null one would throw if it were). */
    @Test
    void withoutARecordingNothingIsBuilt() throws Exception {
        JfrSink sink = new JfrSink(40, Sites.DEFAULT);
        Leak unreadable = leak(null);

        assertDoesNotThrow(() -> sink.leakDetected(unreadable));
        assertDoesNotThrow(() -> sink.leakResolved(new LeakOutcome(unreadable, LeakOutcome.Kind.CLOSED, 5_000_000_000L,
                1_700_000_004_000L, "main")));
    }

    @Test
    void theDefaultSettingsRecordBothEventsWithEveryField() throws Exception {
        JfrSink sink = new JfrSink(40, Sites.DEFAULT);
        Leak leak = leak(endpoints());
        Path file = temp.resolve("leaks.jfr");
        try (Recording recording = new Recording(Configuration.getConfiguration("default"))) {
            recording.start();
            sink.leakDetected(leak);
            sink.leakResolved(new LeakOutcome(leak, LeakOutcome.Kind.CLOSED, 5_000_000_000L, 1_700_000_004_000L, "main"));
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().startsWith("closewait.")).toList();
        assertEquals(2, events.size(), events.toString());

        RecordedEvent leakEvent = events.get(0);
        assertEquals("closewait.Leak", leakEvent.getEventType().getName());
        assertEquals("close-wait", leakEvent.getString("kind"));
        assertEquals(7, leakEvent.getLong("id"));
        assertEquals(17, leakEvent.getInt("fd"));
        assertEquals("127.0.0.1:8080", leakEvent.getString("local"));
        assertEquals("127.0.0.1:50123", leakEvent.getString("remote"));
        assertEquals("accepted", leakEvent.getString("role"));
        assertEquals("com.acme.server.Acceptor.run(Acceptor.java:33)", leakEvent.getString("site"));
        assertEquals("acceptor", leakEvent.getString("thread"));
        assertEquals(Duration.ofMillis(2500), leakEvent.getDuration("age"));
        assertTrue(leakEvent.getString("allocation").contains("com.acme.server.Acceptor.run(Acceptor.java:33)"),
                leakEvent.getString("allocation"));

        RecordedEvent closed = events.get(1);
        assertEquals("closewait.LeakClosed", closed.getEventType().getName());
        assertEquals(7, closed.getLong("id"));
        assertEquals("closed", closed.getString("outcome"));
        assertEquals("main", closed.getString("thread"));
        assertEquals(Duration.ofMillis(1500), closed.getDuration("afterReport"));
    }
}
