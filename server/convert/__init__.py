"""The official record: the converter from the tables in data/ to graph/official/ and
graph/identity/."""
