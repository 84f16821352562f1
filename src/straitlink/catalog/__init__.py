"""The reference catalogue: agencies, drugs, places and request types of both parties, and name lookup."""

from straitlink.catalog.loader import (
    FILES,
    KINDS,
    Catalog,
    CatalogError,
    CatalogKind,
    load_catalog,
    normalize_name,
)

__all__ = ["FILES", "KINDS", "Catalog", "CatalogError", "CatalogKind", "load_catalog", "normalize_name"]
