"""Claims about councils' children's services, checked against Ofsted's official record.

- ``model.py``: what a claim asserts (reported inspections, judgements, counts, rankings, changes)
  and what a check found, as plain data;
- ``record.py``: Ofsted's record as the rules read it, through a SPARQL query function;
- ``reading.py``: the claims of a graph, read into the model;
- ``rules/``: one module per kind of claim; each says what it matches, how it decides and why;
- ``checking.py``: every rule over every claim, one overall verdict per claim, as quads;
- ``intake.py``: a claim sent as JSON, validated, as the quads of its own named graph;
- ``review.py``: checks as schema.org ClaimReview (JSON-LD) and as CSV.

Nothing here touches a store directly: every read goes through a ``Select`` (a SPARQL SELECT in,
solutions out), so the build runs it over its in-memory graph and the server over the store it
serves. See docs/fact-checking.md.
"""
