// What every module of the page shares: the page's facts, its messages and two DOM helpers.
// See docs/offline.md.

export const MSG = {
  server: "Gemt på serveren",
  device: "Gemt på enheden – sendes når der er net",
  error: "Fejl – prøv igen",
  ended: "Du er blevet logget ud – log ind igen, så gemmes det, du har skrevet",
};

const body = document.body;
export const loggedIn = body.hasAttribute("data-session");
export const offlinePage = body.hasAttribute("data-offline-page");
export const hasIdb = typeof indexedDB !== "undefined";
export const hasCrypto = !!(window.crypto && window.crypto.subtle);

/** The session's CSRF token (HTMX sends it from <body hx-headers>; fetch() needs it too). */
export function csrfToken() {
  try {
    return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
  } catch (error) {
    console.warn("trivsel: hx-headers is not JSON", error);
    return "";
  }
}

export function byId(id) {
  return document.getElementById(id);
}

export function el(tag, attrs, text) {
  const node = document.createElement(tag);
  Object.keys(attrs || {}).forEach((name) => node.setAttribute(name, attrs[name]));
  if (text !== undefined && text !== null) { node.textContent = text; }
  return node;
}

/** A tree of [tag, attrs, ...children] (strings are text) as DOM nodes (static/js/summary.js). */
export function build(tree) {
  if (typeof tree === "string") { return document.createTextNode(tree); }
  const [tag, attrs, ...children] = tree;
  const node = el(tag, attrs);
  children.forEach((child) => node.appendChild(build(child)));
  return node;
}

/** Log a failure that the page survives (it is never swallowed without a line). */
export function logged(what) {
  return (error) => {
    console.warn("trivsel: " + what, error);
    return null;
  };
}
