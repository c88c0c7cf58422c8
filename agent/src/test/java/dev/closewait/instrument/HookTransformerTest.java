package dev.closewait.instrument;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HookTransformerTest {

    @Test
    void namesExactlyTheClassesThatHaveRules() {
        assertEquals(SocketInstrumentation.TARGETS.keySet(), HookTransformer.CLASSES);
    }
}
