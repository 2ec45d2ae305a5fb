// tiny DOM helpers: elements are built, never parsed from strings (no injection from data)
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === "class") el.className = value;
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clock(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "–";
  const s = Math.max(0, seconds);
  const m = Math.floor(s / 60);
  const rest = (s - m * 60).toFixed(1).padStart(4, "0");
  return `${m}:${rest}`;
}

export function eta(seconds) {
  if (seconds === null || seconds === undefined) return "";
  if (seconds < 60) return `about ${Math.max(1, Math.round(seconds))} s left`;
  return `about ${Math.round(seconds / 60)} min left`;
}

export function bytes(n) {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(n / 1e3))} kB`;
}

let alertTimer = null;
export function showError(err) {
  const box = document.getElementById("alert");
  box.replaceChildren(
    h("strong", {}, err.message || String(err)),
    err.advice ? h("span", {}, " ", err.advice) : null,
    h("button", { type: "button", class: "link", "aria-label": "Dismiss message",
      onclick: () => { box.hidden = true; } }, "Dismiss"),
  );
  box.className = "alert error";
  box.hidden = false;
  clearTimeout(alertTimer);
}

export function showNotice(text) {
  const box = document.getElementById("alert");
  box.replaceChildren(h("span", {}, text));
  box.className = "alert notice";
  box.hidden = false;
  clearTimeout(alertTimer);
  alertTimer = setTimeout(() => { box.hidden = true; }, 6000);
}

export function clearAlert() {
  document.getElementById("alert").hidden = true;
}
