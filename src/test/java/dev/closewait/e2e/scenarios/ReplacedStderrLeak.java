package dev.closewait.e2e.scenarios;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

/**
 * An application that replaces {@code System.err} first thing in main, with a stream that throws ("throw") or blocks
 * forever ("block"), then leaks like {@link AcceptedSocketLeak}. The agent's start runs in the background after main
 * began, so its start line meets the replaced stream.
 */
public final class ReplacedStderrLeak {

    public static void main(String[] args) throws Exception {
        boolean block = args[0].equals("block");
        CountDownLatch never = new CountDownLatch(1);
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                if (block) {
                    try {
                        never.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                throw new IllegalStateException("this application's System.err refuses to write");
            }
        }, true));
        AcceptedSocketLeak.main(new String[0]);
    }
}
