package dev.closewait.kernel;

import dev.closewait.core.TcpState;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A second, deliberately plain reading of one /proc/net/tcp line (regular expressions, no byte scanning), to check
 * the parser against: the row the line says, or null if it is not a well-formed row.
 */
final class ReferenceLine {

    private static final Pattern ADDRESS = Pattern.compile("([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{1,8})");

    private ReferenceLine() {
    }

    static TcpRow decode(String line) {
        String[] fields = line.replaceFirst("^[ \t\r]+", "").split("[ \t\r]+");
        if (fields.length < 10 || fields[0].isEmpty()) {
            return null;
        }
        if (!fields[9].matches("[0-9]{1,18}") || !fields[3].matches("[0-9A-Fa-f]{1,8}")) {
            return null;
        }
        TcpState state = TcpState.ofCode((int) Long.parseLong(fields[3], 16));
        InetSocketAddress local = address(fields[1]);
        InetSocketAddress remote = address(fields[2]);
        if (state == null || local == null || remote == null) {
            return null;
        }
        return new TcpRow(local, remote, state, Long.parseLong(fields[9]));
    }

    private static InetSocketAddress address(String field) {
        Matcher matcher = ADDRESS.matcher(field);
        if (!matcher.matches()) {
            return null;
        }
        int port = Integer.parseInt(matcher.group(2), 16);
        if (port > 0xFFFF) {
            return null;
        }
        String hex = matcher.group(1);
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < hex.length() / 8; word++) {
            for (int i = 0; i < 4; i++) {
                // each 32-bit word is printed as a number in host order: on little-endian, its bytes come reversed
                int pair = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 3 - i : i;
                String digits = hex.substring(word * 8 + pair * 2, word * 8 + pair * 2 + 2);
                bytes[word * 4 + i] = (byte) Integer.parseInt(digits, 16);
            }
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(bytes), port);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
