package dev.closewait.e2e;

import dev.closewait.e2e.scenarios.AcceptedSocketLeak;
import dev.closewait.e2e.scenarios.ClientSocketLeak;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

import static dev.closewait.e2e.E2eAssertions.expectLeaks;
import static dev.closewait.e2e.LeakExpectation.eofNotClosed;

/** java.net.Socket: accepted and client sockets that read EOF and are never closed. */
class SocketReadPathsTest {

    @TestFactory
    Stream<DynamicTest> acceptedSocketsReadToEofAndNeverClosedAreReported() {
        return Jdks.all().stream().map(jdk -> DynamicTest.dynamicTest(jdk.toString(), () ->
                expectLeaks(ScenarioRun.of(jdk, AcceptedSocketLeak.class), AcceptedSocketLeak.class,
                        eofNotClosed("java.net.Socket", "accepted"))));
    }

    @TestFactory
    Stream<DynamicTest> clientSocketsReadToEofAndNeverClosedAreReported() {
        return Jdks.all().stream().map(jdk -> DynamicTest.dynamicTest(jdk.toString(), () ->
                expectLeaks(ScenarioRun.of(jdk, ClientSocketLeak.class), ClientSocketLeak.class,
                        eofNotClosed("java.net.Socket", "client"))));
    }
}
