package dev.closewait.kernel;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whatever the kernel's tables hold, the parser neither throws nor invents rows: every row it yields is one of the
 * table's own lines, decoded as an independent reading of that line would decode it; and streaming through a buffer
 * of any size gives the same rows. Fixed seeds, fixed counts.
 */
class ProcNetTcpFuzzTest {

    private static final String HEADER = "  sl  local_address                         remote_address                        "
            + "st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
    private static final String LISTEN_V6 = "   0: 00000000000000000000000001000000:1F90 "
            + "00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 "
            + "0000000000000000 100 0 0 10 0";
    private static final String CLOSE_WAIT_MAPPED = "   1: 0000000000000000FFFF00000100007F:1F90 "
            + "0000000000000000FFFF00000100007F:C822 08 00000000:00000000 00:00000000 00000000     0        0 1002 1 "
            + "0000000000000000 20 4 30 10 -1";
    private static final String TABLE = String.join("\n", HEADER, LISTEN_V6, CLOSE_WAIT_MAPPED, "");

    @Test
    void mutatedTablesYieldOnlyRowsThatTheirOwnLinesSay() {
        SplittableRandom random = new SplittableRandom(20261121);
        byte[] original = TABLE.getBytes(StandardCharsets.US_ASCII);
        byte[] alphabet = " \n\t:0123456789ABCDEFabcdefxyz-+.\u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        ProcNetTcp parser = new ProcNetTcp();
        int rowsSeen = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] table = original.clone();
            int mutations = 1 + random.nextInt(8);
            for (int m = 0; m < mutations; m++) {
                table[random.nextInt(table.length)] = alphabet[random.nextInt(alphabet.length)];
            }
            int length = random.nextInt(table.length + 1); // also cut short anywhere
            List<TcpRow> rows = new ArrayList<>();
            parser.parse(table, length, inode -> true, rows::add);

            List<TcpRow> expected = new ArrayList<>();
            String text = new String(table, 0, length, StandardCharsets.ISO_8859_1);
            String[] lines = text.split("\n", -1);
            for (int i = 1; i < lines.length; i++) {
                TcpRow row = ReferenceLine.decode(lines[i]);
                if (row != null) {
                    expected.add(row);
                }
            }
            assertEquals(expected, rows, () -> "table:\n" + text);
            rowsSeen += rows.size();
        }
        assertTrue(rowsSeen > 5_000, "many mutations leave a row intact, so rows are compared: " + rowsSeen);
    }

    @Test
    void streamingThroughAnyBufferSizeGivesTheSameRowsAsReadingAtOnce() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        StringBuilder big = new StringBuilder(HEADER).append('\n');
        for (int i = 0; i < 300; i++) {
            big.append(random.nextBoolean() ? LISTEN_V6 : CLOSE_WAIT_MAPPED).append('\n');
        }
        byte[] table = big.toString().getBytes(StandardCharsets.US_ASCII);
        List<TcpRow> atOnce = new ArrayList<>();
        new ProcNetTcp().parse(new ByteArrayInputStream(table), new byte[table.length + 1], inode -> true, atOnce::add);
        assertEquals(300, atOnce.size());

        int longestLine = Math.max(HEADER.length(), Math.max(LISTEN_V6.length(), CLOSE_WAIT_MAPPED.length())) + 1;
        for (int size : new int[] {longestLine, longestLine + 1, 257, 1000, 4096}) {
            List<TcpRow> streamed = new ArrayList<>();
            ProcNetTcp parser = new ProcNetTcp();
            // a stream that returns short reads of random length, as /proc does at page boundaries
            parser.parse(new ByteArrayInputStream(table) {
                @Override
                public synchronized int read(byte[] b, int off, int len) {
                    return super.read(b, off, Math.max(1, Math.min(len, 1 + random.nextInt(300))));
                }
            }, new byte[size], inode -> true, streamed::add);
            assertEquals(atOnce, streamed, "buffer of " + size + " bytes");
            assertEquals(0, parser.malformedLines());
        }
    }

    @Test
    void aLineLongerThanTheBufferIsSkippedAndCountedNotMerged() throws Exception {
        String table = String.join("\n", HEADER, LISTEN_V6 + " " + "x".repeat(500), CLOSE_WAIT_MAPPED, "");
        List<TcpRow> rows = new ArrayList<>();
        ProcNetTcp parser = new ProcNetTcp();

        parser.parse(new ByteArrayInputStream(table.getBytes(StandardCharsets.US_ASCII)), new byte[256],
                inode -> true, rows::add);

        assertEquals(List.of(1002L), rows.stream().map(TcpRow::inode).toList());
        assertEquals(1, parser.malformedLines());
    }

    @Test
    void randomBytesNeverThrow() {
        SplittableRandom random = new SplittableRandom(42);
        ProcNetTcp parser = new ProcNetTcp();
        for (int round = 0; round < 2_000; round++) {
            byte[] noise = new byte[random.nextInt(4096)];
            for (int i = 0; i < noise.length; i++) {
                noise[i] = (byte) random.nextInt(256);
            }
            parser.parse(noise, noise.length, inode -> true, row -> { });
        }
    }

    @Test
    void theUnmutatedTableParsesToItsTwoRows() {
        List<TcpRow> rows = new ArrayList<>();
        new ProcNetTcp().parse(TABLE, inode -> true, rows::add);
        assertEquals(List.of(ReferenceLine.decode(LISTEN_V6), ReferenceLine.decode(CLOSE_WAIT_MAPPED)), rows);
        assertEquals(List.of(1001L, 1002L), rows.stream().map(TcpRow::inode).toList());
    }
}
