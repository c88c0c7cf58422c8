package dev.closewait.kernel;

import dev.closewait.core.TcpState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static dev.closewait.kernel.Fixtures.parseAll;
import static dev.closewait.kernel.Fixtures.table;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class ProcNetTcpTest {

    private static final String HEADER =
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    /** A real ESTABLISHED row, fields separated as the kernel prints them. */
    private static final String ROW = "   0: 0100007F:1F90 0100007F:C822 01 00000000:00000000 00:00000000 00000000  "
            + "1000        0 4001 1 000000008fcb6dca 20 0 0 10 -1";

    private final ProcNetTcp parser = new ProcNetTcp(ByteOrder.LITTLE_ENDIAN);

    private static Map<Long, TcpRow> byInode(List<TcpRow> rows) {
        return rows.stream().filter(row -> row.inode() != 0) // TIME_WAIT and orphans: no socket inode
                .collect(Collectors.toMap(TcpRow::inode, Function.identity()));
    }

    private static InetSocketAddress address(String ip, int port) throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void decodesEveryTcpStateCodeFromOneToTwelve() {
        List<TcpRow> rows = parseAll(parser, table("every-state", "tcp"));

        assertEquals(Arrays.asList(TcpState.values()), rows.stream().map(TcpRow::state).toList());
        assertEquals(List.of(3001L, 3002L, 0L, 3004L, 3005L, 0L, 3007L, 3008L, 3009L, 3010L, 3011L, 3012L),
                rows.stream().map(TcpRow::inode).toList(), "SYN_RECV and TIME_WAIT rows have no socket inode");
        assertEquals(0, parser.malformedLines());
    }

    @Test
    void decodesIpv4AddressesWrittenInLittleEndianWords() throws Exception {
        Map<Long, TcpRow> rows = byInode(parseAll(parser, table("sample", "tcp")));

        TcpRow accepted = rows.get(1002L);
        assertEquals(address("127.0.0.1", 8080), accepted.local());
        assertEquals(address("127.0.0.1", 51234), accepted.remote());
        assertEquals(TcpState.ESTABLISHED, accepted.state());
        assertInstanceOf(Inet4Address.class, accepted.local().getAddress());

        TcpRow otherProcess = rows.get(2001L);
        assertEquals(address("10.0.0.5", 8080), otherProcess.local(), "0500000A is 10.0.0.5");
        assertEquals(address("10.0.0.9", 40010), otherProcess.remote());
        assertEquals(TcpState.CLOSE_WAIT, otherProcess.state());

        TcpRow listener = rows.get(1001L);
        assertEquals(TcpState.LISTEN, listener.state());
        assertEquals(address("0.0.0.0", 0), listener.remote());
    }

    @Test
    void decodesIpv6LoopbackAsIpv6() throws Exception {
        TcpRow client = byInode(parseAll(parser, table("sample", "tcp6"))).get(1004L);

        assertInstanceOf(Inet6Address.class, client.local().getAddress());
        assertEquals(address("::1", 40000), client.local());
        assertEquals(address("::1", 8443), client.remote());
        assertEquals(TcpState.ESTABLISHED, client.state());
    }

    @Test
    void decodesEachIpv6WordInHostOrderWithoutReversingTheWholeAddress() throws Exception {
        TcpRow row = byInode(parseAll(parser, table("sample", "tcp6"))).get(1008L);

        assertEquals(address("2001:db8::1234:5678", 40022), row.local());
        assertEquals(address("2001:db8::1", 443), row.remote());
    }

    @Test
    void decodesV4MappedIpv6AddressesAsIpv4() throws Exception {
        TcpRow row = byInode(parseAll(parser, table("sample", "tcp6"))).get(1005L);

        assertInstanceOf(Inet4Address.class, row.local().getAddress());
        assertInstanceOf(Inet4Address.class, row.remote().getAddress());
        assertEquals(address("127.0.0.1", 47066), row.local());
        assertEquals(address("127.0.0.1", 9000), row.remote());
        assertEquals(TcpState.CLOSE_WAIT, row.state());
    }

    @Test
    void decodesBigEndianHostsWordsTheOtherWayRound() throws Exception {
        ProcNetTcp bigEndian = new ProcNetTcp(ByteOrder.BIG_ENDIAN);
        String table = HEADER
                + "   0: 7F000001:1F90 0A000002:C822 08 00000000:00000000 00:00000000 00000000  1000        0 11 1 "
                + "000000008fcb6dca 20 0 0 10 -1\n"
                + "   1: 00000000000000000000000000000001:20FB 20010DB8000000000000000012345678:01BB 01 "
                + "00000000:00000000 00:00000000 00000000  1000        0 12 1 000000005d307bbd 20 0 0 10 -1\n"
                + "   2: 00000000000000000000FFFF7F000001:B7DA 00000000000000000000FFFF0A000002:2328 01 "
                + "00000000:00000000 00:00000000 00000000  1000        0 13 1 00000000898c5458 20 0 0 10 -1\n";

        Map<Long, TcpRow> rows = byInode(parseAll(bigEndian, table));

        assertEquals(address("127.0.0.1", 8080), rows.get(11L).local());
        assertEquals(address("10.0.0.2", 51234), rows.get(11L).remote());
        assertEquals(address("::1", 8443), rows.get(12L).local());
        assertEquals(address("2001:db8::1234:5678", 443), rows.get(12L).remote());
        assertEquals(address("127.0.0.1", 47066), rows.get(13L).local());
        assertInstanceOf(Inet4Address.class, rows.get(13L).local().getAddress());
        assertEquals(address("10.0.0.2", 9000), rows.get(13L).remote());
        assertEquals(0, bigEndian.malformedLines());

        TcpRow asLittleEndian = byInode(parseAll(parser, table)).get(11L);
        assertEquals(address("1.0.0.127", 8080), asLittleEndian.local(), "the same text on the other byte order");
    }

    @Test
    void skipsTheHeaderAndTheFinalNewline() {
        assertEquals(List.of(), parseAll(parser, HEADER));
        assertEquals(List.of(), parseAll(parser, ""));
        assertEquals(1, parseAll(parser, HEADER + ROW + "\n").size());
        assertEquals(1, parseAll(parser, HEADER + ROW).size(), "a last line without newline still counts");
        assertEquals(0, parser.malformedLines());
    }

    @Test
    void passesOnlyRowsWhoseInodeIsWanted() {
        List<TcpRow> rows = new ArrayList<>();

        parser.parse(table("sample", "tcp"), inode -> inode == 1003L || inode == 2001L, rows::add);

        assertEquals(List.of(1003L, 2001L), rows.stream().map(TcpRow::inode).toList());
    }

    @Test
    void doesNotDecodeRowsOfUnwantedInodes() {
        String garbledAddress = ROW.replace("0100007F:1F90", "0100007G:1F90");
        List<TcpRow> rows = new ArrayList<>();

        parser.parse(HEADER + garbledAddress + "\n", inode -> inode != 4001L, rows::add);

        assertEquals(List.of(), rows);
        assertEquals(0, parser.malformedLines(), "a row nobody asked for is not looked at, so not found malformed");
    }

    @Test
    void skipsAndCountsMalformedRowsAndKeepsTheGoodOnes() {
        List<TcpRow> rows = parseAll(parser, table("malformed", "tcp"));

        assertEquals(List.of(4001L, 4002L), rows.stream().map(TcpRow::inode).toList());
        assertEquals(11, parser.malformedLines());

        parseAll(parser, table("malformed", "tcp"));
        assertEquals(22, parser.malformedLines(), "counted since start");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "too few fields          | 9 | ",
            "local address bad hex   | 1 | 0100007G:1F90",
            "remote port bad hex     | 2 | 0100007F:C82Z",
            "state bad hex           | 3 | XY",
            "unknown state 0F        | 3 | 0F",
            "state 00                | 3 | 00",
            "state beyond one digit  | 3 | 1A",
            "negative state          | 3 | -1",
            "port above FFFF         | 1 | 0100007F:10000",
            "negative port           | 2 | 0100007F:-1",
            "address of 7 digits     | 1 | 100007F:1F90",
            "address of 9 digits     | 1 | 0100007F0:1F90",
            "address of 16 digits    | 2 | 000000000100007F:C822",
            "address of 33 digits    | 2 | 0000000000000000FFFF00000100007F0:C822",
            "address of 24 digits    | 1 | 0000000000000000FFFF0000:1F90",
            "address without a port  | 1 | 0100007F",
            "inode not a number      | 9 | 40x1"})
    void skipsAndCountsAMalformedRowInsteadOfThrowing(String what, int field, String replacement) {
        List<String> fields = new ArrayList<>(Arrays.asList(ROW.trim().split("\\s+")));
        if (replacement == null) {
            fields.subList(field, fields.size()).clear();
        } else {
            fields.set(field, replacement);
        }
        String line = "   " + String.join(" ", fields);

        List<TcpRow> rows = parseAll(parser, HEADER + line + "\n" + ROW + "\n");

        assertEquals(1, rows.size(), () -> what + ": only the good row is left of\n" + line);
        assertEquals(4001L, rows.get(0).inode());
        assertEquals(1, parser.malformedLines(), what);
    }
}
