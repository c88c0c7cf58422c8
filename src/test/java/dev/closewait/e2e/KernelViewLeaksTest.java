package dev.closewait.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.closewait.e2e.scenarios.IdleTlsClientLeak;
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
}
