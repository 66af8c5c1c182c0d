"""Dereferenceable IRIs and the pages about them.

routes.py     the blueprint: /id/ (303), /graph/, /doc/ (negotiation, 304s, the 404 page)
describe.py   the data: a resource's description (its RDF forms), the query function
views.py      what each kind of page shows, as plain data (no Flask)
labels.py     labels, dates as vague as they are, links on this host, the source catalogue
chart.py      the SVG timeline's geometry
bodies.py     rendered bodies kept per dataset version
queries/      every SPARQL query of the pages, one .rq file each, and the loader that fills
              in their parameters
"""
