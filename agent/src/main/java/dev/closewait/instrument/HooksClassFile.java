package dev.closewait.instrument;

import dev.closewait.bootstrap.SocketHooks;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The class file of {@link SocketHooks} renamed to {@link SocketHooks#JAVA_BASE_NAME}, ready to be defined in
 * java.base next to the JDK classes whose inserted calls name it ({@link ExitHook#HOOKS}). The class refers to
 * nothing else of the agent, so renaming it means rewriting the constant pool's strings that hold its name; done
 * by hand rather than with ASM, which this way is not loaded at start-up at all (docs/performance.md).
 */
public final class HooksClassFile {

    /** The internal name the inserted calls use. */
    public static final String INTERNAL_NAME = SocketHooks.JAVA_BASE_NAME.replace('.', '/');

    private static final String SOURCE = SocketHooks.class.getName().replace('.', '/');
    private static final int MAGIC = 0xCAFEBABE;

    private HooksClassFile() {
    }

    /** The renamed class file; {@code IOException} if the agent jar lacks the compiled hooks or it is malformed. */
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

    /**
     * {@code classFile} with {@code from} replaced by {@code to} in every UTF-8 constant (the class's name and any
     * descriptor naming it); everything after the constant pool is copied as it is. Names are ASCII.
     */
    static byte[] rename(byte[] classFile, String from, String to) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(classFile));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(classFile.length + 64);
        DataOutputStream out = new DataOutputStream(bytes);
        if (in.readInt() != MAGIC) {
            throw new IOException("not a class file");
        }
        out.writeInt(MAGIC);
        out.writeInt(in.readInt()); // minor and major version
        int count = in.readUnsignedShort();
        out.writeShort(count);
        for (int index = 1; index < count; index++) {
            int tag = in.readUnsignedByte();
            out.writeByte(tag);
            switch (tag) {
                case 1 -> { // Utf8
                    byte[] text = new byte[in.readUnsignedShort()];
                    in.readFully(text);
                    byte[] renamed = new String(text, StandardCharsets.ISO_8859_1).replace(from, to)
                            .getBytes(StandardCharsets.ISO_8859_1);
                    out.writeShort(renamed.length);
                    out.write(renamed);
                }
                case 7, 8, 16, 19, 20 -> copy(in, out, 2); // Class, String, MethodType, Module, Package
                case 15 -> copy(in, out, 3); // MethodHandle
                case 3, 4, 9, 10, 11, 12, 17, 18 -> copy(in, out, 4);
                case 5, 6 -> { // Long, Double: two slots
                    copy(in, out, 8);
                    index++;
                }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        in.transferTo(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static void copy(DataInputStream in, DataOutputStream out, int length) throws IOException {
        byte[] buffer = new byte[length];
        in.readFully(buffer);
        out.write(buffer);
    }
}
