package dev.closewait.e2e;

import dev.closewait.e2e.scenarios.AcceptedChannelLeak;
import dev.closewait.e2e.scenarios.AcceptedSocketLeak;
import dev.closewait.e2e.scenarios.AsyncChannelLeak;
import dev.closewait.e2e.scenarios.ClientChannelStreamLeak;
import dev.closewait.e2e.scenarios.ClientSslSocketLeak;
import dev.closewait.e2e.scenarios.ClientSocketLeak;
import dev.closewait.e2e.scenarios.SelectorCancelLeak;
import dev.closewait.e2e.scenarios.SslSocketLeak;
import dev.closewait.e2e.scenarios.VirtualThreadLeak;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

import static dev.closewait.e2e.E2eAssertions.expectLeaks;
import static dev.closewait.e2e.LeakExpectation.eofNotClosed;

/** Every read path on which EOF can surface: each leak is reported once, checked against the kernel. */
class ReadPathLeaksTest {

    private static final String SOCKET = "java.net.Socket";
    private static final String SSL_SOCKET = "javax.net.ssl.SSLSocket";
    private static final String CHANNEL = "java.nio.channels.SocketChannel";
    private static final String ASYNC_CHANNEL = "java.nio.channels.AsynchronousSocketChannel";

    @TestFactory
    Stream<DynamicTest> acceptedSocketsReadToEofWithStreamReadsAreReported() {
        return PerJdk.each(jdk -> expectLeaks(ScenarioRun.of(jdk, AcceptedSocketLeak.class),
                AcceptedSocketLeak.class, eofNotClosed(SOCKET, "accepted")));
    }

    @TestFactory
    Stream<DynamicTest> clientSocketsReadToEofAreReported() {
        return PerJdk.each(jdk -> expectLeaks(ScenarioRun.of(jdk, ClientSocketLeak.class),
                ClientSocketLeak.class, eofNotClosed(SOCKET, "client")));
    }

    @TestFactory
    Stream<DynamicTest> sslSocketsReadToCloseNotifyAreReported() {
        // The JDK answers the client's close_notify with its own; the closed client resets the connection, so the
        // kernel drops it from its tables while the leaked descriptor stays open.
        return PerJdk.each(jdk -> expectLeaks(TestKeystore.use(ScenarioRun.of(jdk, SslSocketLeak.class), jdk),
                SslSocketLeak.class, eofNotClosed(SSL_SOCKET, "accepted").kernel(LeakExpectation.KernelView.RESET)));
    }

    @TestFactory
    Stream<DynamicTest> clientSslSocketsReadToTheServersCloseNotifyAreReported() {
        return PerJdk.each(jdk -> expectLeaks(TestKeystore.use(ScenarioRun.of(jdk, ClientSslSocketLeak.class), jdk),
                ClientSslSocketLeak.class, eofNotClosed(SSL_SOCKET, "client").kernel(LeakExpectation.KernelView.RESET)));
    }

    @TestFactory
    Stream<DynamicTest> blockingChannelsWithPlainAndScatteringReadsAreReported() {
        return PerJdk.each(jdk -> expectLeaks(ScenarioRun.of(jdk, AcceptedChannelLeak.class),
                AcceptedChannelLeak.class, eofNotClosed(CHANNEL, "accepted")));
    }

    @TestFactory
    Stream<DynamicTest> nonBlockingChannelsWhoseKeyIsCancelledButNotClosedAreReported() {
        return PerJdk.each(jdk -> expectLeaks(ScenarioRun.of(jdk, SelectorCancelLeak.class),
                SelectorCancelLeak.class, eofNotClosed(CHANNEL, "accepted")));
    }

    @TestFactory
    Stream<DynamicTest> channelsReadThroughSocketAdaptorAndChannelsNewInputStreamAreReported() {
        return PerJdk.each(jdk -> expectLeaks(ScenarioRun.of(jdk, ClientChannelStreamLeak.class),
                ClientChannelStreamLeak.class, eofNotClosed(CHANNEL, "client")));
    }

    @TestFactory
    Stream<DynamicTest> asynchronousChannelsReadWithHandlerAndFutureAreReported() {
        return PerJdk.each(jdk -> expectLeaks(ScenarioRun.of(jdk, AsyncChannelLeak.class),
                AsyncChannelLeak.class, eofNotClosed(ASYNC_CHANNEL, "accepted")));
    }

    @TestFactory
    Stream<DynamicTest> socketsUsedFromVirtualThreadsAreReported() {
        return PerJdk.on(Jdks.withVirtualThreads(), jdk -> expectLeaks(ScenarioRun.of(jdk, VirtualThreadLeak.class),
                VirtualThreadLeak.class, eofNotClosed(SOCKET, "accepted")));
    }
}
