package dev.closewait.core;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentThreadTest {

    @Test
    void whatEscapesATaskIsOneEscapedLineNeverAStackTrace() throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            AgentThread thread = new AgentThread("test\nfake", () -> {
                throw new SecurityException("access denied\n\tat fake.Frame");
            });
            thread.start();
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(thread.isAlive());
        } finally {
            System.setErr(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        assertEquals("closewait: internal error, thread closewait-test\\nfake stopped: "
                + "java.lang.SecurityException: access denied\\n\\tat fake.Frame" + System.lineSeparator(), output);
    }

    @Test
    void isADaemonNamedForItsPurpose() {
        AgentThread thread = new AgentThread("detector", () -> { });
        assertTrue(thread.isDaemon());
        assertEquals("closewait-detector", thread.getName());
    }
}
