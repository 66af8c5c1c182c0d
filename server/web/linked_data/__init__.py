"""Dereferenceable IRIs and the pages about them."""
