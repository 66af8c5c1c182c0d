"""The web app: the route table, the protocol endpoints, the pages."""
