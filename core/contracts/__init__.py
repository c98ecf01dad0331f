"""Contracts: the contract value, loading files (formats, limits), extracting text, analysis, demo data."""
