"""The web app (FastAPI): a JSON API under /api/v1 and HTML pages."""
