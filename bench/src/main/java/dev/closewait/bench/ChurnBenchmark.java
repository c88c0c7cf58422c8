package dev.closewait.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/** Workload (a), connection churn: one new loopback connection per request ({@link ChurnExchange}). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ChurnBenchmark {

    private ServerSocket server;
    private Thread serverThread;
    private volatile boolean running;
    private InetAddress loopback;
    private int port;

    @Setup(Level.Trial)
    public void startServer() throws IOException {
        loopback = InetAddress.getLoopbackAddress();
        server = new ServerSocket(0, 1024, loopback);
        port = server.getLocalPort();
        running = true;
        serverThread = new Thread(this::serve, "bench-churn-server");
        serverThread.setDaemon(true);
        serverThread.start();
    }

    private void serve() {
        byte[] buffer = new byte[256];
        while (running) {
            try (Socket accepted = server.accept()) {
                ChurnExchange.answer(accepted, buffer);
            } catch (IOException e) {
                if (!running) {
                    return;
                }
            }
        }
    }

    @Benchmark
    public int connectRequestClose() throws IOException {
        return ChurnExchange.request(loopback, port);
    }

    @TearDown(Level.Trial)
    public void stopServer() throws Exception {
        running = false;
        server.close();
        serverThread.join(5_000);
    }
}
