package io.linguaflow.training.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A byte-level BPE tokenizer as BLOOM's: special tokens {@code <unk> <s> </s> <pad>} = ids 0..3, then the 256 byte
 * symbols, then one token per learned merge. {@link #encode} is what HF's tokenizers library computes from the
 * {@code tokenizer.json} that {@link #write} produces (no BOS/EOS added, as BLOOM).
 */
public final class BpeTokenizer {

    public static final List<String> SPECIAL = List.of("<unk>", "<s>", "</s>", "<pad>");
    public static final int BOS = 1;
    public static final int EOS = 2;
    public static final int PAD = 3;

    /** A merge rule: the adjacent symbols {@code left right} become {@code left + right}. */
    public record Merge(String left, String right) {
        String joined() {
            return left + right;
        }
    }

    private final Map<String, Integer> vocab;
    private final List<Merge> merges;
    private final Map<Merge, Integer> rank = new HashMap<>();

    BpeTokenizer(List<Merge> merges) {
        Map<String, Integer> v = new LinkedHashMap<>();
        SPECIAL.forEach(s -> v.put(s, v.size()));
        for (char c : ByteLevel.BYTE_TO_CHAR) {
            v.put(String.valueOf(c), v.size());
        }
        for (Merge m : merges) {
            v.putIfAbsent(m.joined(), v.size());
            rank.putIfAbsent(m, rank.size());
        }
        this.vocab = Collections.unmodifiableMap(v);
        this.merges = List.copyOf(merges);
    }

    public int vocabSize() {
        return vocab.size();
    }

    public List<Merge> merges() {
        return merges;
    }

    /** Token ids of {@code text}. */
    public int[] encode(String text) {
        List<Integer> ids = new ArrayList<>();
        for (String piece : ByteLevel.pieces(text)) {
            for (String symbol : mergePiece(piece)) {
                ids.add(vocab.get(symbol));
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Applies the merges to one piece: always the lowest-ranked adjacent pair, leftmost first (HF's order). */
    private List<String> mergePiece(String piece) {
        List<String> symbols = new ArrayList<>(piece.length());
        piece.chars().forEach(c -> symbols.add(String.valueOf((char) c)));
        while (symbols.size() > 1) {
            int best = -1;
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer r = rank.get(new Merge(symbols.get(i), symbols.get(i + 1)));
                if (r != null && r < bestRank) {
                    bestRank = r;
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            symbols.set(best, symbols.get(best) + symbols.remove(best + 1));
        }
        return symbols;
    }

    /** Writes HF's {@code tokenizer.json}, {@code tokenizer_config.json} and {@code special_tokens_map.json}. */
    public void write(Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode t = json.createObjectNode();
        t.put("version", "1.0");
        t.putNull("truncation");
        t.putNull("padding");
        ArrayNode added = t.putArray("added_tokens");
        for (int i = 0; i < SPECIAL.size(); i++) {
            added.addObject().put("id", i).put("content", SPECIAL.get(i)).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        }
        t.putNull("normalizer");
        byteLevel(t.putObject("pre_tokenizer"));
        t.putNull("post_processor");
        byteLevel(t.putObject("decoder"));
        ObjectNode model = t.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.put("unk_token", SPECIAL.get(0));
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode v = model.putObject("vocab");
        vocab.forEach(v::put);
        ArrayNode m = model.putArray("merges");
        merges.forEach(p -> m.addArray().add(p.left()).add(p.right()));
        json.writeValue(dir.resolve("tokenizer.json").toFile(), t);

        ObjectNode special = json.createObjectNode();
        special.put("bos_token", SPECIAL.get(BOS)).put("eos_token", SPECIAL.get(EOS))
                .put("unk_token", SPECIAL.get(0)).put("pad_token", SPECIAL.get(PAD));
        json.writeValue(dir.resolve("special_tokens_map.json").toFile(), special);
        ObjectNode config = special.deepCopy();
        config.put("tokenizer_class", "BloomTokenizerFast").put("add_prefix_space", false)
                .put("clean_up_tokenization_spaces", false).put("model_max_length", 2048)
                .put("padding_side", "left");
        json.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
    }

    private static void byteLevel(ObjectNode n) {
        n.put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", true);
    }
}
