package dev.closewait.instrument;

import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import java.util.ArrayList;
import java.util.List;

/** Rewrites the methods of one JDK class that its rules name, inserting their exit hooks; copies the rest. */
final class ExitHookInserter extends ClassVisitor {

    private final List<MethodRule> rules;
    private String owner;
    private String outerDescriptor;
    private int hookedMethods;

    ExitHookInserter(ClassVisitor next, List<MethodRule> rules) {
        super(Opcodes.ASM9, next);
        this.rules = rules;
    }

    int hookedMethods() {
        return hookedMethods;
    }

    @Override
    public void visit(int version, int access, String name, String signature, String superName,
                      String[] interfaces) {
        owner = name;
        super.visit(version, access, name, signature, superName, interfaces);
    }

    // Fields come before methods in a class file, so this$0 is known when the methods are visited.
    @Override
    public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
        if (name.equals("this$0")) {
            outerDescriptor = descriptor;
        }
        return super.visitField(access, name, descriptor, signature, value);
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                     String[] exceptions) {
        MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
        if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
            return next;
        }
        Type[] arguments = Type.getArgumentTypes(descriptor);
        List<ExitHook> hooks = new ArrayList<>();
        for (MethodRule rule : rules) {
            if (rule.matches(name, arguments)) {
                hooks.addAll(rule.hooks());
            }
        }
        if (hooks.isEmpty()) {
            return next; // copied unchanged
        }
        hookedMethods++;
        return new Method(new ExitHook.Site(next, owner, access, descriptor, outerDescriptor), name, hooks);
    }

    private static final class Method extends MethodVisitor {
        private final ExitHook.Site site;
        private final List<ExitHook> hooks;
        private final List<ExitHook> onThrow = new ArrayList<>();
        private final Label start = new Label();

        Method(ExitHook.Site site, String name, List<ExitHook> hooks) {
            super(Opcodes.ASM9, site.visitor);
            this.site = site;
            this.hooks = hooks;
            for (ExitHook hook : hooks) {
                if (hook.alsoOnThrow()) {
                    onThrow.add(hook);
                }
            }
            if (!onThrow.isEmpty() && (site.isStatic || name.equals(MethodRule.CONSTRUCTOR))) {
                throw new IllegalStateException("hooks on throw are for instance methods only: " + name);
            }
        }

        @Override
        public void visitCode() {
            super.visitCode();
            if (!onThrow.isEmpty()) {
                super.visitLabel(start);
            }
        }

        @Override
        public void visitInsn(int opcode) {
            if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
                for (ExitHook hook : hooks) {
                    hook.emit(site);
                }
            }
            super.visitInsn(opcode);
        }

        /**
         * Hooks that must also run when the method throws get a catch-all handler after the body: run them, rethrow.
         * It is registered last, so the method's own handlers keep precedence. Its frame holds only this and the
         * arguments, which the hooked methods (close methods without arguments) never reassign.
         */
        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            if (!onThrow.isEmpty()) {
                Label end = new Label();
                Label handler = new Label();
                super.visitLabel(end);
                super.visitTryCatchBlock(start, end, handler, "java/lang/Throwable");
                super.visitLabel(handler);
                Object[] locals = locals();
                super.visitFrame(Opcodes.F_FULL, locals.length, locals, 1, new Object[] {"java/lang/Throwable"});
                for (ExitHook hook : onThrow) {
                    hook.emit(site);
                }
                super.visitInsn(Opcodes.ATHROW);
            }
            super.visitMaxs(maxStack, maxLocals);
        }

        private Object[] locals() {
            List<Object> locals = new ArrayList<>();
            locals.add(site.owner);
            for (Type argument : site.arguments) {
                locals.add(switch (argument.getSort()) {
                    case Type.BOOLEAN, Type.BYTE, Type.CHAR, Type.SHORT, Type.INT -> Opcodes.INTEGER;
                    case Type.FLOAT -> Opcodes.FLOAT;
                    case Type.LONG -> Opcodes.LONG;
                    case Type.DOUBLE -> Opcodes.DOUBLE;
                    case Type.ARRAY -> argument.getDescriptor();
                    default -> argument.getInternalName();
                });
            }
            return locals.toArray();
        }
    }
}
