package dev.closewait.e2e.scenarios.micrometer;

import dev.closewait.e2e.scenarios.Scenario;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * An application that keeps its meters in Micrometer's global registry, and never mentions closewait. It prints the
 * agent's meters as its own registry shows them: once they appear (before any leak), after it leaked two accepted
 * sockets, and after it closed one of them late (on "close"). Lines: {@code METER phase name{tags} value type unit
 * description}.
 */
public final class MicrometerLeakApp {

    private static final int LEAKS = 2;

    public static void main(String[] args) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Metrics.globalRegistry.add(registry);
        ServerSocket server = Scenario.serverSocket();
        // A connection closed properly: the agent now knows a thread of this class loader that opens sockets.
        try (Socket client = new Socket(Scenario.loopback(), server.getLocalPort());
             Socket accepted = server.accept()) {
            client.getOutputStream().write(1);
        }
        // Both meters the test reads: the binder adds its meters one by one, so the first can be there alone.
        Scenario.await("the agent's meters in the registry", () -> leaks(registry) >= 0 && leakedOpen(registry) >= 0,
                60_000);
        print("BOUND", registry);

        List<Socket> forgotten = new ArrayList<>();
        for (int i = 0; i < LEAKS; i++) {
            try (Socket client = new Socket(Scenario.loopback(), server.getLocalPort())) {
                client.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
            }
            Socket accepted = server.accept();
            InputStream in = accepted.getInputStream();
            while (in.read() != -1) {
                // consume
            }
            forgotten.add(accepted); // the bug: no close()
        }
        Scenario.await("closewait.leaks to count the leaks", () -> leaks(registry) >= LEAKS, 60_000);
        print("LEAKED", registry);

        Scenario.readyThenServe(server.getLocalPort(), LEAKS, Map.of("close", () -> {
            try {
                forgotten.get(0).close();
            } catch (Exception e) {
                Scenario.fail("close: " + e);
            }
            Scenario.await("closewait.sockets.leaked to go down", () -> leakedOpen(registry) == LEAKS - 1, 60_000);
            print("CLOSED", registry);
        }));
    }

    /** closewait.leaks{kind=eof-not-closed}, or -1 while the agent has not bound its meters yet. */
    private static double leaks(SimpleMeterRegistry registry) {
        FunctionCounter counter = registry.find("closewait.leaks").tag("kind", "eof-not-closed").functionCounter();
        return counter == null ? -1 : counter.count();
    }

    private static double leakedOpen(SimpleMeterRegistry registry) {
        Gauge gauge = registry.find("closewait.sockets.leaked").tag("kind", "eof-not-closed").gauge();
        return gauge == null ? -1 : gauge.value();
    }

    private static void print(String phase, SimpleMeterRegistry registry) {
        registry.getMeters().stream()
                .filter(meter -> meter.getId().getName().startsWith("closewait."))
                .sorted(Comparator.comparing(meter -> meter.getId().toString()))
                .forEach(meter -> System.out.println("METER " + phase + " " + describe(meter)));
        System.out.flush();
    }

    private static String describe(Meter meter) {
        Meter.Id id = meter.getId();
        String tags = id.getTags().stream().map(tag -> tag.getKey() + "=" + tag.getValue())
                .collect(Collectors.joining(",", "{", "}"));
        double value = meter.measure().iterator().next().getValue();
        return id.getName() + tags + " " + value + " " + id.getType() + " " + id.getBaseUnit() + " "
                + id.getDescription();
    }
}
