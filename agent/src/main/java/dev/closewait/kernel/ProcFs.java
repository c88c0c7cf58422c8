package dev.closewait.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads this process's socket descriptors and the TCP tables from /proc. The root is injectable so tests can point
 * it at fixtures that mirror /proc.
 */
public final class ProcFs {

    private final Path root;

    public ProcFs(Path root) {
        this.root = root;
    }

    public static ProcFs system() {
        return new ProcFs(Path.of("/proc"));
    }

    /** Whether this system has the /proc files the kernel view needs (Linux). */
    public boolean available() {
        return Files.isDirectory(root.resolve("self/fd")) && Files.isReadable(root.resolve("net/tcp"));
    }

    /** Descriptor number to socket inode, for every descriptor of this process that is a socket. */
    public Map<Integer, Long> socketInodesByFd() throws IOException {
        Map<Integer, Long> inodes = new HashMap<>();
        try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(root.resolve("self/fd"))) {
            for (Path descriptor : descriptors) {
                long inode = socketInode(descriptor);
                if (inode >= 0) {
                    try {
                        inodes.put(Integer.parseInt(descriptor.getFileName().toString()), inode);
                    } catch (NumberFormatException notADescriptor) {
                        // not a number: not a descriptor
                    }
                }
            }
        }
        return inodes;
    }

    /** "socket:[12345]" gives 12345; anything else (files, pipes, closed meanwhile) gives -1. */
    private static long socketInode(Path descriptor) {
        String target;
        try {
            target = Files.isSymbolicLink(descriptor)
                    ? Files.readSymbolicLink(descriptor).toString()
                    : Files.readString(descriptor, StandardCharsets.US_ASCII).trim(); // fixtures use plain files
        } catch (IOException | RuntimeException closedMeanwhile) {
            return -1;
        }
        if (!target.startsWith("socket:[") || !target.endsWith("]")) {
            return -1;
        }
        try {
            return Long.parseLong(target.substring("socket:[".length(), target.length() - 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The text of /proc/net/tcp or tcp6; empty if the file is absent (no IPv6, say). */
    public String tcpTable(String name) throws IOException {
        TableBuffer buffer = new TableBuffer();
        int length = readTcpTable(name, buffer);
        return new String(buffer.bytes(), 0, length, StandardCharsets.US_ASCII);
    }

    /** Reads /proc/net/tcp or tcp6 into the buffer (growing it as needed); returns the length, 0 if absent. */
    public int readTcpTable(String name, TableBuffer buffer) throws IOException {
        Path table = root.resolve("net").resolve(name);
        return Files.exists(table) ? buffer.readFully(table) : 0;
    }
}
