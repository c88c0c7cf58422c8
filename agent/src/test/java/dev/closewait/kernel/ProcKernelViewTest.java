package dev.closewait.kernel;

import dev.closewait.core.KernelSnapshot;
import dev.closewait.core.KernelSocket;
import dev.closewait.core.TcpState;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The sample fixture: one process's descriptors and the whole namespace's TCP tables. */
class ProcKernelViewTest {

    private final ProcKernelView view = new ProcKernelView(new ProcFs(Fixtures.root("sample")));

    @BeforeAll
    static void fixturesWereCapturedOnALittleEndianMachine() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "addresses in the fixtures are little-endian");
    }

    /** Every socket descriptor is looked at (none tracked) and the tables are read. */
    private static KernelSnapshot snapshot(ProcKernelView view) throws Exception {
        return view.snapshot(new BitSet(), fds -> true);
    }

    private static Map<Long, KernelSocket> byInode(KernelSnapshot snapshot) {
        return snapshot.tcpSockets().stream().collect(Collectors.toMap(KernelSocket::inode, Function.identity()));
    }

    private static InetSocketAddress address(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void joinsEachOwnSocketDescriptorToItsRowByInode() throws Exception {
        Map<Long, KernelSocket> sockets = byInode(snapshot(view));

        assertEquals(Set.of(1001L, 1002L, 1003L, 1004L, 1005L, 1006L, 1008L), sockets.keySet());
        assertEquals(new KernelSocket(3, 1001, TcpState.LISTEN, address("127.0.0.1", 8080), address("0.0.0.0", 0)),
                sockets.get(1001L));
        assertEquals(new KernelSocket(6, 1003, TcpState.CLOSE_WAIT, address("127.0.0.1", 8080),
                address("127.0.0.1", 51236)), sockets.get(1003L));
        assertEquals(new KernelSocket(7, 1004, TcpState.ESTABLISHED, address("::1", 40000), address("::1", 8443)),
                sockets.get(1004L));
        assertEquals(new KernelSocket(8, 1005, TcpState.CLOSE_WAIT, address("127.0.0.1", 47066),
                address("127.0.0.1", 9000)), sockets.get(1005L), "v4-mapped row from tcp6");
        assertEquals(13, sockets.get(1008L).fd());
    }

    @Test
    void skipsRowsOfSocketsThatAreNotAmongItsDescriptors() throws Exception {
        Set<Long> inodes = byInode(snapshot(view)).keySet();

        for (long foreign : new long[]{1220, 2001, 2010, 2011, 0}) {
            assertFalse(inodes.contains(foreign), "inode " + foreign + " belongs to another process or none");
        }
        assertFalse(inodes.contains(1099L), "only behind a non-numeric name in self/fd");
    }

    @Test
    void countsASocketListedInBothTablesOnce() throws Exception {
        List<KernelSocket> sockets = snapshot(view).tcpSockets();

        assertEquals(1, sockets.stream().filter(socket -> socket.inode() == 1006L).count());
        assertEquals(7, sockets.size());
    }

    @Test
    void countsItsSocketsByState() throws Exception {
        assertEquals(Map.of(TcpState.LISTEN, 1, TcpState.ESTABLISHED, 4, TcpState.CLOSE_WAIT, 2),
                snapshot(view).countsByState());
    }

    @Test
    void skipsTrackedDescriptorsAndReadsNoTableWhenNoneIsNeeded() throws Exception {
        BitSet tracked = new BitSet();
        tracked.set(6);
        List<Map<Integer, Long>> asked = new java.util.ArrayList<>();

        KernelSnapshot snapshot = view.snapshot(tracked, fds -> {
            asked.add(fds);
            return false;
        });

        assertEquals(1, asked.size());
        assertFalse(asked.get(0).containsKey(6), "a tracked socket's state is asked per descriptor");
        assertEquals(asked.get(0), snapshot.socketInodesByFd());
        assertFalse(snapshot.tablesRead());
        assertEquals(List.of(), snapshot.tcpSockets());
    }

    @Test
    void readsRowsOnlyOfTheDescriptorsItLookedAt() throws Exception {
        BitSet tracked = new BitSet();
        tracked.set(6);
        tracked.set(7);

        KernelSnapshot snapshot = view.snapshot(tracked, fds -> true);

        assertTrue(snapshot.tablesRead());
        assertEquals(Set.of(1001L, 1002L, 1005L, 1006L, 1008L), byInode(snapshot).keySet());
    }

    @Test
    void dropsADescriptorTrackedWhileTheDescriptorsWereListed() throws Exception {
        BitSet before = new BitSet();
        BitSet after = new BitSet();
        after.set(6); // accepted while /proc/self/fd was listed; the hook tracked it a moment later
        java.util.Iterator<BitSet> answers = List.of(before, after).iterator();

        KernelSnapshot snapshot = view.snapshot(answers::next, fds -> true);

        assertFalse(snapshot.socketInodesByFd().containsKey(6), "not counted as a socket the agent never saw");
        assertFalse(byInode(snapshot).containsKey(1003L));
        assertTrue(byInode(snapshot).containsKey(1001L));
    }

    @Test
    void knowsSocketDescriptorsThatHaveNoTcpRow() throws Exception {
        KernelSnapshot snapshot = snapshot(view);

        assertEquals(1007L, snapshot.inodeOf(10), "a UDP or Unix socket: no TCP row");
        assertTrue(snapshot.hasSocketInode(1007L));
        assertFalse(snapshot.hasTcpRow(1007L));
        assertTrue(snapshot.hasTcpRow(1003L));
        assertEquals(-1, snapshot.inodeOf(4), "a pipe");
        assertEquals(-1, snapshot.inodeOf(99), "no such descriptor");
        assertFalse(snapshot.hasSocketInode(2001L), "another process's socket");
    }

    @Test
    void readsAKernelWithoutIpv6() throws Exception {
        KernelSnapshot snapshot = snapshot(new ProcKernelView(new ProcFs(Fixtures.root("no-ipv6"))));

        assertEquals(List.of(new KernelSocket(3, 1001, TcpState.LISTEN, address("127.0.0.1", 8080),
                address("0.0.0.0", 0))), snapshot.tcpSockets());
    }

    @Test
    void countsMalformedRowsOnlyWhereItLooked(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("self/fd"));
        Files.createSymbolicLink(root.resolve("self/fd/3"), Path.of("socket:[4001]"));
        Files.createSymbolicLink(root.resolve("self/fd/4"), Path.of("socket:[4102]")); // its row has a bad hex address
        Files.createDirectories(root.resolve("net"));
        Files.writeString(root.resolve("net/tcp"), Fixtures.table("malformed", "tcp"));
        ProcKernelView malformed = new ProcKernelView(new ProcFs(root));

        assertEquals(Set.of(4001L), byInode(snapshot(malformed)).keySet());
        assertEquals(3, malformed.malformedLines(), "its own garbled row and the two whose inode cannot be read; "
                + "the eight garbled rows of other sockets are not decoded, so not counted");
        snapshot(malformed);
        assertEquals(6, malformed.malformedLines(), "counted since start");
    }
}
