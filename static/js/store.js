// The one IndexedDB schema of Trivselsguiden, for the page (static/offline.js) and the
// service worker (static/sw.js, a module worker): the outbox (one encrypted record per
// assessment, by owner) and small meta values (the pending log-out). No DOM here.

export const DB_NAME = "trivselsguiden";
export const DB_VERSION = 1;
export const STORES = {
  outbox: {keyPath: "id", indexes: {owner: "owner"}},
  meta: {keyPath: "key", indexes: {}},
};

export function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      Object.entries(STORES).forEach(([name, spec]) => {
        if (db.objectStoreNames.contains(name)) { return; }
        const created = db.createObjectStore(name, {keyPath: spec.keyPath});
        Object.entries(spec.indexes).forEach(([index, path]) => created.createIndex(index, path));
      });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** One transaction on one store: ``fn(store)`` returns the request whose result resolves. */
export function transact(name, mode, fn) {
  if (typeof indexedDB === "undefined") { return Promise.reject(new Error("IndexedDB findes ikke")); }
  return openDb().then((db) => new Promise((resolve, reject) => {
    const tx = db.transaction(name, mode);
    const request = fn(tx.objectStore(name));
    tx.oncomplete = () => { db.close(); resolve(request ? request.result : undefined); };
    tx.onerror = () => { db.close(); reject(tx.error); };
    tx.onabort = () => { db.close(); reject(tx.error); };
  }));
}

export const outbox = {
  mine(owner) {
    if (!owner) { return Promise.resolve([]); }
    return transact("outbox", "readonly", (s) => s.index("owner").getAll(owner))
      .then((records) => (records || []).sort((a, b) => a.createdAt - b.createdAt));
  },
  get: (id) => transact("outbox", "readonly", (s) => s.get(id)),
  put: (record) => transact("outbox", "readwrite", (s) => s.put(record)),
  remove: (id) => transact("outbox", "readwrite", (s) => s.delete(id)),
  count: () => transact("outbox", "readonly", (s) => s.count()),
};

export const meta = {
  get: (key) => transact("meta", "readonly", (s) => s.get(key)),
  put: (value) => transact("meta", "readwrite", (s) => s.put(value)),
  remove: (key) => transact("meta", "readwrite", (s) => s.delete(key)),
};
