"""Persian text analysis shared by the indexer and the search app (index and query time alike)."""
from analyzers.normalize import normalize, normalize_query

__all__ = ["normalize", "normalize_query"]
