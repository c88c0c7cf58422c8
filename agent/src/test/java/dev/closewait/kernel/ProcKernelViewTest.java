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

    private static Map<Long, KernelSocket> byInode(KernelSnapshot snapshot) {
        return snapshot.tcpSockets().stream().collect(Collectors.toMap(KernelSocket::inode, Function.identity()));
    }

    private static InetSocketAddress address(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void joinsEachOwnSocketDescriptorToItsRowByInode() throws Exception {
        Map<Long, KernelSocket> sockets = byInode(view.snapshot());

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
        Set<Long> inodes = byInode(view.snapshot()).keySet();

        for (long foreign : new long[]{1220, 2001, 2010, 2011, 0}) {
            assertFalse(inodes.contains(foreign), "inode " + foreign + " belongs to another process or none");
        }
        assertFalse(inodes.contains(1099L), "only behind a non-numeric name in self/fd");
    }

    @Test
    void countsASocketListedInBothTablesOnce() throws Exception {
        List<KernelSocket> sockets = view.snapshot().tcpSockets();

        assertEquals(1, sockets.stream().filter(socket -> socket.inode() == 1006L).count());
        assertEquals(7, sockets.size());
    }

    @Test
    void countsItsSocketsByState() throws Exception {
        assertEquals(Map.of(TcpState.LISTEN, 1, TcpState.ESTABLISHED, 4, TcpState.CLOSE_WAIT, 2),
                view.snapshot().countsByState());
    }

    @Test
    void knowsOnlyItsOwnListeningPorts() throws Exception {
        KernelSnapshot snapshot = view.snapshot();

        assertTrue(snapshot.isListening(8080));
        assertFalse(snapshot.isListening(2024), "another process listens on 07E8");
        assertFalse(snapshot.isListening(33505), "another process listens on 82E1");
        assertFalse(snapshot.isListening(40000), "the local port of its own client connection");
        assertFalse(snapshot.isListening(51234), "the peer port of an accepted connection");
    }

    @Test
    void knowsSocketDescriptorsThatHaveNoTcpRow() throws Exception {
        KernelSnapshot snapshot = view.snapshot();

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
        KernelSnapshot snapshot = new ProcKernelView(new ProcFs(Fixtures.root("no-ipv6"))).snapshot();

        assertEquals(List.of(new KernelSocket(3, 1001, TcpState.LISTEN, address("127.0.0.1", 8080),
                address("0.0.0.0", 0))), snapshot.tcpSockets());
    }

    @Test
    void countsMalformedRowsOnlyWhereItLooked(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("self/fd"));
        Files.writeString(root.resolve("self/fd/3"), "socket:[4001]");
        Files.writeString(root.resolve("self/fd/4"), "socket:[4102]"); // its row has a bad hex address
        Files.createDirectories(root.resolve("net"));
        Files.writeString(root.resolve("net/tcp"), Fixtures.table("malformed", "tcp"));
        ProcKernelView malformed = new ProcKernelView(new ProcFs(root));

        assertEquals(Set.of(4001L), byInode(malformed.snapshot()).keySet());
        assertEquals(3, malformed.malformedLines(), "its own garbled row and the two whose inode cannot be read; "
                + "the eight garbled rows of other sockets are not decoded, so not counted");
        malformed.snapshot();
        assertEquals(6, malformed.malformedLines(), "counted since start");
    }
}
