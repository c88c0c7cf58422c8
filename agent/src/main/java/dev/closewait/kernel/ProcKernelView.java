package dev.closewait.kernel;

import dev.closewait.core.KernelSnapshot;
import dev.closewait.core.KernelSocket;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Takes a {@link KernelSnapshot} of the sockets of this process the agent did not see opened: the socket descriptors
 * of /proc/self/fd other than the tracked ones, and, when asked to, their rows in /proc/net/tcp and /proc/net/tcp6.
 * The tables cover the whole network namespace; they are streamed through one fixed {@value #BUFFER_BYTES}-byte
 * buffer, and rows of other inodes are skipped before they are decoded, so the heap used does not grow with the
 * namespace.
 */
public final class ProcKernelView {

    static final int BUFFER_BYTES = 16 << 10;

    private final ProcFs procFs;
    private final ProcNetTcp parser = new ProcNetTcp();
    private final byte[] buffer = new byte[BUFFER_BYTES];

    public ProcKernelView(ProcFs procFs) {
        this.procFs = procFs;
    }

    /**
     * Lists the socket descriptors not in {@code trackedFds}, then reads the TCP tables only if {@code needTables}
     * says so for those descriptors (inode by fd). Not thread-safe: one scan at a time.
     */
    public KernelSnapshot snapshot(BitSet trackedFds, Predicate<Map<Integer, Long>> needTables) throws IOException {
        return snapshot(new Supplier<BitSet>() { // not a lambda: see NoLambdaOnTheWatchPathTest
            @Override
            public BitSet get() {
                return trackedFds;
            }
        }, needTables);
    }

    /**
     * As {@link #snapshot(BitSet, Predicate)}, asking for the tracked descriptors twice: before listing them (those
     * are not even looked at) and after (those tracked since are dropped). A socket the application opened while the
     * descriptors were listed is tracked a moment later, and was otherwise counted twice in the summary line, as
     * tracked and as a socket the agent never saw.
     */
    public KernelSnapshot snapshot(Supplier<BitSet> trackedFds, Predicate<Map<Integer, Long>> needTables)
            throws IOException {
        Map<Integer, Long> inodesByFd = procFs.socketInodesByFd(trackedFds.get());
        BitSet trackedSince = trackedFds.get();
        inodesByFd.keySet().removeIf(new Predicate<Integer>() { // not a method reference: see KernelScan
            @Override
            public boolean test(Integer fd) {
                return trackedSince.get(fd);
            }
        });
        if (!needTables.test(inodesByFd)) {
            return new KernelSnapshot(inodesByFd, List.of(), false);
        }
        Map<Long, Integer> fdByInode = new java.util.HashMap<>();
        for (Map.Entry<Integer, Long> entry : inodesByFd.entrySet()) {
            fdByInode.put(entry.getValue(), entry.getKey());
        }
        Set<Long> seen = new HashSet<>();
        List<KernelSocket> sockets = new ArrayList<>();
        LongPredicate wanted = new LongPredicate() {
            @Override
            public boolean test(long inode) {
                return fdByInode.containsKey(inode);
            }
        };
        Consumer<TcpRow> collect = new Consumer<>() {
            @Override
            public void accept(TcpRow row) {
                if (seen.add(row.inode())) {
                    sockets.add(new KernelSocket(fdByInode.get(row.inode()), row.inode(), row.state(),
                            row.local(), row.remote()));
                }
            }
        };
        if (!fdByInode.isEmpty()) {
            for (String table : new String[] {"tcp", "tcp6"}) {
                try (InputStream in = procFs.openTcpTable(table)) {
                    if (in == null) {
                        continue;
                    }
                    parser.parse(in, buffer, wanted, collect);
                }
            }
        }
        return new KernelSnapshot(inodesByFd, sockets, true);
    }

    /** Table lines skipped because they did not parse, since start. */
    public long malformedLines() {
        return parser.malformedLines();
    }
}
