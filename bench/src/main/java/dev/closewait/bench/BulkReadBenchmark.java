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
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * Workload (b), bulk reads: one loopback connection whose server writes without pause, and a client that reads it
 * 64 bytes at a time; each read is one system call and passes the agent's EOF check once. Two read paths: a
 * {@code Socket}'s stream and a blocking {@code SocketChannel}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BulkReadBenchmark {

    static final int READ_SIZE = 64;

    /** A server that writes an endless stream to the one client that connects, until closed. */
    static final class Streamer {
        private final ServerSocket server;
        private final Thread thread;
        private volatile boolean running = true;

        Streamer() throws IOException {
            server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            thread = new Thread(this::stream, "bench-bulk-writer");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void stream() {
            byte[] chunk = new byte[64 * 1024];
            try (Socket accepted = server.accept()) {
                OutputStream out = accepted.getOutputStream();
                while (running) {
                    out.write(chunk);
                }
            } catch (IOException e) {
                // the client closed: done
            }
        }

        void stop() throws Exception {
            running = false;
            server.close();
            thread.join(5_000);
        }
    }

    @State(Scope.Thread)
    public static class SocketStream {
        Streamer streamer;
        Socket socket;
        InputStream in;
        final byte[] buffer = new byte[READ_SIZE];

        @Setup(Level.Trial)
        public void connect() throws IOException {
            streamer = new Streamer();
            socket = new Socket(InetAddress.getLoopbackAddress(), streamer.port());
            in = socket.getInputStream();
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            socket.close();
            streamer.stop();
        }
    }

    @State(Scope.Thread)
    public static class Channel {
        Streamer streamer;
        SocketChannel channel;
        final ByteBuffer buffer = ByteBuffer.allocateDirect(READ_SIZE);

        @Setup(Level.Trial)
        public void connect() throws IOException {
            streamer = new Streamer();
            channel = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), streamer.port()));
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            channel.close();
            streamer.stop();
        }
    }

    @Benchmark
    public int socketStreamRead(SocketStream state) throws IOException {
        return state.in.read(state.buffer, 0, READ_SIZE);
    }

    @Benchmark
    public int channelRead(Channel state) throws IOException {
        state.buffer.clear();
        return state.channel.read(state.buffer);
    }
}
