package dev.closewait.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.closewait.core.Harness.address;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KernelSnapshotTest {

    @Test
    void countsStatesInTheKernelsOrderSoTheSummaryLineReadsTheSameEveryRun() {
        List<TcpState> reversed = new ArrayList<>(Arrays.asList(TcpState.values()));
        Collections.reverse(reversed);
        Map<Integer, Long> inodes = new HashMap<>();
        List<KernelSocket> sockets = new ArrayList<>();
        for (TcpState state : reversed) {
            int fd = 10 + state.ordinal();
            inodes.put(fd, 1000L + fd);
            sockets.add(new KernelSocket(fd, 1000L + fd, state, address(127, 0, 0, 1, 40000 + fd),
                    address(127, 0, 0, 1, 8080)));
        }

        Map<TcpState, Integer> counts = new KernelSnapshot(inodes, sockets).countsByState();

        assertEquals(Arrays.asList(TcpState.values()), List.copyOf(counts.keySet()));
        assertThrows(UnsupportedOperationException.class, () -> counts.put(TcpState.LISTEN, 2));
    }

    @Test
    void countsNoStatesOfAProcessWithoutTcpSockets() {
        assertEquals(Map.of(), new KernelSnapshot(Map.of(3, 1003L), List.of()).countsByState());
    }
}
