package dev.closewait.agent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The double-install guard of {@link ClosewaitAgent}, and what a failed start leaves behind. */
class InstallGuardTest {

    /** An agent start class whose undo fails: its classes are what broke. */
    public static final class BrokenAgent {
        public static boolean undoPartialStart() {
            throw new NoClassDefFoundError("dev/closewait/agent/AgentInstaller");
        }
    }

    /** An agent start class that had instrumented the JDK before it failed. */
    public static final class InstrumentedAgent {
        public static boolean undoPartialStart() {
            return false;
        }
    }

    /** An agent start class that failed before instrumenting. */
    public static final class CleanAgent {
        public static boolean undoPartialStart() {
            return true;
        }
    }

    @AfterEach
    void release() {
        ClosewaitAgent.releaseInstallation();
    }

    private static String stderrOf(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aSecondClaimIsRefusedEvenAfterTheApplicationReplacedItsSystemProperties() {
        Properties original = System.getProperties();
        assertTrue(ClosewaitAgent.claimInstallation());
        try {
            Properties copy = new Properties();
            copy.putAll(original);
            copy.remove(AgentProperties.INSTALLED);
            System.setProperties(copy);

            assertFalse(ClosewaitAgent.claimInstallation(), "the guard does not live in the system properties");
        } finally {
            System.setProperties(original);
        }
    }

    @Test
    void aStartThatFailedBeforeInstrumentingSaysSoAndReleasesTheClaim() {
        assertTrue(ClosewaitAgent.claimInstallation());

        String stderr = stderrOf(() -> ClosewaitAgent.failed(new IOException("No such file\n\u001b[2J"), CleanAgent.class));

        assertEquals("closewait: the agent could not start and is disabled; the application is not affected: "
                + "java.io.IOException: No such file\\u000a\\u001b[2J" + System.lineSeparator(), stderr);
        assertNull(System.getProperty(AgentProperties.INSTALLED));
        assertTrue(ClosewaitAgent.claimInstallation(), "a later attach may try again");
    }

    @Test
    void aStartWhoseUndoFailsStillSaysSoAndStaysClaimed() {
        assertTrue(ClosewaitAgent.claimInstallation());

        String stderr = stderrOf(() -> ClosewaitAgent.failed(new IllegalStateException("boom"), BrokenAgent.class));

        assertTrue(stderr.startsWith("closewait: the agent could not start and is disabled; the application is not "
                + "affected: java.lang.IllegalStateException: boom"), stderr);
        assertFalse(ClosewaitAgent.claimInstallation(), "not known whether it instrumented: never install twice");
    }

    @Test
    void aStartThatHadInstrumentedStaysClaimed() {
        assertTrue(ClosewaitAgent.claimInstallation());

        stderrOf(() -> ClosewaitAgent.failed(new IllegalStateException("late"), InstrumentedAgent.class));

        assertFalse(ClosewaitAgent.claimInstallation());
        assertEquals("true", System.getProperty(AgentProperties.INSTALLED));
    }
}
