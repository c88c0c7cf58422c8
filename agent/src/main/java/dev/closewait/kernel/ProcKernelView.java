package dev.closewait.kernel;

import dev.closewait.core.KernelSnapshot;
import dev.closewait.core.KernelSocket;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Takes a {@link KernelSnapshot} of this process's sockets: its socket descriptors from /proc/self/fd, joined by
 * inode to the rows of /proc/net/tcp and /proc/net/tcp6 (which cover the whole network namespace; rows of other
 * processes are skipped before they are decoded).
 */
public final class ProcKernelView {

    private final ProcFs procFs;
    private final ProcNetTcp parser = new ProcNetTcp();
    private final TableBuffer buffer = new TableBuffer();

    public ProcKernelView(ProcFs procFs) {
        this.procFs = procFs;
    }

    /** Not thread-safe: one scan at a time (the detector thread's). */
    public KernelSnapshot snapshot() throws IOException {
        Map<Integer, Long> inodesByFd = procFs.socketInodesByFd();
        Map<Long, Integer> fdByInode = new HashMap<>();
        inodesByFd.forEach((fd, inode) -> fdByInode.put(inode, fd));
        Set<Long> seen = new HashSet<>();
        List<KernelSocket> sockets = new ArrayList<>();
        for (String table : new String[] {"tcp", "tcp6"}) {
            int length = procFs.readTcpTable(table, buffer);
            parser.parse(buffer.bytes(), length, fdByInode::containsKey, row -> {
                if (seen.add(row.inode())) {
                    sockets.add(new KernelSocket(fdByInode.get(row.inode()), row.inode(), row.state(), row.local(),
                            row.remote()));
                }
            });
        }
        return new KernelSnapshot(inodesByFd, sockets);
    }

    /** Table lines skipped because they did not parse, since start. */
    public long malformedLines() {
        return parser.malformedLines();
    }
}
