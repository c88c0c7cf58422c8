package dev.closewait.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcFsTest {

    private final ProcFs sample = new ProcFs(Fixtures.root("sample"));

    @Test
    void mapsEveryNumericSocketDescriptorToItsInode() throws Exception {
        assertEquals(Map.of(3, 1001L, 5, 1002L, 6, 1003L, 7, 1004L, 8, 1005L, 9, 1006L, 10, 1007L, 13, 1008L),
                sample.socketInodesByFd(new BitSet()));
    }

    @Test
    void skipsTheDescriptorsItIsToldToSkip() throws Exception {
        BitSet tracked = new BitSet();
        tracked.set(5);
        tracked.set(13);

        assertEquals(Map.of(3, 1001L, 6, 1003L, 7, 1004L, 8, 1005L, 9, 1006L, 10, 1007L),
                sample.socketInodesByFd(tracked));
    }

    @Test
    void ignoresDescriptorsThatAreNotSockets() throws Exception {
        Map<Integer, Long> inodes = sample.socketInodesByFd(new BitSet());

        for (int fd : new int[]{0, 1, 2, 4, 11, 12}) {
            assertFalse(inodes.containsKey(fd), "fd " + fd + " is a file, pipe or anon inode");
        }
        assertFalse(inodes.containsKey(14), "\"socket:[]\" names no inode");
    }

    @Test
    void ignoresNamesThatAreNotDescriptorNumbers() throws Exception {
        assertFalse(sample.socketInodesByFd(new BitSet()).containsValue(1099L), "self/fd/notanfd holds socket:[1099]");
    }

    @Test
    void readsOnlySymbolicLinksAsTheKernelMakesThem(@TempDir Path root) throws Exception {
        Path fd = Files.createDirectories(root.resolve("self/fd"));
        Files.createSymbolicLink(fd.resolve("5"), Path.of("socket:[4242]"));
        Files.createSymbolicLink(fd.resolve("6"), Path.of("pipe:[9]"));
        Files.createSymbolicLink(fd.resolve("7"), Path.of("/dev/null"));
        Path lookalike = Files.writeString(root.resolve("app.log"), "socket:[777]");
        Files.createSymbolicLink(fd.resolve("8"), lookalike);
        Files.writeString(fd.resolve("9"), "socket:[999]"); // a plain file: /proc has none

        assertEquals(Map.of(5, 4242L), new ProcFs(root).socketInodesByFd(new BitSet()),
                "a link to a file is a file, whatever the file says");
    }

    @Test
    void opensBothTcpTables() throws Exception {
        try (InputStream tcp = sample.openTcpTable("tcp"); InputStream tcp6 = sample.openTcpTable("tcp6")) {
            String v4 = new String(tcp.readAllBytes(), StandardCharsets.US_ASCII);
            String v6 = new String(tcp6.readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(v4.startsWith("  sl  local_address rem_address   st tx_queue"));
            assertTrue(v4.contains(" 1003 "));
            assertTrue(v6.startsWith("  sl  local_address                         remote_address"));
            assertTrue(v6.contains(" 1004 "));
        }
    }

    @Test
    void opensAMissingTcp6AsNone() throws Exception {
        ProcFs noIpv6 = new ProcFs(Fixtures.root("no-ipv6"));

        assertNull(noIpv6.openTcpTable("tcp6"));
        assertTrue(noIpv6.available(), "tcp6 is not needed");
    }

    @Test
    void isAvailableOnlyWithDescriptorsAndTheIpv4Table(@TempDir Path root) throws Exception {
        assertTrue(sample.available());
        assertFalse(new ProcFs(root).available(), "empty");
        Files.createDirectories(root.resolve("self/fd"));
        assertFalse(new ProcFs(root).available(), "no net/tcp");
        Files.createDirectories(root.resolve("net"));
        Files.writeString(root.resolve("net/tcp"), "");
        assertTrue(new ProcFs(root).available());
    }
}
