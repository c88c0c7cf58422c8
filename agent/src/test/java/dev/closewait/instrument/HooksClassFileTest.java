package dev.closewait.instrument;

import dev.closewait.bootstrap.SocketHooks;
import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandles;
import java.nio.charset.StandardCharsets;
import java.util.function.ObjIntConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

class HooksClassFileTest {

    @Test
    void renamedClassFileNamesOnlyItsNewSelfAndJdkTypes() throws Exception {
        String text = new String(HooksClassFile.renamed(), StandardCharsets.ISO_8859_1);
        assertFalse(text.contains("dev/closewait"), "no reference to any agent class is left");
        assertFalse(text.contains("InnerClasses"), "no nested class");
        assertFalse(text.contains("LambdaMetafactory"), "no lambda");
        assertFalse(text.contains("makeConcatWithConstants"), "no invokedynamic string concatenation");
    }

    /** Defined in a package of this test's own (java.base's is reachable only from a real agent), it works alike. */
    @Test
    void renamedClassDefinesAndDispatchesEvents() throws Exception {
        String name = "dev/closewait/instrument/RenamedHooks";
        byte[] classFile = HooksClassFile.rename(HooksClassFile.renamed(), HooksClassFile.INTERNAL_NAME, name);
        Class<?> hooks = MethodHandles.lookup().defineClass(classFile);
        assertEquals(name.replace('/', '.'), hooks.getName());
        Object[] seen = new Object[2];
        ObjIntConsumer<Object> listener = (socket, event) -> {
            seen[0] = socket;
            seen[1] = event;
        };
        Object[] shared = (Object[]) hooks.getMethod("install", ObjIntConsumer.class).invoke(null, listener);
        assertEquals(4, shared.length, "watching writes, failures, the last local address, watching reads");
        hooks.getMethod("readReturned", int.class, Object.class).invoke(null, -1, "socket");
        assertSame("socket", seen[0]);
        assertEquals(SocketHooks.END_OF_STREAM, seen[1]);
    }
}
