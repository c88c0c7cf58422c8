package dev.closewait.kernel;

import dev.closewait.core.TcpState;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.function.Consumer;
import java.util.function.LongPredicate;

/**
 * Parses the text of /proc/net/tcp and /proc/net/tcp6. Addresses are hex dumps of 32-bit words in host byte order
 * ({@code 0100007F} is 127.0.0.1 on a little-endian machine), ports plain hex. Malformed lines are skipped and
 * counted, never thrown: the kernel's format is not ours to trust blindly.
 */
public final class ProcNetTcp {

    private static final int LOCAL = 1;
    private static final int REMOTE = 2;
    private static final int STATE = 3;
    private static final int INODE = 9;

    private final ByteOrder hostOrder;
    private long malformedLines;

    public ProcNetTcp() {
        this(ByteOrder.nativeOrder());
    }

    ProcNetTcp(ByteOrder hostOrder) {
        this.hostOrder = hostOrder;
    }

    /** Parses every row whose inode the filter accepts (the others are not decoded, which keeps big tables cheap). */
    public void parse(CharSequence table, LongPredicate wantedInode, Consumer<TcpRow> rows) {
        int length = table.length();
        int lineStart = 0;
        boolean header = true;
        while (lineStart < length) {
            int lineEnd = lineStart;
            while (lineEnd < length && table.charAt(lineEnd) != '\n') {
                lineEnd++;
            }
            if (header) {
                header = false; // "  sl  local_address rem_address   st ..."
            } else if (lineEnd > lineStart) {
                TcpRow row = parseLine(table.subSequence(lineStart, lineEnd).toString(), wantedInode);
                if (row != null) {
                    rows.accept(row);
                }
            }
            lineStart = lineEnd + 1;
        }
    }

    /** Lines skipped because they did not parse. */
    public long malformedLines() {
        return malformedLines;
    }

    private TcpRow parseLine(String line, LongPredicate wantedInode) {
        String[] fields = line.trim().split("\\s+");
        if (fields.length <= INODE) {
            malformedLines++;
            return null;
        }
        try {
            long inode = Long.parseLong(fields[INODE]);
            if (!wantedInode.test(inode)) {
                return null;
            }
            TcpState state = TcpState.ofCode(Integer.parseInt(fields[STATE], 16));
            InetSocketAddress local = address(fields[LOCAL]);
            InetSocketAddress remote = address(fields[REMOTE]);
            if (state == null || local == null || remote == null) {
                malformedLines++;
                return null;
            }
            return new TcpRow(local, remote, state, inode);
        } catch (RuntimeException e) {
            malformedLines++;
            return null;
        }
    }

    private InetSocketAddress address(String field) {
        int colon = field.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String hexAddress = field.substring(0, colon);
        int port = Integer.parseInt(field.substring(colon + 1), 16);
        if (port < 0 || port > 0xFFFF || (hexAddress.length() != 8 && hexAddress.length() != 32)) {
            return null;
        }
        byte[] bytes = new byte[hexAddress.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            int value = Integer.parseUnsignedInt(hexAddress.substring(word * 8, word * 8 + 8), 16);
            for (int i = 0; i < 4; i++) {
                int shift = hostOrder == ByteOrder.LITTLE_ENDIAN ? 8 * i : 8 * (3 - i);
                bytes[word * 4 + i] = (byte) (value >>> shift);
            }
        }
        try {
            // A v4-mapped IPv6 address (::ffff:a.b.c.d, how dual-stack sockets list IPv4 peers) becomes IPv4.
            return new InetSocketAddress(InetAddress.getByAddress(bytes), port);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
