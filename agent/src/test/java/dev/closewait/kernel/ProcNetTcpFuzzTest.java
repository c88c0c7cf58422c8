package dev.closewait.kernel;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whatever the kernel's tables hold, the parser neither throws nor invents rows. Fixed seed, fixed count. */
class ProcNetTcpFuzzTest {

    private static final String TABLE = String.join("\n",
            "  sl  local_address                         remote_address                        st tx_queue rx_queue "
                    + "tr tm->when retrnsmt   uid  timeout inode",
            "   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 "
                    + "00:00000000 00000000     0        0 1001 1 0000000000000000 100 0 0 10 0",
            "   1: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:C822 08 00000000:00000000 "
                    + "00:00000000 00000000     0        0 1002 1 0000000000000000 20 4 30 10 -1",
            "");

    @Test
    void mutatedTablesNeverThrowAndYieldOnlyWellFormedRows() {
        SplittableRandom random = new SplittableRandom(20261121);
        byte[] original = TABLE.getBytes(StandardCharsets.US_ASCII);
        byte[] alphabet = " \n\t:0123456789ABCDEFabcdefxyz-+.\u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        ProcNetTcp parser = new ProcNetTcp();
        for (int round = 0; round < 20_000; round++) {
            byte[] table = original.clone();
            int mutations = 1 + random.nextInt(8);
            for (int m = 0; m < mutations; m++) {
                table[random.nextInt(table.length)] = alphabet[random.nextInt(alphabet.length)];
            }
            int length = random.nextInt(table.length + 1); // also cut short anywhere
            List<TcpRow> rows = new ArrayList<>();
            assertDoesNotThrow(() -> parser.parse(table, length, inode -> true, rows::add));
            for (TcpRow row : rows) {
                assertTrue(row.local().getPort() >= 0 && row.local().getPort() <= 0xFFFF);
                assertTrue(row.state() != null && row.inode() >= 0);
            }
        }
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
            assertDoesNotThrow(() -> parser.parse(noise, noise.length, inode -> true, row -> { }));
        }
    }

    @Test
    void theUnmutatedTableStillParses() {
        List<TcpRow> rows = new ArrayList<>();
        new ProcNetTcp().parse(TABLE, inode -> true, rows::add);
        assertEquals(2, rows.size());
    }
}
