"""The build: the source files, OWL 2 RL reasoning, SHACL validation, and the pipeline."""
