"""Statements as files: CSV tables (``tables``) and PDF documents (``pdf``) of the JSON the routes answer."""
