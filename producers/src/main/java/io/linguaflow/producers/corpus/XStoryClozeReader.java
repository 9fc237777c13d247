package io.linguaflow.producers.corpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * XStoryCloze as per-language evaluation text: a directory of {@code {lang}_eval.jsonl} files; each story's text is
 * {@code input_sentence_1..4} joined by single spaces (the context, without the candidate endings), its meaning id
 * the {@code story_id} (aligned across languages). Rows are language-major (the requested order, else
 * {@link Languages#defaultOrder}), then in file order.
 */
public final class XStoryClozeReader implements CorpusReader {

    public static final JsonlCorpusReader.Fields FIELDS = new JsonlCorpusReader.Fields("story_id", null,
            List.of("input_sentence_1", "input_sentence_2", "input_sentence_3", "input_sentence_4"));

    private static final Pattern FILE = Pattern.compile("(.+)_eval\\.jsonl");

    private final Path dir;

    public XStoryClozeReader(Path dir) {
        this.dir = dir;
    }

    @Override
    public RawCorpus parse(CorpusOptions options) throws IOException {
        Map<String, Path> fileOfLang = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                Matcher m = FILE.matcher(f.getFileName().toString());
                if (m.matches()) {
                    fileOfLang.put(m.group(1), f);
                }
            }
        }
        if (fileOfLang.isEmpty()) {
            throw new IOException(dir + ": no {lang}_eval.jsonl files");
        }
        List<String> order = options.languages() != null ? options.languages() : Languages.defaultOrder(fileOfLang.keySet());
        List<JsonlCorpusReader.Source> sources = new ArrayList<>();
        for (String lang : order) {
            if (fileOfLang.containsKey(lang)) {
                sources.add(new JsonlCorpusReader.Source(fileOfLang.get(lang), lang));
            }
        }
        String name = dir.toAbsolutePath().normalize().getFileName().toString();
        return new JsonlCorpusReader(name, sources, FIELDS).parse(options);
    }
}
