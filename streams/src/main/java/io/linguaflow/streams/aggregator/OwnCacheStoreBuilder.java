package io.linguaflow.streams.aggregator;

import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Builds a store that is its own write-back cache ({@link GroupSumsStore}, {@link WriteBackStore}) around an inner
 * store built changelogged and without Kafka's record cache: the outer store is the root the state manager registers,
 * the inner one's changelog is what a restore replays.
 */
final class OwnCacheStoreBuilder<S extends StateStore, I extends StateStore> implements StoreBuilder<S> {

    private final StoreBuilder<I> inner;
    private final Function<I, S> wrap;

    OwnCacheStoreBuilder(StoreBuilder<I> inner, Function<I, S> wrap) {
        this.inner = inner.withCachingDisabled();
        this.wrap = wrap;
    }

    @Override
    public StoreBuilder<S> withCachingEnabled() {
        throw new UnsupportedOperationException("store " + name() + " is its own cache");
    }

    @Override
    public StoreBuilder<S> withCachingDisabled() {
        return this;
    }

    @Override
    public StoreBuilder<S> withLoggingEnabled(Map<String, String> config) {
        inner.withLoggingEnabled(config);
        return this;
    }

    @Override
    public StoreBuilder<S> withLoggingDisabled() {
        throw new UnsupportedOperationException("store " + name() + " must be changelogged: exactly-once restores it from the changelog");
    }

    @Override
    public S build() {
        return wrap.apply(inner.build());
    }

    @Override
    public Map<String, String> logConfig() {
        return inner.logConfig();
    }

    @Override
    public boolean loggingEnabled() {
        return inner.loggingEnabled();
    }

    @Override
    public String name() {
        return inner.name();
    }
}
