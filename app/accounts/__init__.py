"""Accounts: districts, institutions, users, roles, login and sessions."""
