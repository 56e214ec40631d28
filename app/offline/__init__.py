"""Offline support: the Idempotency-Key store (and, later, the service worker)."""
