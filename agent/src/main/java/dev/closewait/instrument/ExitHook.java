package dev.closewait.instrument;

import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * The code inserted where a JDK method returns: push what the hook needs, call the hooks class
 * ({@code sun.nio.ch.ClosewaitSocketHooks}, the agent's {@code SocketHooks} defined in java.base). Every shape
 * leaves the operand stack as it found it and adds no branch (tests on return values happen inside the hook), so
 * the method's own stack map frames stay valid and nothing has to be recomputed or loaded to transform it.
 */
enum ExitHook {

    /** A client connection was made (or is pending) on {@code this}. */
    OPENED_CLIENT {
        @Override
        void emit(Site site) {
            site.loadThis();
            site.visitor.visitInsn(Opcodes.ICONST_0);
            site.call("opened", "(Ljava/lang/Object;Z)V");
        }
    },
    /** {@code this} was constructed for an accepted connection. */
    OPENED_ACCEPTED {
        @Override
        void emit(Site site) {
            site.loadThis();
            site.visitor.visitInsn(Opcodes.ICONST_1);
            site.call("opened", "(Ljava/lang/Object;Z)V");
        }
    },
    /** {@code NioSocketImpl.accept(SocketImpl)}: the argument is the accepted socket, filled in on exit. */
    ACCEPTED_ARGUMENT {
        @Override
        void emit(Site site) {
            site.loadArgument(0);
            site.visitor.visitInsn(Opcodes.ICONST_1);
            site.call("opened", "(Ljava/lang/Object;Z)V");
        }
    },
    /** {@code this}, a client channel, was constructed (not connected yet). */
    CREATED {
        @Override
        void emit(Site site) {
            site.loadThis();
            site.call("created", "(Ljava/lang/Object;)V");
        }
    },
    /** A pending connection completed; addresses are known now. */
    CONNECTED {
        @Override
        void emit(Site site) {
            site.loadThis();
            site.call("connected", "(Ljava/lang/Object;)V");
        }
    },
    /** {@code SocketChannel.connect()} and {@code finishConnect()} return true once connected. */
    CONNECTED_IF_TRUE {
        @Override
        void emit(Site site) {
            site.duplicateReturnValue();
            site.loadThis();
            site.call("connectReturned", "(ZLjava/lang/Object;)V");
        }
    },
    /** {@code this} is an SSL socket. */
    SECURED {
        @Override
        void emit(Site site) {
            site.loadThis();
            site.call("secured", "(Ljava/lang/Object;)V");
        }
    },
    /** {@code SSLServerSocket.accept()} returns an SSL socket. */
    SECURED_RETURN {
        @Override
        void emit(Site site) {
            site.duplicateReturnValue();
            site.call("secured", "(Ljava/lang/Object;)V");
        }
    },
    /** A read on {@code this} returned an int or long; the hook checks it for EOF. */
    END_OF_STREAM {
        @Override
        void emit(Site site) {
            site.duplicateReturnValue();
            site.loadThis();
            site.call("readReturned", "(" + site.returnType.getDescriptor() + "Ljava/lang/Object;)V");
        }
    },
    /** {@code SSLSocketImpl$AppInputStream.read}: a peer's close_notify surfaces only here; the socket is this$0. */
    SSL_END_OF_STREAM {
        @Override
        void emit(Site site) {
            site.duplicateReturnValue();
            site.loadThis();
            site.visitor.visitFieldInsn(Opcodes.GETFIELD, site.owner, "this$0", site.outerDescriptor);
            site.call("sslReadReturned", "(ILjava/lang/Object;)V");
        }
    },
    /** {@code IOUtil.read(fd, buffer(s), …, boolean async, int, NativeDispatcher)}: the flag is third from last. */
    ASYNC_END_OF_STREAM {
        @Override
        void emit(Site site) {
            site.duplicateReturnValue();
            site.loadArgument(0);
            site.loadArgument(site.arguments.length - 3);
            site.call("asyncReadReturned", "(" + site.returnType.getDescriptor() + "Ljava/lang/Object;Z)V");
        }
    },
    WROTE {
        @Override
        void emit(Site site) {
            site.loadThis();
            site.call("wrote", "(Ljava/lang/Object;)V");
        }
    },
    /** {@code IOUtil.write(fd, buffer(s), …, boolean async, int, NativeDispatcher)}. */
    ASYNC_WROTE {
        @Override
        void emit(Site site) {
            site.loadArgument(0);
            site.loadArgument(site.arguments.length - 3);
            site.call("asyncWrote", "(Ljava/lang/Object;Z)V");
        }
    },
    INPUT_SHUTDOWN {
        @Override
        void emit(Site site) {
            site.loadThis();
            site.call("inputShutdown", "(Ljava/lang/Object;)V");
        }
    },
    /** {@code Net.localAddress(fd)}: remembered for the open hook that follows on the same thread. */
    LOCAL_ADDRESS {
        @Override
        void emit(Site site) {
            site.duplicateReturnValue();
            site.loadArgument(0);
            site.call("localAddressReturned", "(Ljava/lang/Object;Ljava/lang/Object;)V");
        }
    },
    /** Also runs when close throws: the descriptor is released either way. */
    CLOSED {
        @Override
        void emit(Site site) {
            site.loadThis();
            site.call("closed", "(Ljava/lang/Object;)V");
        }

        @Override
        boolean alsoOnThrow() {
            return true;
        }
    };

    /** The class every inserted call names: {@code SocketHooks} as defined in java.base. */
    static final String HOOKS = HooksClassFile.INTERNAL_NAME;

    abstract void emit(Site site);

    boolean alsoOnThrow() {
        return false;
    }

    /** The method being instrumented, as the emitted code needs it. */
    static final class Site {
        final MethodVisitor visitor;
        final String owner;
        final boolean isStatic;
        final Type[] arguments;
        final Type returnType;
        /** The descriptor of an inner class's {@code this$0} field, or null. */
        final String outerDescriptor;

        Site(MethodVisitor visitor, String owner, int access, String descriptor, String outerDescriptor) {
            this.visitor = visitor;
            this.owner = owner;
            this.isStatic = (access & Opcodes.ACC_STATIC) != 0;
            this.arguments = Type.getArgumentTypes(descriptor);
            this.returnType = Type.getReturnType(descriptor);
            this.outerDescriptor = outerDescriptor;
        }

        void loadThis() {
            visitor.visitVarInsn(Opcodes.ALOAD, 0);
        }

        void loadArgument(int index) {
            int slot = isStatic ? 0 : 1;
            for (int i = 0; i < index; i++) {
                slot += arguments[i].getSize();
            }
            visitor.visitVarInsn(arguments[index].getOpcode(Opcodes.ILOAD), slot);
        }

        void duplicateReturnValue() {
            visitor.visitInsn(returnType.getSize() == 2 ? Opcodes.DUP2 : Opcodes.DUP);
        }

        void call(String method, String descriptor) {
            visitor.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, method, descriptor, false);
        }
    }
}
