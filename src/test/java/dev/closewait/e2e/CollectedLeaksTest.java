package dev.closewait.e2e;

import dev.closewait.e2e.scenarios.CollectedWithoutCloseLeak;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

import static dev.closewait.e2e.E2eAssertions.expectLeaks;

/** Sockets that become unreachable without close(): reported as gc-not-closed. */
class CollectedLeaksTest {

    @TestFactory
    Stream<DynamicTest> droppedSocketsAreReportedThoughTheCleanerClosedThem() {
        // The JDK's cleaner closes a collected Socket's descriptor, so the kernel no longer lists it.
        return PerJdk.each(jdk -> expectLeaks(
                ScenarioRun.of(jdk, CollectedWithoutCloseLeak.class).argument("socket"),
                CollectedWithoutCloseLeak.class,
                new LeakExpectation("gc-not-closed", "java.net.Socket", "accepted", LeakExpectation.KernelView.RELEASED)));
    }

    @TestFactory
    Stream<DynamicTest> droppedChannelsAreReportedAndStayInCloseWait() {
        return PerJdk.each(jdk -> expectLeaks(
                ScenarioRun.of(jdk, CollectedWithoutCloseLeak.class).argument("channel"),
                CollectedWithoutCloseLeak.class,
                new LeakExpectation("gc-not-closed", "java.nio.channels.SocketChannel", "accepted",
                        LeakExpectation.KernelView.CLOSE_WAIT)));
    }
}
