package dev.closewait.cli;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;

import java.util.List;
import java.util.Properties;

/** The JDK's attach API (module jdk.attach), the only class that touches it. */
class AttachApi {

    record Jvm(String pid, String name) {
    }

    /** A JVM attached to; detaches on close. */
    interface Session extends AutoCloseable {
        Properties systemProperties() throws Exception;

        void loadAgent(String jar, String options) throws Exception;

        @Override
        void close() throws Exception;
    }

    List<Jvm> list() {
        return VirtualMachine.list().stream()
                .map((VirtualMachineDescriptor vm) -> new Jvm(vm.id(), vm.displayName()))
                .toList();
    }

    Session attach(String pid) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(pid);
        return new Session() {
            @Override
            public Properties systemProperties() throws Exception {
                return vm.getSystemProperties();
            }

            @Override
            public void loadAgent(String jar, String options) throws Exception {
                vm.loadAgent(jar, options);
            }

            @Override
            public void close() throws Exception {
                vm.detach();
            }
        };
    }
}
