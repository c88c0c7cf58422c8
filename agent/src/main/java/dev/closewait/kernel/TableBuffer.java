package dev.closewait.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A byte buffer reused from scan to scan for the TCP tables (whose files report size 0, so their length is known
 * only once read). It grows to fit and never beyond {@link #MAX_BYTES}: past that (some 400,000 sockets in the
 * namespace) the rest of a table is not read.
 */
public final class TableBuffer {

    static final int MAX_BYTES = 64 << 20;

    private byte[] bytes = new byte[64 << 10];

    byte[] bytes() {
        return bytes;
    }

    /** Reads the whole file, in large reads (each read of /proc/net/tcp* makes the kernel walk its tables). */
    int readFully(Path file) throws IOException {
        int length = 0;
        try (InputStream in = Files.newInputStream(file)) {
            while (true) {
                if (length == bytes.length) {
                    if (bytes.length >= MAX_BYTES) {
                        return length;
                    }
                    bytes = java.util.Arrays.copyOf(bytes, Math.min(MAX_BYTES, bytes.length * 2));
                }
                int read = in.read(bytes, length, bytes.length - length);
                if (read < 0) {
                    return length;
                }
                length += read;
            }
        }
    }
}
