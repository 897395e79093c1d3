"""
Geography: the tree of areas from the country down to the neighborhood.

`Area` rows form a tree whose levels (`AreaLevel`) are data, not code. Each area keeps
its materialised `path` (`/1/12/305/`), maintained only by `geo.actions`, so that a
subtree is one indexed `path__startswith` query.
"""
