package dev.closewait.e2e;

import dev.closewait.e2e.scenarios.AsyncChannelsClean;
import dev.closewait.e2e.scenarios.HalfCloseProtocolChannelClean;
import dev.closewait.e2e.scenarios.HalfCloseProtocolClean;
import dev.closewait.e2e.scenarios.JettyClean;
import dev.closewait.e2e.scenarios.JettyConnectionCloseClean;
import dev.closewait.e2e.scenarios.NettyClean;
import dev.closewait.e2e.scenarios.OwnShutdownInputClean;
import dev.closewait.e2e.scenarios.ProperCloseChannelClean;
import dev.closewait.e2e.scenarios.ProperCloseClean;
import dev.closewait.e2e.scenarios.ProperCloseSelectorClean;
import dev.closewait.e2e.scenarios.SlowReaderClean;
import dev.closewait.e2e.scenarios.UnixDomainIgnored;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

import static dev.closewait.e2e.E2eAssertions.expectNoLeaks;

/**
 * Programs that handle their sockets correctly get no report at all: a false positive costs more trust than a missed
 * leak. Each scenario runs on every JDK the suite found.
 */
class CleanProgramsTest {


    @TestFactory
    Stream<DynamicTest> socketsReadToEofAndClosedAreNotReported() {
        return onEveryJdk(ProperCloseClean.class);
    }

    @TestFactory
    Stream<DynamicTest> blockingChannelsReadToEofAndClosedAreNotReported() {
        return onEveryJdk(ProperCloseChannelClean.class);
    }

    @TestFactory
    Stream<DynamicTest> selectorServerThatCancelsAndClosesOnEofIsNotReported() {
        return onEveryJdk(ProperCloseSelectorClean.class);
    }

    @TestFactory
    Stream<DynamicTest> asyncChannelsWaitingForDataOrRefusedAndClosedAreNotReported() {
        return onEveryJdk(AsyncChannelsClean.class);
    }

    @TestFactory
    Stream<DynamicTest> serverSocketThatKeepsWritingAfterEofIsNotReported() {
        return onEveryJdk(HalfCloseProtocolClean.class);
    }

    @TestFactory
    Stream<DynamicTest> serverChannelThatKeepsWritingAfterEofIsNotReported() {
        return onEveryJdk(HalfCloseProtocolChannelClean.class);
    }

    @TestFactory
    Stream<DynamicTest> eofAfterTheApplicationsOwnShutdownInputIsNotReported() {
        return onEveryJdk(OwnShutdownInputClean.class);
    }

    @TestFactory
    Stream<DynamicTest> unixDomainChannelsAreIgnoredEvenWhenLeaked() {
        return onEveryJdk(UnixDomainIgnored.class);
    }

    @TestFactory
    Stream<DynamicTest> jettyAndHttpClientClosingIdleConnectionsAreNotReported() {
        return onEveryJdk(JettyClean.class);
    }

    @TestFactory
    Stream<DynamicTest> jettyWithConnectionCloseSocketClientsIsNotReported() {
        return onEveryJdk(JettyConnectionCloseClean.class);
    }

    @TestFactory
    Stream<DynamicTest> nettyServerAndClientsClosingOnEofAreNotReported() {
        return onEveryJdk(NettyClean.class);
    }

    @TestFactory
    Stream<DynamicTest> clientsStillReadingAResponseThePeerClosedAfterAreNotReported() {
        return onEveryJdk(SlowReaderClean.class);
    }

    private static Stream<DynamicTest> onEveryJdk(Class<?> scenario) {
        return Jdks.all().stream().map(jdk -> DynamicTest.dynamicTest(jdk.toString(), () ->
                expectNoLeaks(ScenarioRun.of(jdk, scenario))));
    }
}
