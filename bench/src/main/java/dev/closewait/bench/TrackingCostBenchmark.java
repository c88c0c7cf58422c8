package dev.closewait.bench;

import dev.closewait.bootstrap.SocketHooks;
import dev.closewait.core.AgentErrors;
import dev.closewait.core.ChurnDetector;
import dev.closewait.core.ClassLoaderCandidates;
import dev.closewait.core.Clock;
import dev.closewait.core.OwnPorts;
import dev.closewait.core.SocketTracker;
import dev.closewait.jdk.JdkSocketEvents;
import dev.closewait.jdk.JdkSockets;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.FileDescriptor;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketImpl;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the agent's own code costs per connection of the churn workload, without the kernel's work: the hook calls
 * one connection of {@link ChurnExchange} makes (two opens, the reads and writes, an EOF, two closes), replayed on
 * real connected {@code NioSocketImpl}s through {@link SocketHooks} into the agent's {@code JdkSocketEvents},
 * {@code SocketTracker} and {@code ChurnDetector}, as the agent wires them. One thread plays both ends. The whole-JVM
 * churn benchmark resolves about ±0.5 µs per connection on this host; this one resolves nanoseconds, so it prices a
 * change to the tracking path. Not part of {@code bench/run}; run with the agent jar on the class path and the JDK
 * packages opened as the agent opens them to itself:
 *
 * <pre>java --add-opens java.base/java.net=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED
 *     --add-opens java.base/java.io=ALL-UNNAMED -cp bench/target/closewait-bench.jar:agent/target/closewait-agent.jar
 *     org.openjdk.jmh.Main TrackingCostBenchmark -jvmArgsAppend "(the same --add-opens)"</pre>
 *
 * With {@code -Dclosewait.bench.churnOff=true} in the forks' arguments the tracker tells no churn detector of its
 * closes, as with {@code churn=off}: 414 → 343 ns per connection (JDK 17, this host).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TrackingCostBenchmark {

    private static final int PAIRS = 64;

    private final Socket[] clients = new Socket[PAIRS];
    private final Socket[] accepted = new Socket[PAIRS];
    private final Object[] clientImpls = new Object[PAIRS];
    private final Object[] serverImpls = new Object[PAIRS];
    private final FileDescriptor[] clientFds = new FileDescriptor[PAIRS];
    private final FileDescriptor[] serverFds = new FileDescriptor[PAIRS];
    private final InetSocketAddress[] clientLocal = new InetSocketAddress[PAIRS];
    private final InetSocketAddress[] serverLocal = new InetSocketAddress[PAIRS];
    private ServerSocket server;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Clock clock = Clock.system();
        Object[] shared = SocketHooks.install(null);
        AtomicBoolean watchingWrites = (AtomicBoolean) shared[0];
        // What JavaBaseHooks.define does with the java.base copy of the hooks: the open hook reads the local address
        // the JDK looked up a moment ago from the hooks' thread-local, instead of asking the kernel (getsockname).
        Field lastLocalAddress = Class.forName("dev.closewait.jdk.JavaBaseHooks").getDeclaredField("lastLocalAddress");
        lastLocalAddress.setAccessible(true);
        lastLocalAddress.set(null, shared[2]);
        SocketTracker tracker = new SocketTracker(clock, watchingWrites::set);
        ChurnDetector churn = new ChurnDetector(clock);
        if (!Boolean.getBoolean("closewait.bench.churnOff")) { // as churn=off: prices churn counting
            tracker.observeCloses(churn);
        }
        JdkSocketEvents events = new JdkSocketEvents(new JdkSockets(), tracker, new AgentErrors(line -> { }),
                new ClassLoaderCandidates(), new OwnPorts(), false);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        server = new ServerSocket(0, PAIRS, loopback);
        Field impl = Socket.class.getDeclaredField("impl");
        impl.setAccessible(true);
        Field delegate = Class.forName("java.net.DelegatingSocketImpl").getDeclaredField("delegate");
        delegate.setAccessible(true);
        Field fd = SocketImpl.class.getDeclaredField("fd");
        fd.setAccessible(true);
        for (int i = 0; i < PAIRS; i++) {
            clients[i] = new Socket(loopback, server.getLocalPort());
            accepted[i] = server.accept();
            Object client = impl.get(clients[i]);
            clientImpls[i] = Class.forName("java.net.DelegatingSocketImpl").isInstance(client)
                    ? delegate.get(client) : client;
            serverImpls[i] = impl.get(accepted[i]);
            clientFds[i] = (FileDescriptor) fd.get(clientImpls[i]);
            serverFds[i] = (FileDescriptor) fd.get(serverImpls[i]);
            clientLocal[i] = (InetSocketAddress) clients[i].getLocalSocketAddress();
            serverLocal[i] = (InetSocketAddress) accepted[i].getLocalSocketAddress();
        }
        SocketHooks.install(events);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        SocketHooks.install(null);
        for (int i = 0; i < PAIRS; i++) {
            clients[i].close();
            accepted[i].close();
        }
        server.close();
    }

    /** The hook calls of one connection, in the order the churn exchange makes them. */
    @Benchmark
    public void connection() {
        int i = next;
        next = (i + 1) % PAIRS;
        Object client = clientImpls[i];
        Object server = serverImpls[i];
        SocketHooks.localAddressReturned(clientLocal[i], clientFds[i]); // connect: the JDK asks for the local address
        SocketHooks.opened(client, false);
        SocketHooks.localAddressReturned(serverLocal[i], serverFds[i]); // accept: likewise
        SocketHooks.opened(server, true);
        SocketHooks.wrote(client); // the request
        SocketHooks.readReturned(8, server);
        SocketHooks.wrote(server); // the reply
        SocketHooks.readReturned(1, client);
        SocketHooks.closed(client);
        SocketHooks.readReturned(-1, server); // EOF
        SocketHooks.closed(server);
    }
}
