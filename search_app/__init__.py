"""Panjereh's web app: search page, service pages and JSON API over one search function."""
