package dev.closewait.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads this process's socket descriptors (the links in /proc/self/fd) and opens the namespace's TCP tables
 * (/proc/net/tcp, tcp6). The root is a parameter so tests can point it at a directory laid out like /proc.
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

    /**
     * Descriptor number to socket inode, for every descriptor of this process that is a socket, except those in
     * {@code skip} (whose links are not even read): one directory listing and one readlink per other descriptor.
     */
    public Map<Integer, Long> socketInodesByFd(BitSet skip) throws IOException {
        Map<Integer, Long> inodes = new HashMap<>();
        try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(root.resolve("self/fd"))) {
            for (Path descriptor : descriptors) {
                int fd = descriptorNumber(descriptor.getFileName().toString());
                if (fd < 0 || skip.get(fd)) {
                    continue;
                }
                long inode = socketInode(descriptor);
                if (inode >= 0) {
                    inodes.put(fd, inode);
                }
            }
        }
        return inodes;
    }

    private static int descriptorNumber(String name) {
        if (name.isEmpty() || name.length() > 9) {
            return -1;
        }
        int fd = 0;
        for (int i = 0; i < name.length(); i++) {
            int digit = name.charAt(i) - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            fd = fd * 10 + digit;
        }
        return fd;
    }

    /** The link "socket:[12345]" gives 12345; anything else (files, pipes, closed meanwhile) gives -1. */
    private static long socketInode(Path descriptor) {
        String target;
        try {
            target = Files.readSymbolicLink(descriptor).toString();
        } catch (IOException | RuntimeException closedOrNotALink) {
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

    /** Opens /proc/net/tcp or tcp6 for reading, or returns null if it is absent (no IPv6, say). */
    public InputStream openTcpTable(String name) throws IOException {
        try {
            return Files.newInputStream(root.resolve("net").resolve(name));
        } catch (NoSuchFileException absent) {
            return null;
        }
    }
}
