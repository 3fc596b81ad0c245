"""Evaluating many customers: the event files cut into shards of whole customers, each shard
read, checked and evaluated on its own (in this process, in worker processes, or on a Dask
cluster), then the contract ceiling in one pass over every line and the outputs put
together in customer order. The same bytes come out for any number of shards.

``plan`` cuts the input; ``shard`` is what one shard does; ``ceiling`` is the one pass the
shards share; ``render`` writes customers as they stream; ``run`` puts it together.
See docs/scale.md.
"""
