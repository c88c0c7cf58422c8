package dev.closewait.instrument;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.util.CheckClassAdapter;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Transforms every target class of the running JDK as the agent would and lists what is wrong: a rule that matched
 * no method (the JDK changed a signature), a class ASM's verifier rejects after the change, an inserted call that
 * names no public static method of the hook class (it would throw {@code NoSuchMethodError} inside the
 * application's socket calls), or a JDK method that lost the hook it must have. Run in the test JVM by
 * {@link SocketInstrumentationTest}, and by {@link #main} in a child JVM of each other JDK under test.
 */
final class InstrumentationCheck {

    /**
     * The hooks each JDK method must call after transformation (docs/architecture.md, "What is instrumented"),
     * written out again here so that dropping a rule from {@link SocketInstrumentation#TARGETS} fails.
     */
    static final Map<String, Map<String, Set<String>>> EXPECTED = Map.of(
            "sun/nio/ch/NioSocketImpl", Map.of("connect", Set.of("opened"), "accept", Set.of("opened"),
                    "read", Set.of("readReturned"), "write", Set.of("wrote"),
                    "shutdownInput", Set.of("inputShutdown"), "close", Set.of("closed")),
            "sun/nio/ch/Net", Map.of("localAddress", Set.of("localAddressReturned")),
            "sun/nio/ch/SocketChannelImpl", Map.of("<init>", Set.of("opened"),
                    "connect", Set.of("opened", "connectReturned"), "finishConnect", Set.of("connectReturned"),
                    "read", Set.of("readReturned"), "blockingRead", Set.of("readReturned"), "write", Set.of("wrote"),
                    "blockingWriteFully", Set.of("wrote"), "shutdownInput", Set.of("inputShutdown"),
                    "implCloseSelectableChannel", Set.of("closed")),
            "sun/nio/ch/AsynchronousSocketChannelImpl", Map.of("connect", Set.of("opened"),
                    "shutdownInput", Set.of("inputShutdown")),
            "sun/nio/ch/UnixAsynchronousSocketChannelImpl", Map.of("<init>", Set.of("opened"),
                    "setConnected", Set.of("connected"), "implClose", Set.of("closed")),
            "sun/nio/ch/IOUtil", Map.of("read", Set.of("asyncReadReturned"), "write", Set.of("asyncWrote")),
            "sun/security/ssl/SSLSocketImpl$AppInputStream", Map.of("read", Set.of("sslReadReturned")),
            "sun/security/ssl/SSLSocketImpl", Map.of("connect", Set.of("secured"), "<init>", Set.of("secured"),
                    "shutdownInput", Set.of("inputShutdown")),
            "sun/security/ssl/SSLServerSocketImpl", Map.of("accept", Set.of("secured")));

    private InstrumentationCheck() {
    }

    /** Every problem found on this JDK, one line each; empty when all is well. */
    static List<String> problems() throws IOException {
        List<String> problems = new ArrayList<>();
        String jdk = "JDK " + Runtime.version();
        if (!EXPECTED.keySet().equals(SocketInstrumentation.TARGETS.keySet())) {
            problems.add("target classes " + new TreeSet<>(SocketInstrumentation.TARGETS.keySet())
                    + " differ from the expected " + new TreeSet<>(EXPECTED.keySet()));
        }
        for (Map.Entry<String, List<MethodRule>> target : SocketInstrumentation.TARGETS.entrySet()) {
            String owner = target.getKey();
            byte[] original = classFile(owner);
            if (original == null) {
                problems.add(jdk + ": no class " + owner);
                continue;
            }
            ClassNode before = node(original);
            for (MethodRule rule : target.getValue()) {
                int matched = 0;
                for (MethodNode method : before.methods) {
                    if ((method.access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) == 0 && rule.matches(
                            method.name, net.bytebuddy.jar.asm.Type.getArgumentTypes(method.desc))) {
                        matched++;
                    }
                }
                if (matched == 0) {
                    problems.add(jdk + ": the rule " + owner + "." + rule.name() + " " + rule.hooks()
                            + " matched no method");
                }
            }
            byte[] transformed = SocketInstrumentation.transform(owner, original);
            if (transformed == null) {
                problems.add(jdk + ": " + owner + " was left unchanged");
                continue;
            }
            String verifier = verify(transformed);
            if (!verifier.isEmpty()) {
                problems.add(jdk + ": ASM's verifier rejects the transformed " + owner + ":\n" + verifier);
            }
            ClassNode after = node(transformed);
            problems.addAll(unresolvedHookCalls(jdk, after));
            problems.addAll(missingHooks(jdk, after, EXPECTED.getOrDefault(owner, Map.of())));
        }
        return problems;
    }

    /** The running JDK's class file of a java.base class (class files are never encapsulated). */
    static byte[] classFile(String internalName) throws IOException {
        try (InputStream in = Object.class.getModule().getResourceAsStream(internalName + ".class")) {
            return in == null ? null : in.readAllBytes();
        }
    }

    private static ClassNode node(byte[] classFile) {
        ClassNode node = new ClassNode();
        new ClassReader(classFile).accept(node, 0);
        return node;
    }

    /** Data-flow verification of every method, with types resolved through the JDK's own classes. */
    private static String verify(byte[] classFile) {
        StringWriter out = new StringWriter();
        CheckClassAdapter.verify(new ClassReader(classFile), ClassLoader.getSystemClassLoader(), false,
                new PrintWriter(out));
        return out.toString();
    }

    /**
     * Calls to the hook class that no public static method of it answers. The hook class is the one the agent
     * defines at start ({@link HooksClassFile#renamed()}), read from its class file: its name must be the one the
     * inserted calls use ({@link ExitHook#HOOKS}).
     */
    private static List<String> unresolvedHookCalls(String jdk, ClassNode after) throws IOException {
        ClassNode hooks = node(HooksClassFile.renamed());
        List<String> problems = new ArrayList<>();
        if (!hooks.name.equals(ExitHook.HOOKS)) {
            problems.add("the hook class is defined as " + hooks.name + ", but the inserted calls name " + ExitHook.HOOKS);
        }
        if ((hooks.access & Opcodes.ACC_PUBLIC) == 0) {
            problems.add(hooks.name + " is not public: the JDK classes could not call it");
        }
        Set<String> callable = new TreeSet<>();
        for (MethodNode method : hooks.methods) {
            if ((method.access & (Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC)) == (Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC)) {
                callable.add(method.name + method.desc);
            }
        }
        for (MethodNode method : after.methods) {
            for (AbstractInsnNode instruction : method.instructions) {
                if (instruction instanceof MethodInsnNode call && call.owner.equals(ExitHook.HOOKS)
                        && (call.getOpcode() != Opcodes.INVOKESTATIC || call.itf
                        || !callable.contains(call.name + call.desc))) {
                    problems.add(jdk + ": " + after.name + "." + method.name + method.desc + " calls "
                            + call.owner + "." + call.name + call.desc + ", which the hook class has not as a public"
                            + " static method");
                }
            }
        }
        return problems;
    }

    /** Expected hooks that no method of that name calls after the transformation. */
    private static List<String> missingHooks(String jdk, ClassNode after, Map<String, Set<String>> expected) {
        List<String> problems = new ArrayList<>();
        expected.forEach((methodName, hookNames) -> {
            Set<String> called = new TreeSet<>();
            for (MethodNode method : after.methods) {
                if (method.name.equals(methodName)) {
                    for (AbstractInsnNode instruction : method.instructions) {
                        if (instruction instanceof MethodInsnNode call && call.owner.equals(ExitHook.HOOKS)) {
                            called.add(call.name);
                        }
                    }
                }
            }
            if (!called.containsAll(hookNames)) {
                problems.add(jdk + ": " + after.name + "." + methodName + " calls hooks " + called + ", expected "
                        + new TreeSet<>(hookNames));
            }
        });
        return problems;
    }

    /** For a child JVM of another JDK: prints the problems and exits 1 if there are any, else prints OK. */
    public static void main(String[] args) throws IOException {
        List<String> problems = problems();
        if (problems.isEmpty()) {
            System.out.println("OK " + SocketInstrumentation.TARGETS.size() + " classes on JDK " + Runtime.version());
        } else {
            problems.forEach(System.out::println);
            System.exit(1);
        }
    }
}
