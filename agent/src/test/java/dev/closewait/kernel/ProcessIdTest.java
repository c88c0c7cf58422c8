package dev.closewait.kernel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ProcessIdTest {

    @Test
    void isTheIdTheJdkGives() {
        assertEquals(ProcessHandle.current().pid(), ProcessId.current());
    }
}
