# The allocator of the worker's JVM (sourced by ops/linguaflow and ops/bench/worker/run). libtorch frees and
# re-allocates every block's intermediates per batch; glibc's malloc keeps the freed ones in fragmented heaps, so the
# worker's RSS grew with the run (1.13x HF's peak after 36 rows x 3 passes of bloom-560m), while jemalloc reuses them.
# Its purging of unused pages is off: purging made every batch fault fresh pages in (0.8x HF's tokens/s), while
# without it the peak stays within a few % of HF's and tokens/s above (measured in ops/bench/README.md).
JEMALLOC=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
JEMALLOC_CONF="narenas:1,dirty_decay_ms:-1,muzzy_decay_ms:-1,oversize_threshold:0"
