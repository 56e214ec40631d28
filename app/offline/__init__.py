"""Offline support: the service worker, the guide for offline use, per-user device keys and
the sync of work captured on a tablet (docs/offline.md). The Idempotency-Key store that makes a
sync safe to repeat is ``app.idempotency``."""
