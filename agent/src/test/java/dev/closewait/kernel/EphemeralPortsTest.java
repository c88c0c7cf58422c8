package dev.closewait.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EphemeralPortsTest {

    @TempDir
    Path dir;

    private EphemeralPorts.Range read(String content) throws Exception {
        Path file = dir.resolve("ip_local_port_range");
        Files.writeString(file, content);
        return EphemeralPorts.read(file);
    }

    @Test
    void countsBothEndsOfTheRange() throws Exception {
        assertEquals(new EphemeralPorts.Range(28_232, true), read("32768\t60999\n"));
        assertEquals(new EphemeralPorts.Range(29_990, true), read("30000 59989"));
        assertEquals(new EphemeralPorts.Range(1, true), read("40000 40000"));
    }

    @Test
    void fallsBackToLinuxDefaultWhenMissingOrMalformed() throws Exception {
        EphemeralPorts.Range linuxDefault = new EphemeralPorts.Range(28_232, false);
        assertEquals(linuxDefault, EphemeralPorts.read(dir.resolve("missing")));
        assertEquals(linuxDefault, read(""));
        assertEquals(linuxDefault, read("60999 32768"));
        assertEquals(linuxDefault, read("0 70000"));
        assertEquals(linuxDefault, read("32768"));
        assertEquals(linuxDefault, read("a b"));
    }
}
