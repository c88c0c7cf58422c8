package dev.closewait.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.closewait.e2e.scenarios.IdleTlsClientLeak;
import dev.closewait.e2e.scenarios.InputShutDownNeverClosed;
import dev.closewait.e2e.scenarios.PooledHttpClientLeak;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

import static dev.closewait.e2e.E2eAssertions.expectLeaks;
import static dev.closewait.e2e.E2eAssertions.expectNoLeaks;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Leaks only the kernel can see: sockets the peer closed that the application never reads again. */
class KernelViewLeaksTest {

    @TestFactory
    Stream<DynamicTest> pooledHttpClientConnectionsTheServerClosedAreReportedAsCloseWait() {
        return PerJdk.each(jdk -> {
            List<JsonNode> leaks = expectLeaks(ScenarioRun.of(jdk, PooledHttpClientLeak.class),
                    PooledHttpClientLeak.class,
                    new LeakExpectation("close-wait", "java.net.Socket", "client", LeakExpectation.KernelView.CLOSE_WAIT));
            for (JsonNode leak : leaks) {
                assertTrue(leak.path("hint").asText().startsWith("Apache HttpClient 4 pool"), leak.toString());
                assertTrue(leak.path("allocation").toString().contains(PooledHttpClientLeak.class.getName() + ".get("),
                        "attributed to the code that made the request: " + leak);
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> thePooledHttpClientWithIdleEvictionIsNotReported() {
        return PerJdk.each(jdk -> expectNoLeaks(ScenarioRun.of(jdk, PooledHttpClientLeak.class).argument("evict")));
    }

    @TestFactory
    Stream<DynamicTest> anIdleTlsClientConnectionTheServerClosedIsReportedAsCloseWait() {
        return PerJdk.each(jdk -> expectLeaks(TestKeystore.use(ScenarioRun.of(jdk, IdleTlsClientLeak.class), jdk),
                IdleTlsClientLeak.class,
                new LeakExpectation("close-wait", "javax.net.ssl.SSLSocket", "client",
                        LeakExpectation.KernelView.CLOSE_WAIT)));
    }

    /**
     * After {@code shutdownInput()} poll flags end-of-input whatever the peer did, so the agent reads these sockets'
     * state from the TCP tables; before that it skipped them and missed the leak (a real-library run, Netty with
     * half-closure allowed, 2026-12-01).
     */
    @TestFactory
    Stream<DynamicTest> socketsWhoseInputTheServerShutDownAreReportedInCloseWaitWithTheirStacks() {
        return PerJdk.each(jdk -> {
            expectLeaks(ScenarioRun.of(jdk, InputShutDownNeverClosed.class).argument("socket").argument("leak"),
                    InputShutDownNeverClosed.class,
                    new LeakExpectation("close-wait", "java.net.Socket", "accepted",
                            LeakExpectation.KernelView.CLOSE_WAIT));
            expectLeaks(ScenarioRun.of(jdk, InputShutDownNeverClosed.class).argument("channel").argument("leak"),
                    InputShutDownNeverClosed.class,
                    new LeakExpectation("close-wait", "java.nio.channels.SocketChannel", "accepted",
                            LeakExpectation.KernelView.CLOSE_WAIT));
        });
    }

    @TestFactory
    Stream<DynamicTest> socketsWhoseInputTheServerShutDownAreNotReportedWhileThePeerStays() {
        return PerJdk.each(jdk -> {
            expectNoLeaks(ScenarioRun.of(jdk, InputShutDownNeverClosed.class).argument("socket").argument("clean"));
            expectNoLeaks(ScenarioRun.of(jdk, InputShutDownNeverClosed.class).argument("channel").argument("clean"));
        });
    }
}
