package dev.closewait.bench;

import dev.closewait.core.AgentErrors;
import dev.closewait.core.ChurnDetector;
import dev.closewait.core.Clock;
import dev.closewait.core.Endpoints;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakListener;
import dev.closewait.core.LeakOutcome;
import dev.closewait.core.SocketTracker;
import dev.closewait.core.SocketType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * What connection churn detection adds to each close, without sockets or the kernel: the tracker's open and close
 * of one client "socket" with {@code churn} off (no close observer) and on ({@link ChurnDetector} counting it).
 * Stacks are sampled out so that the difference is not lost in a stack capture. Run with the agent's classes:
 * {@code java -cp bench/target/closewait-bench.jar:agent/target/classes org.openjdk.jmh.Main CloseHookBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
public class CloseHookBenchmark {

    @Param({"off", "on"})
    public String churn;

    private SocketTracker tracker;
    private Endpoints endpoints;

    @Setup
    public void setUp() throws Exception {
        Clock clock = Clock.system();
        tracker = new SocketTracker(clock, watching -> { });
        tracker.sampleStacks(Integer.MAX_VALUE);
        if (churn.equals("on")) {
            tracker.observeCloses(new ChurnDetector(clock, Long.MAX_VALUE, 28_232, stack -> null, new LeakListener() {
                @Override
                public void leakDetected(Leak leak) {
                }

                @Override
                public void leakResolved(LeakOutcome outcome) {
                }
            }, new AgentErrors(line -> { })));
        }
        InetAddress loopback = InetAddress.getLoopbackAddress();
        endpoints = new Endpoints(9, new InetSocketAddress(loopback, 40000), new InetSocketAddress(loopback, 8080));
    }

    @Benchmark
    public Object openAndClose() {
        Object socket = new Object();
        tracker.opened(socket, SocketType.SOCKET, false, endpoints);
        tracker.closed(socket);
        return socket;
    }
}
