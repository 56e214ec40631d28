"""Catalog versions in the database: the shipped content imported, published versions served."""
