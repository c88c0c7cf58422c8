package dev.closewait.jdk;

import dev.closewait.bootstrap.JdkFields;
import dev.closewait.core.SocketProbe;

import java.io.FileDescriptor;
import java.lang.invoke.MethodHandle;
import java.net.SocketImpl;

/**
 * Asks the kernel about one tracked socket with a single poll(2) of its descriptor, timeout 0, through the JDK's
 * own {@code sun.nio.ch.Net.poll}: it never blocks, reads nothing and changes nothing (about 2 µs). Linux reports a
 * peer's FIN as POLLRDHUP, a reset or a connection closed both ways as POLLHUP (with POLLERR until the application
 * reads the error). The descriptor number is read before and after the poll, and the answer is dropped if it
 * changed, so a descriptor closed and reused meanwhile is never judged; the caller also checks the socket is still
 * open afterwards. Linux only, like the rest of the kernel view.
 */
public final class PollProbe implements SocketProbe {

    static final int POLLIN = 0x0001;
    static final int POLLERR = 0x0008;
    static final int POLLHUP = 0x0010;
    static final int POLLNVAL = 0x0020;
    static final int POLLRDHUP = 0x2000;

    private final MethodHandle poll;
    private final MethodHandle implFd;
    private final MethodHandle channelFd;
    private final MethodHandle descriptorFd;
    private final Class<?> channelImpl;

    private PollProbe() throws ReflectiveOperationException {
        poll = JdkFields.pollDescriptor();
        implFd = JdkFields.getter(SocketImpl.class, "fd");
        channelImpl = Class.forName("sun.nio.ch.SocketChannelImpl");
        channelFd = JdkFields.getter(channelImpl, "fd");
        descriptorFd = JdkFields.getter(FileDescriptor.class, "fd");
    }

    /** The probe, or an exception naming what this JDK lacks (then the kernel view cannot probe descriptors). */
    public static PollProbe create() throws ReflectiveOperationException {
        return new PollProbe();
    }

    @Override
    public Result probe(Object socket, int fd) {
        try {
            FileDescriptor descriptor = descriptorOf(socket);
            if (descriptor == null || (int) descriptorFd.invoke(descriptor) != fd) {
                return Result.UNKNOWN;
            }
            int revents = (int) poll.invokeExact(descriptor, POLLIN | POLLRDHUP, 0L);
            if ((int) descriptorFd.invoke(descriptor) != fd) {
                return Result.UNKNOWN; // closed while polled: the answer may be another socket's
            }
            return classify(revents);
        } catch (Throwable closedOrUnknown) {
            return Result.UNKNOWN;
        }
    }

    /** What poll's revents say of a connection; negative or POLLNVAL (no such descriptor): unknown. */
    static Result classify(int revents) {
        if (revents < 0 || (revents & POLLNVAL) != 0) {
            return Result.UNKNOWN;
        }
        if ((revents & (POLLHUP | POLLERR)) != 0) {
            return Result.CONNECTION_GONE;
        }
        if ((revents & POLLRDHUP) != 0) {
            return Result.PEER_CLOSED;
        }
        return Result.ALIVE;
    }

    private FileDescriptor descriptorOf(Object socket) throws Throwable {
        if (socket instanceof FileDescriptor descriptor) {
            return descriptor; // an asynchronous channel's key
        }
        if (socket instanceof SocketImpl) {
            return (FileDescriptor) implFd.invoke(socket);
        }
        if (channelImpl.isInstance(socket)) {
            return (FileDescriptor) channelFd.invoke(socket);
        }
        return null;
    }
}
