package io.linguaflow.streams.aggregator;

import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A store that is its own write-back cache ({@link GroupSumsStore}, {@link WriteBackStore}) over an inner key-value store
 * built changelogged and without Kafka's record cache: changes wait in memory until {@link #flushCache()} writes them
 * into the inner store. Kafka Streams calls it in {@code StreamTask.prepareCommit}, before the record collector is
 * flushed and the transaction commits; under exactly-once that is the only store hook before a commit ({@link #flush()}
 * runs only at checkpoints), which is why these stores implement Kafka Streams' {@link CachedStateStore}, as its own
 * caching stores do (docs/state-layout.md).
 *
 * <p>The inner store is initialised with this store as root, so the state manager registers, flushes and closes this
 * store, and a restore writes into the inner store; the cache is empty then (cleared on init, on close and on recycle).
 */
abstract class OwnCacheStore<V> implements StateStore, CachedStateStore<String, V> {

    protected final KeyValueStore<String, V> inner;

    OwnCacheStore(KeyValueStore<String, V> inner) {
        this.inner = inner;
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<String, V> listener, boolean sendOldValues) {
        return false; // nothing downstream reads these stores' changes
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        clearCache();
        inner.init(context, root); // root is this store: the state manager registers, flushes and closes it
    }

    @Override
    public void flush() {
        flushCache();
        inner.flush();
    }

    @Override
    public void close() {
        clearCache(); // uncommitted changes are dropped: the records that made them are processed again
        inner.close();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public boolean persistent() {
        return inner.persistent();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public Position getPosition() {
        return inner.getPosition();
    }

    /** Interactive queries v2 read the inner store: the state as of the last commit. */
    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return inner.query(query, positionBound, config);
    }

    /** Builds the inner store (changelogged, no Kafka record cache: the outer store is the cache) and wraps it. */
    static final class Builder<S extends StateStore, I extends StateStore> implements StoreBuilder<S> {

        private final StoreBuilder<I> inner;
        private final Function<I, S> wrap;

        Builder(StoreBuilder<I> inner, Function<I, S> wrap) {
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
}
