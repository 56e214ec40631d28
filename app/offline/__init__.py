"""Offline support: the service worker, the guide for offline use, per-user device keys, the
sync of work captured on a tablet, and the Idempotency-Key store (docs/offline.md)."""
