package dev.closewait.kernel;

import dev.closewait.core.TcpState;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.LongPredicate;

/**
 * Parses the text of /proc/net/tcp and /proc/net/tcp6. Addresses are hex dumps of 32-bit words in host byte order
 * ({@code 0100007F} is 127.0.0.1 on a little-endian machine), ports plain hex. The tables list the whole network
 * namespace (tens of thousands of rows on a busy host), so each line is scanned once, in place, for its inode, and
 * only rows this process owns are decoded further. Malformed lines are skipped and counted, never thrown: the
 * kernel's format is not ours to trust blindly.
 */
public final class ProcNetTcp {

    private static final int FIELDS = 10;
    private static final int LOCAL = 1;
    private static final int REMOTE = 2;
    private static final int STATE = 3;
    private static final int INODE = 9;

    private final ByteOrder hostOrder;
    private final int[] starts = new int[FIELDS];
    private final int[] ends = new int[FIELDS];
    private long malformedLines;

    public ProcNetTcp() {
        this(ByteOrder.nativeOrder());
    }

    ProcNetTcp(ByteOrder hostOrder) {
        this.hostOrder = hostOrder;
    }

    /** Parses a table given as text (tests). */
    public void parse(CharSequence table, LongPredicate wantedInode, Consumer<TcpRow> rows) {
        byte[] bytes = table.toString().getBytes(StandardCharsets.ISO_8859_1);
        parse(bytes, bytes.length, wantedInode, rows);
    }

    /** Parses the first {@code length} bytes of a table held in memory (tests). */
    public void parse(byte[] table, int length, LongPredicate wantedInode, Consumer<TcpRow> rows) {
        try {
            parse(new ByteArrayInputStream(table, 0, length), new byte[4096], wantedInode, rows);
        } catch (IOException cannotHappen) {
            throw new UncheckedIOException(cannotHappen);
        }
    }

    /**
     * Streams a table through {@code buffer} (reused, never grown) and passes on every row whose inode the filter
     * accepts; the first line is the header. A line longer than the buffer is skipped and counted as malformed.
     * Not thread-safe.
     */
    public void parse(InputStream in, byte[] buffer, LongPredicate wantedInode, Consumer<TcpRow> rows)
            throws IOException {
        int length = 0;
        boolean header = true;
        boolean overlong = false; // the rest of a line that did not fit is being skipped
        int read;
        while ((read = in.read(buffer, length, buffer.length - length)) >= 0) {
            int scanFrom = length;
            length += read;
            int lineStart = 0;
            for (int i = scanFrom; i < length; i++) {
                if (buffer[i] != '\n') {
                    continue;
                }
                if (overlong) {
                    overlong = false;
                } else if (header) {
                    header = false;
                } else {
                    line(buffer, lineStart, i, wantedInode, rows);
                }
                lineStart = i + 1;
            }
            if (lineStart == 0 && length == buffer.length) { // no line end in a full buffer
                if (!overlong && !header) {
                    malformedLines++;
                }
                header = false;
                overlong = true;
                length = 0;
                continue;
            }
            System.arraycopy(buffer, lineStart, buffer, 0, length - lineStart);
            length -= lineStart;
        }
        if (length > 0 && !overlong && !header) {
            line(buffer, 0, length, wantedInode, rows); // the last line had no line end
        }
    }

    private void line(byte[] table, int lineStart, int lineEnd, LongPredicate wantedInode, Consumer<TcpRow> rows) {
        int fields = splitFields(table, lineStart, lineEnd);
        if (fields == FIELDS) {
            long inode = decimal(table, starts[INODE], ends[INODE]);
            if (inode < 0) {
                malformedLines++;
            } else if (wantedInode.test(inode)) {
                TcpRow row = decode(table, inode);
                if (row == null) {
                    malformedLines++;
                } else {
                    rows.accept(row);
                }
            }
        } else if (fields > 0) {
            malformedLines++;
        }
    }

    /** Lines skipped because they did not parse. */
    public long malformedLines() {
        return malformedLines;
    }

    /** Finds the first ten space-separated fields of a line; returns how many there were (at most ten). */
    private int splitFields(byte[] table, int from, int to) {
        int fields = 0;
        int i = from;
        while (fields < FIELDS) {
            while (i < to && isSpace(table[i])) {
                i++;
            }
            if (i >= to) {
                break;
            }
            starts[fields] = i;
            while (i < to && !isSpace(table[i])) {
                i++;
            }
            ends[fields] = i;
            fields++;
        }
        return fields;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r';
    }

    private TcpRow decode(byte[] table, long inode) {
        long stateCode = hex(table, starts[STATE], ends[STATE]);
        TcpState state = stateCode < 0 ? null : TcpState.ofCode((int) stateCode);
        InetSocketAddress local = address(table, starts[LOCAL], ends[LOCAL]);
        InetSocketAddress remote = address(table, starts[REMOTE], ends[REMOTE]);
        return state == null || local == null || remote == null ? null : new TcpRow(local, remote, state, inode);
    }

    private InetSocketAddress address(byte[] table, int from, int to) {
        int colon = from;
        while (colon < to && table[colon] != ':') {
            colon++;
        }
        int hexLength = colon - from;
        long port = hex(table, colon + 1, to);
        if (colon == to || port < 0 || port > 0xFFFF || (hexLength != 8 && hexLength != 32)) {
            return null;
        }
        byte[] bytes = new byte[hexLength / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            long value = hex(table, from + word * 8, from + word * 8 + 8);
            if (value < 0) {
                return null;
            }
            for (int i = 0; i < 4; i++) {
                int shift = hostOrder == ByteOrder.LITTLE_ENDIAN ? 8 * i : 8 * (3 - i);
                bytes[word * 4 + i] = (byte) (value >>> shift);
            }
        }
        try {
            // A v4-mapped IPv6 address (::ffff:a.b.c.d, how dual-stack sockets list IPv4 peers) becomes IPv4.
            return new InetSocketAddress(InetAddress.getByAddress(bytes), (int) port);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Unsigned hex of at most 8 digits, or -1. */
    private static long hex(byte[] table, int from, int to) {
        if (from >= to || to - from > 8) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int digit = Character.digit(table[i], 16);
            if (digit < 0) {
                return -1;
            }
            value = value << 4 | digit;
        }
        return value;
    }

    /** Unsigned decimal of at most 18 digits, or -1. */
    private static long decimal(byte[] table, int from, int to) {
        if (from >= to || to - from > 18) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int digit = table[i] - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }
}
