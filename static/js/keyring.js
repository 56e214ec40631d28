// The owner's key: fetched from the server (or read from the questionnaire's never-cached
// page), held in memory only; records are sealed with AES-GCM, bound to owner and id.

import {hasCrypto, loggedIn} from "./page.js";

const OWNER_STORAGE = "trivsel-owner";
const KEY_URL = "/api/v1/offline/device-key";

export const keyring = {key: null, owner: null, loading: null};

function base64UrlBytes(text) {
  let b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  while (b64.length % 4) { b64 += "="; }
  const raw = atob(b64);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
  return bytes;
}

// The questionnaire carries the key in its (never cached) page, so that a tablet that loses
// the network right after loading it can still keep the work; other pages fetch it.
function keyInPage() {
  const holder = document.querySelector("[data-device-key]");
  if (!holder) { return null; }
  const data = {key: holder.getAttribute("data-device-key"), owner: holder.getAttribute("data-device-owner")};
  holder.removeAttribute("data-device-key");
  return data;
}

function fetchKey() {
  return fetch(KEY_URL, {credentials: "same-origin", cache: "no-store", headers: {Accept: "application/json"}})
    .then((response) => {
      if (!response.ok) { throw new Error("nøglen: " + response.status); }
      return response.json();
    });
}

export function storedOwner() {
  try {
    return localStorage.getItem(OWNER_STORAGE);
  } catch (error) {
    console.warn("trivsel: localStorage", error);
    return null;
  }
}

function rememberOwner(owner) {
  try {
    if (owner) { localStorage.setItem(OWNER_STORAGE, owner); } else { localStorage.removeItem(OWNER_STORAGE); }
  } catch (error) {
    console.warn("trivsel: localStorage (private mode?)", error);
  }
}

export function loadKey() {
  if (keyring.key) { return Promise.resolve(keyring); }
  if (!loggedIn || !hasCrypto) { return Promise.reject(new Error("ingen nøgle")); }
  if (!keyring.loading) {
    const inPage = keyInPage();
    keyring.loading = (inPage ? Promise.resolve(inPage) : fetchKey())
      .then((data) => crypto.subtle.importKey("raw", base64UrlBytes(data.key), {name: "AES-GCM"}, false, ["encrypt", "decrypt"])
        .then((key) => {
          keyring.key = key;
          keyring.owner = data.owner;
          rememberOwner(data.owner);
          return keyring;
        }))
      .catch((error) => { keyring.loading = null; throw error; });
  }
  return keyring.loading;
}

export function forgetKey() {
  keyring.key = null;
  keyring.owner = null;
  keyring.loading = null;
  rememberOwner(null);
}

function aad(record) { return new TextEncoder().encode(record.owner + "|" + record.id); }

export function seal(record, payload) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = new TextEncoder().encode(JSON.stringify(payload));
  return crypto.subtle.encrypt({name: "AES-GCM", iv, additionalData: aad(record)}, keyring.key, plain)
    .then((cipher) => { record.iv = iv; record.data = new Uint8Array(cipher); return record; });
}

export function unseal(record) {
  return crypto.subtle.decrypt({name: "AES-GCM", iv: record.iv, additionalData: aad(record)}, keyring.key, record.data)
    .then((plain) => JSON.parse(new TextDecoder().decode(plain)));
}

export function newId() {
  if (crypto.randomUUID) { return crypto.randomUUID(); }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.prototype.map.call(bytes, (b) => (b + 256).toString(16).slice(1)).join("");
}
