package io.linguaflow.producers.corpus;

import io.linguaflow.producers.Rejection;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * The multilingual Bible corpus (Christodouloupoulos &amp; Steedman 2015): a directory of {@code *.xml} files, one
 * language each, verses as {@code <seg id="b.MAT.1.1" type="verse">}. The verse id is the meaning id; with the default
 * {@link IncompletePolicy#DROP} only verses present (and non-empty) in every language remain. An empty verse is
 * rejected (reported). Verses are in canonical order: books in the order the files give them (merged across files,
 * so a book missing from one translation still sorts in place), then chapter and verse numerically.
 *
 * <p>Language of a file: an explicit mapping by file name, else its ISO 639-3 code in the corpus' {@code
 * metadata.csv} beside the files (e.g. {@code swh} for Swahili), else the {@code iso639} attribute of the file's
 * {@code <language>} header (which says {@code ssw} for the Swahili file, hence the preference for metadata.csv).
 * Rows are language-major (the requested order, else alphabetical by code).
 */
public final class BibleXmlReader implements CorpusReader {

    private final Path dir;
    private final Map<String, String> langOfFile;

    /**
     * @param dir        directory of the corpus' XML files
     * @param langOfFile explicit file name → language code entries (may be empty)
     */
    public BibleXmlReader(Path dir, Map<String, String> langOfFile) {
        this.dir = dir;
        this.langOfFile = Map.copyOf(langOfFile);
    }

    /** A verse; {@code book}, {@code chapter} and {@code number} are the parts of {@code b.BOOK.chapter.verse}. */
    private record Verse(String id, String text, int line, String book, String chapter, String number) {
        static Verse of(String id, String text, int line) {
            String[] p = id.split("\\.");
            return new Verse(id, text, line, p.length > 1 ? p[1] : "", p.length > 2 ? p[2] : "", p.length > 3 ? p[3] : "");
        }
    }

    private record Book(String lang, Path file, List<Verse> verses) {
    }

    @Override
    public RawCorpus parse(CorpusOptions options) throws IOException {
        Map<String, String> metadata = readMetadata(dir.resolve("metadata.csv"));
        Map<String, Book> byLang = new HashMap<>();
        List<Rejection> malformed = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(f -> f.getFileName().toString().endsWith(".xml")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IOException(dir + ": no *.xml files");
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            String fixedLang = langOfFile.getOrDefault(name, metadata.get(name));
            if (fixedLang != null && !options.wants(fixedLang)) {
                continue;
            }
            Book book = read(f, fixedLang, malformed);
            if (!options.wants(book.lang())) {
                continue;
            }
            Book previous = byLang.put(book.lang(), book);
            if (previous != null) {
                throw new IOException(f + ": language '" + book.lang() + "' already read from " + previous.file());
            }
        }
        List<String> order = options.languages() != null ? options.languages()
                : byLang.keySet().stream().sorted().toList();
        Comparator<Verse> canonical = canonicalOrder(order.stream().filter(byLang::containsKey).map(byLang::get).toList());
        List<RawRow> rows = new ArrayList<>();
        for (String lang : order) {
            Book book = byLang.get(lang);
            if (book == null) {
                continue;
            }
            List<Verse> verses = new ArrayList<>(book.verses());
            verses.sort(canonical);
            for (Verse v : verses) {
                rows.add(new RawRow(v.id(), lang, v.text(), Texts.source(book.file(), v.line()), v.text()));
            }
        }
        return new RawCorpus(dir.toAbsolutePath().normalize().getFileName().toString(), rows, malformed);
    }

    private static Book read(Path file, String fixedLang, List<Rejection> malformed) throws IOException {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        String headerLang = null;
        List<Verse> verses = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            XMLStreamReader xml = factory.createXMLStreamReader(in);
            try {
                while (xml.hasNext()) {
                    if (xml.next() != XMLStreamConstants.START_ELEMENT) {
                        continue;
                    }
                    String element = xml.getLocalName();
                    if (element.equals("language") && headerLang == null) {
                        headerLang = xml.getAttributeValue(null, "iso639");
                    } else if (element.equals("seg") && "verse".equals(xml.getAttributeValue(null, "type"))) {
                        int line = xml.getLocation().getLineNumber();
                        String id = xml.getAttributeValue(null, "id");
                        String text = Texts.collapse(textOf(xml));
                        if (id == null || id.isBlank()) {
                            String source = Texts.source(file, line);
                            malformed.add(new Rejection(source, "MalformedRow", source + ": verse without an id", null, text));
                        } else {
                            verses.add(Verse.of(id, text, line));
                        }
                    }
                }
            } finally {
                xml.close();
            }
        } catch (XMLStreamException e) {
            int line = e.getLocation() == null ? -1 : e.getLocation().getLineNumber();
            throw new IOException(file + ":" + line + ": not well-formed XML: " + e.getMessage(), e);
        }
        String lang = fixedLang != null ? fixedLang : headerLang;
        if (lang == null) {
            throw new IOException(file + ": no language (no mapping, no metadata.csv entry, no <language iso639=...>)");
        }
        return new Book(lang, file, verses);
    }

    /** All character content up to the end of the current element. */
    private static String textOf(XMLStreamReader xml) throws XMLStreamException {
        StringBuilder sb = new StringBuilder();
        int depth = 1;
        while (depth > 0) {
            int event = xml.next();
            if (event == XMLStreamConstants.START_ELEMENT) {
                depth++;
            } else if (event == XMLStreamConstants.END_ELEMENT) {
                depth--;
            } else if (event == XMLStreamConstants.CHARACTERS || event == XMLStreamConstants.CDATA) {
                sb.append(xml.getText());
            }
        }
        return sb.toString();
    }

    /**
     * Books ranked by merging the files' book sequences (a book new to the merge goes right after its predecessor
     * in that file), then chapter and verse compared numerically where they are numbers.
     */
    private static Comparator<Verse> canonicalOrder(List<Book> books) {
        List<String> merged = new ArrayList<>();
        for (Book b : books) {
            String previous = null;
            for (Verse v : b.verses()) {
                if (!v.book().equals(previous) && !merged.contains(v.book())) {
                    merged.add(previous == null ? 0 : merged.indexOf(previous) + 1, v.book());
                }
                previous = v.book();
            }
        }
        Map<String, Integer> rank = new HashMap<>();
        for (int i = 0; i < merged.size(); i++) {
            rank.put(merged.get(i), i);
        }
        return Comparator.comparingInt((Verse v) -> rank.get(v.book()))
                .thenComparing(Verse::chapter, BibleXmlReader::compareNumeric)
                .thenComparing(Verse::number, BibleXmlReader::compareNumeric);
    }

    private static int compareNumeric(String a, String b) {
        boolean na = isNumber(a);
        boolean nb = isNumber(b);
        if (na && nb) {
            return Integer.compare(Integer.parseInt(a), Integer.parseInt(b));
        }
        return na != nb ? (na ? -1 : 1) : a.compareTo(b);
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.length() <= 9 && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** {@code Filename → ISO_639-3} from the corpus' metadata.csv (its first two columns), or empty. */
    private static Map<String, String> readMetadata(Path csv) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(csv)) {
            return out;
        }
        List<String> lines = Texts.readLines(csv);
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", 3);
            if (f.length >= 2 && !f[0].isBlank() && !f[1].isBlank()) {
                out.put(f[0].strip(), f[1].strip());
            }
        }
        return out;
    }
}
