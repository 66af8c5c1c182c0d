"""RDF itself: namespaces, formats, terms, the Turtle writer, SPARQL text, limits on documents."""
