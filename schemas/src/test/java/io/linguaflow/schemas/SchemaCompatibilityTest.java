package io.linguaflow.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

/**
 * Every schema must stay BACKWARD compatible with its previous released version (the registry's default rule):
 * a consumer on the current schema reads everything written with the released one. {@code schemas/released/} holds
 * the .avsc files of the last release; copy {@code src/main/avro} there when releasing.
 */
class SchemaCompatibilityTest {

    private static final Path RELEASED = Path.of("released");
    private static final Path CURRENT = Path.of("src/main/avro");

    @Test
    void everySchemaReadsDataOfItsReleasedVersion() throws IOException {
        List<String> problems = new ArrayList<>();
        List<Path> released;
        try (Stream<Path> files = Files.list(RELEASED)) {
            released = files.filter(p -> p.toString().endsWith(".avsc")).sorted().toList();
        }
        assertFalse(released.isEmpty(), "no released schemas under " + RELEASED.toAbsolutePath());
        for (Path old : released) {
            Path now = CURRENT.resolve(old.getFileName());
            if (!Files.exists(now)) {
                problems.add(old.getFileName() + ": released record was removed from " + CURRENT);
                continue;
            }
            Schema writer = parse(old);
            Schema reader = parse(now);
            if (!writer.getFullName().equals(reader.getFullName())) {
                problems.add(now + ": record renamed from " + writer.getFullName() + " to " + reader.getFullName());
            }
            backwardIncompatibility(reader, writer).ifPresent(p -> problems.add(now + ": " + p));
        }
        assertTrue(problems.isEmpty(), "schema changes that break consumers:\n" + String.join("\n", problems));
    }

    @Test
    void theCheckCatchesBreakingChangesAndAcceptsSafeOnes() throws IOException {
        Schema released = parse(RELEASED.resolve("Sentence.avsc"));
        String text = released.toString();
        Schema requiredFieldAdded = new Schema.Parser().parse(text.replace("\"fields\":[",
                "\"fields\":[{\"name\":\"script\",\"type\":\"string\"},"));
        Schema typeChanged = new Schema.Parser().parse(text.replace(
                "{\"name\":\"index\",\"type\":\"int\"", "{\"name\":\"index\",\"type\":\"string\""));
        Schema optionalFieldAdded = new Schema.Parser().parse(text.replace("\"fields\":[",
                "\"fields\":[{\"name\":\"script\",\"type\":[\"null\",\"string\"],\"default\":null},"));
        assertTrue(backwardIncompatibility(requiredFieldAdded, released).orElse("").contains("script"));
        assertTrue(backwardIncompatibility(typeChanged, released).isPresent());
        assertEquals(Optional.empty(), backwardIncompatibility(optionalFieldAdded, released));
    }

    /** Why {@code reader} cannot read data written with {@code writer}, if it cannot. */
    private static Optional<String> backwardIncompatibility(Schema reader, Schema writer) {
        SchemaCompatibility.SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
            return Optional.empty();
        }
        return Optional.of(result.getResult().getIncompatibilities().stream()
                .map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage())
                .reduce((a, b) -> a + "; " + b).orElse(result.getDescription()));
    }

    private static Schema parse(Path file) throws IOException {
        return new Schema.Parser().parse(file.toFile());
    }
}
