"""Search by text: councils, people, documents, claims, quotations, findings and inspections,
ranked, with a snippet of the match (``index.py``). Built on SQLite's FTS5 (in Python's standard
library), from the graph through a query function, so it follows whatever store it is given."""
