package io.linguaflow.ops.registry;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryServerProcessTest {

    @Test
    void missingClasspathIsNamedWithTheFix(@TempDir Path emptyHome) {
        IOException e = assertThrows(IOException.class,
                () -> RegistryServerProcess.start(emptyHome, "127.0.0.1", 1, emptyHome.resolve("work"), Duration.ofSeconds(5)));
        assertTrue(e.getMessage().contains(emptyHome.resolve(RegistryServerProcess.CLASSPATH_FILE).toString())
                && e.getMessage().contains("mvn -B -pl ops/registry-server package"), e.getMessage());
    }

    @Test
    void homeIsFoundAboveTheModule() {
        assertTrue(RegistryServerProcess.locateHome().resolve(RegistryServerProcess.CONFIG_FILE).toFile().isFile());
    }
}
