package dev.closewait.report;

import dev.closewait.text.SafeText;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Decides whether the JSON report may be appended to the file at a path, before it is opened. A named pipe, a device,
 * a socket or a directory is always refused (opening a pipe for writing waits for a reader: the application would
 * never reach {@code main}); a symbolic link, or a file another user owns, is refused unless the user allowed it with
 * {@code report-trust=on} (as root, a link planted at the path would have the agent append to any file).
 */
public final class ReportPath {

    /** The process's effective user id where Linux tells it ({@code /proc/self} belongs to it), else -1. */
    static final int OWN_UID = ownUid();

    private final Path path;
    private final boolean trusted;
    private final int ownUid;

    /**
     * @param trusted whether links and other users' files are allowed ({@code report-trust=on})
     * @param ownUid  the user the file must belong to; -1 to not check owners (not Linux)
     */
    ReportPath(Path path, boolean trusted, int ownUid) {
        this.path = path;
        this.trusted = trusted;
        this.ownUid = ownUid;
    }

    Path path() {
        return path;
    }

    /** Link options to open and stat the path with: links are followed only when trusted. */
    LinkOption[] linkOptions() {
        return trusted ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
    }

    /**
     * The file's attributes if it exists and may be appended to, null if it does not exist (and may be created).
     *
     * @throws IOException naming the path and why it is refused, or the I/O error that kept it from being checked
     */
    BasicFileAttributes check() throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, linkOptions());
        } catch (NoSuchFileException absent) {
            return null;
        }
        if (attributes.isSymbolicLink()) {
            throw refused("is a symbolic link (set report-trust=on to follow it)");
        }
        if (!attributes.isRegularFile()) {
            throw refused("is " + kind(attributes) + ", not a regular file; the JSON report needs a regular file");
        }
        String fileSystem = fileSystemType();
        if (KERNEL_FILE_SYSTEMS.contains(fileSystem)) {
            throw refused("is a kernel file (on " + fileSystem + "), not a regular file; the JSON report needs a "
                    + "regular file");
        }
        if (!trusted && ownUid >= 0) {
            Object owner = ownerUid();
            if (owner instanceof Integer uid && uid != ownUid) {
                throw refused("belongs to another user (uid " + uid + ", this process runs as uid " + ownUid
                        + "; set report-trust=on to append to it anyway)");
            }
        }
        return attributes;
    }

    /** Where writing is a command to the kernel, not storage: /proc, /sys and the like. */
    private static final java.util.Set<String> KERNEL_FILE_SYSTEMS = java.util.Set.of("proc", "sysfs", "devtmpfs",
            "devpts", "cgroup", "cgroup2", "debugfs", "tracefs", "securityfs", "configfs", "bpf", "fusectl", "pstore",
            "efivarfs", "binfmt_misc", "hugetlbfs", "mqueue", "rpc_pipefs", "selinuxfs");

    private String fileSystemType() {
        try {
            return Files.getFileStore(path).type();
        } catch (IOException | RuntimeException unknown) {
            return "";
        }
    }

    private Object ownerUid() {
        try {
            return Files.getAttribute(path, "unix:uid", linkOptions());
        } catch (IOException | RuntimeException unsupported) {
            return null;
        }
    }

    private IOException refused(String why) {
        return new Refused(SafeText.escape(path.toString()) + " " + why);
    }

    /** The path names something the JSON report must not be appended to; the message says what and why. */
    public static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    private String kind(BasicFileAttributes attributes) {
        if (attributes.isDirectory()) {
            return "a directory";
        }
        Object mode;
        try {
            mode = Files.getAttribute(path, "unix:mode", linkOptions());
        } catch (IOException | RuntimeException unsupported) {
            mode = null;
        }
        if (mode instanceof Integer bits) {
            switch (bits & 0170000) {
                case 0010000: return "a named pipe (FIFO)";
                case 0020000: return "a character device";
                case 0060000: return "a block device";
                case 0140000: return "a socket";
                default: break;
            }
        }
        return "a special file";
    }

    private static int ownUid() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return uid instanceof Integer id ? id : -1;
        } catch (IOException | RuntimeException notLinux) {
            return -1;
        }
    }
}
