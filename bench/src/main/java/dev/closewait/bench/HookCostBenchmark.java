package dev.closewait.bench;

import dev.closewait.bootstrap.SocketHooks;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * The hooks' own cost per read and write, without a socket: what the code inserted into the JDK's read and write
 * methods calls, with a listener installed that does nothing. Not part of {@code bench/run}: it prices a change to
 * {@code SocketHooks} by running the same benchmark with two bootstrap jars on the class path, e.g.
 * {@code java -cp bench/target/closewait-bench.jar:<bootstrap jar> org.openjdk.jmh.Main HookCostBenchmark}.
 * A run of reads or writes on one socket is what bulk transfers do; alternating two sockets defeats the per-thread
 * filter of the last-use event, so every call reaches the listener.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HookCostBenchmark {

    private final Object socket = new Object();
    private final Object other = new Object();
    private boolean flip;

    @Setup(Level.Trial)
    public void install() {
        SocketHooks.install((argument, event) -> {
        });
    }

    @TearDown(Level.Trial)
    public void uninstall() {
        SocketHooks.install(null);
    }

    @Benchmark
    public void readWithData() {
        SocketHooks.readReturned(64, socket);
    }

    @Benchmark
    public void write() {
        SocketHooks.wrote(socket);
    }

    @Benchmark
    public void readAlternatingTwoSockets() {
        flip = !flip;
        SocketHooks.readReturned(64, flip ? socket : other);
    }
}
