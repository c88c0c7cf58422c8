package dev.closewait.instrument;

import dev.closewait.bootstrap.SocketHooks;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.SimpleRemapper;

import java.io.IOException;
import java.io.InputStream;

/**
 * The class file of {@link SocketHooks} renamed to {@link SocketHooks#JAVA_BASE_NAME}, ready to be defined in
 * java.base next to the JDK classes whose inserted calls name it ({@link ExitHook#HOOKS}). Only the class's own name
 * changes: it refers to nothing else of the agent.
 */
public final class HooksClassFile {

    /** The internal name the inserted calls use. */
    public static final String INTERNAL_NAME = SocketHooks.JAVA_BASE_NAME.replace('.', '/');

    private static final String SOURCE = SocketHooks.class.getName().replace('.', '/');

    private HooksClassFile() {
    }

    /** The renamed class file; {@code IOException} if the agent jar lacks the compiled hooks. */
    public static byte[] renamed() throws IOException {
        byte[] original;
        try (InputStream in = SocketHooks.class.getResourceAsStream("/" + SOURCE + ".class")) {
            if (in == null) {
                throw new IOException("the agent jar lacks " + SOURCE + ".class");
            }
            original = in.readAllBytes();
        }
        return rename(original, SOURCE, INTERNAL_NAME);
    }

    static byte[] rename(byte[] classFile, String from, String to) {
        ClassReader reader = new ClassReader(classFile);
        ClassWriter writer = new ClassWriter(0);
        reader.accept(new ClassRemapper(writer, new SimpleRemapper(from, to)), 0);
        return writer.toByteArray();
    }
}
