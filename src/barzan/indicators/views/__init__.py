"""Pages of the indicators app, one module per part: catalogue, entry, imports, profile."""
