"""ofsted-kg: Ofsted's judgements on English councils' children's services as linked data."""

__version__ = "0.1.0"
