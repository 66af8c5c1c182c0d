"""The Oxigraph store: opening, staging and swapping, the query workers."""
