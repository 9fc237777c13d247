package io.linguaflow.analysis.experts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * JSON form of {@link ExpertNeurons.Result}: {@code {"k", "concepts": {concept: {lang: {"experts": [[flat_neuron_id,
 * ap], ...], "positives", "negatives"}}}, "overlap": {concept: {"<lang1>|<lang2>": {"shared", "shared_over_k",
 * "jaccard"}}}, "skipped": [{"concept", "lang", "positives", "negatives"}]}}.
 */
public final class ExpertsJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ExpertsJson() {
    }

    public static ObjectNode toJson(ExpertNeurons.Result r) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("k", r.k());
        ObjectNode concepts = o.putObject("concepts");
        for (Map.Entry<String, Map<String, ExpertNeurons.Ranking>> c : r.concepts().entrySet()) {
            ObjectNode byLang = concepts.putObject(c.getKey());
            c.getValue().forEach((lang, ranking) -> {
                ObjectNode l = byLang.putObject(lang);
                ArrayNode experts = l.putArray("experts");
                ranking.experts().forEach(x -> experts.addArray().add(x.neuron()).add(x.ap()));
                l.put("positives", ranking.positives());
                l.put("negatives", ranking.negatives());
            });
        }
        ObjectNode overlap = o.putObject("overlap");
        for (Map.Entry<String, List<ExpertNeurons.Overlap>> c : r.overlaps().entrySet()) {
            ObjectNode pairs = overlap.putObject(c.getKey());
            for (ExpertNeurons.Overlap x : c.getValue()) {
                ObjectNode p = pairs.putObject(x.a() + "|" + x.b());
                p.put("shared", x.shared());
                p.put("shared_over_k", x.sharedOverK());
                p.put("jaccard", x.jaccard());
            }
        }
        ArrayNode skipped = o.putArray("skipped");
        for (ExpertNeurons.Skipped s : r.skipped()) {
            skipped.addObject().put("concept", s.concept()).put("lang", s.language()).put("positives", s.positives())
                    .put("negatives", s.negatives());
        }
        return o;
    }

    public static void write(ExpertNeurons.Result r, Path file) throws IOException {
        MAPPER.writeValue(file.toFile(), toJson(r));
    }
}
