"""Where the endpoint's data lives: the embedded store or a remote SPARQL server."""
