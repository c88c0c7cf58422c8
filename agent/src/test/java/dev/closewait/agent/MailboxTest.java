package dev.closewait.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MailboxTest {

    @TempDir
    Path temp;

    @Test
    void answersEachRequestWithItsWordsRenderingThroughARename() throws Exception {
        Mailbox mailbox = Mailbox.open(temp, word -> "answer to " + word + "\n");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(mailbox.directory())));
        Files.writeString(mailbox.directory().resolve("a.request"), "status\n");

        mailbox.answer();

        assertEquals("answer to status\n", Files.readString(mailbox.directory().resolve("a.response")));
        assertFalse(Files.exists(mailbox.directory().resolve("a.request")));
        assertFalse(Files.exists(mailbox.directory().resolve("a.partial")));
    }

    @Test
    void isNamedAfterThisProcessAndOwnerOnlyFromItsCreation() throws Exception {
        Mailbox mailbox = Mailbox.open(temp, word -> "");
        String name = mailbox.directory().getFileName().toString();

        assertTrue(name.startsWith(Mailbox.PREFIX + ProcessHandle.current().pid() + "-"), name);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(mailbox.directory())));
        assertEquals(System.getProperty("user.name"), Files.getOwner(mailbox.directory()).getName());
    }

    @Test
    void createsAFreshDirectoryUnderItsPrefixAndMkdirNeverFollowsALink() throws Exception {
        Path other = Files.createDirectory(temp.resolve("elsewhere"));
        Path parent = Files.createDirectory(temp.resolve("parent"));
        String prefix = "closewait-1-";
        Path created = Mailbox.createPrivateDirectory(parent, prefix);
        assertTrue(Files.isDirectory(created, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertTrue(created.getFileName().toString().startsWith(prefix));
        assertTrue(created.getFileName().toString().length() > prefix.length());

        Path link = parent.resolve("taken");
        Files.createSymbolicLink(link, other);
        assertThrows(java.nio.file.FileAlreadyExistsException.class,
                () -> Files.createDirectory(link), "mkdir(2) on a link fails: the premise of createPrivateDirectory");
        assertEquals(List.of(), listing(other), "nothing was created through the link");
    }

    private static List<Path> listing(Path directory) throws Exception {
        try (java.util.stream.Stream<Path> entries = Files.list(directory)) {
            return entries.toList();
        }
    }

    /** Issue 13's exit race: the shutdown hook removed the directory while the half-second poll was scheduled. */
    @Test
    void anAnswerScheduledAfterCloseDoesNothingAndThrowsNothing() throws Exception {
        Mailbox mailbox = Mailbox.open(temp, word -> "x");
        mailbox.close();

        assertFalse(Files.exists(mailbox.directory()));
        assertDoesNotThrow(mailbox::answer);
    }

    @Test
    void aRequestTakenBackMeanwhileIsSkipped() throws Exception {
        Mailbox[] box = new Mailbox[1];
        box[0] = Mailbox.open(temp, word -> {
            try {
                Files.delete(box[0].directory().resolve("gone.request")); // the command gave up
                Files.delete(box[0].directory().resolve("gone.partial"));
            } catch (Exception ignored) {
                // not there yet
            }
            return "late";
        });
        Files.writeString(box[0].directory().resolve("gone.request"), "table");

        assertDoesNotThrow(box[0]::answer);
    }

    @Test
    void aRequestThatIsNotARegularFileIsNeverRead() throws Exception {
        Mailbox mailbox = Mailbox.open(temp, word -> "answer to " + word);
        Path secret = Files.writeString(temp.resolve("secret"), "table");
        Files.createSymbolicLink(mailbox.directory().resolve("link.request"), secret);

        mailbox.answer();

        assertFalse(Files.exists(mailbox.directory().resolve("link.response")));
        assertTrue(Files.exists(secret), "the link is removed, never what it points to");
    }

    @Test
    void removesTheDirectoriesAndBinderCopiesOfDeadJvmsButNotOfLiveOnes() throws Exception {
        long dead = deadPid();
        Path deadBox = Files.createDirectory(temp.resolve("closewait-" + dead + "-123"));
        Files.writeString(deadBox.resolve("x.request"), "table");
        Path deadJar = Files.writeString(temp.resolve("closewait-micrometer-" + dead + "-55.jar"), "jar");
        long live = ProcessHandle.current().parent().orElseThrow().pid();
        Path liveBox = Files.createDirectory(temp.resolve("closewait-" + live + "-456"));
        Path unrelated = Files.createDirectory(temp.resolve("closewait-notes"));

        Mailbox.open(temp, word -> "");

        assertFalse(Files.exists(deadBox));
        assertFalse(Files.exists(deadJar));
        assertTrue(Files.exists(liveBox));
        assertTrue(Files.exists(unrelated));
    }

    @Test
    void aPidReusedSinceTheEntryWasLastChangedCountsAsGone() {
        long live = ProcessHandle.current().pid() == 1 ? 1 : ProcessHandle.current().parent().orElseThrow().pid();
        Instant started = ProcessHandle.of(live).orElseThrow().info().startInstant().orElseThrow();

        assertTrue(StaleTempFiles.stale(live, started.minusSeconds(3600)));
        assertFalse(StaleTempFiles.stale(live, started.plusSeconds(5)));
    }

    @Test
    void readsTheProcessNumberOnlyFromTheAgentsOwnEntryNames() {
        assertEquals(123, StaleTempFiles.pidOf("closewait-123-abc"));
        assertEquals(123, StaleTempFiles.pidOf("closewait-micrometer-123-binder.jar"));
        assertEquals(4_294_967_295L, StaleTempFiles.pidOf("closewait-4294967295-"));
        assertEquals(-1, StaleTempFiles.pidOf("closewait-12345678901-x"), "more than 10 digits");
        assertEquals(-1, StaleTempFiles.pidOf("closewait--x"));
        assertEquals(-1, StaleTempFiles.pidOf("closewait-123"), "no dash after the number");
        assertEquals(-1, StaleTempFiles.pidOf("closewait-123x-y"));
        assertEquals(-1, StaleTempFiles.pidOf("closewait-micrometer-x-1"));
        assertEquals(-1, StaleTempFiles.pidOf("closewait-metrics-1-x"));
        assertEquals(-1, StaleTempFiles.pidOf("other-closewait-1-x"));
        assertEquals(-1, StaleTempFiles.pidOf("closewait-1-a/b"));
        assertEquals(-1, StaleTempFiles.pidOf("closewait-\u0661-x"), "digits are ASCII only");
    }

    @Test
    void neverFollowsALinkIntoAnotherDirectory() throws Exception {
        Path elsewhere = Files.createDirectory(temp.resolve("elsewhere"));
        Path precious = Files.writeString(elsewhere.resolve("precious"), "keep");
        Files.createSymbolicLink(temp.resolve("closewait-" + deadPid() + "-link"), elsewhere);

        StaleTempFiles.remove(temp);

        assertEquals("keep", Files.readString(precious, StandardCharsets.UTF_8));
    }

    /** A pid no process has now. */
    private static long deadPid() {
        for (long pid : List.of(4_000_000L, 3_999_999L, 3_999_998L)) {
            if (ProcessHandle.of(pid).isEmpty()) {
                return pid;
            }
        }
        throw new AssertionError("no free pid found");
    }
}
