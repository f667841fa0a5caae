"""The matcher as a network service (`zktrade matcher serve`, issue 15): an ASGI app over the
v2 matcher and settlement coordinator, for traders on other machines.

    wire.py     request bodies: size and depth capped before parsing, every field checked
    limits.py   per-client token buckets
    verify.py   collateral proofs verified in batches in worker processes, fairly per client
    metrics.py  counters and histograms in Prometheus text format
    service.py  the matcher, its verifier and its background loop (expiry, settlement, chain)
    app.py      the routes
"""
