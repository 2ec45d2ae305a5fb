// the studio's entry: sign-in, hash routing between the jobs list and a job page
import { gql, loadConfig, session } from "./api.js";
import { clearAlert, h, showError } from "./dom.js";
import { renderJobs } from "./views.js";

const main = document.getElementById("main");
let config = { devToken: null, maxUploadBytes: 0, allowedTypes: {} };
let cleanup = () => {};

async function signedInAs() {
  if (!session.token) return null;
  const data = await gql("{ me }");
  return data.me;
}

function renderSignIn(message) {
  const input = h("input", {
    id: "token", name: "token", type: "password", autocomplete: "current-password",
    required: true, value: session.token || config.devToken || "",
    "aria-describedby": "token-help",
  });
  const form = h("form", { class: "card narrow", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, "Sign in"),
    h("label", { for: "token" }, "API token"),
    input,
    h("p", { id: "token-help", class: "muted" }, config.devToken
      ? "Development server: the dev token is filled in for you."
      : "Ask your media team for a token. It is kept in this browser only."),
    message ? h("p", { class: "error-text", role: "alert" }, message) : null,
    h("button", { type: "submit", class: "primary" }, "Sign in"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    session.token = input.value.trim();
    try {
      if (await signedInAs()) { location.hash = "#/"; route(); return; }
      session.clear();
      renderSignIn("That token was not accepted. Check it and try again.");
    } catch (err) {
      session.clear();
      showError(err);
    }
  });
  main.replaceChildren(form);
  input.focus();
}

async function route() {
  cleanup();
  cleanup = () => {};
  clearAlert();
  const nav = document.getElementById("nav");
  let owner = null;
  try {
    owner = await signedInAs();
  } catch (err) {
    showError(err);
  }
  if (!owner) {
    nav.hidden = true;
    renderSignIn();
    return;
  }
  nav.hidden = false;
  document.getElementById("who").textContent = `Signed in as ${owner}`;
  const match = location.hash.match(/^#\/jobs\/([\w-]+)/);
  if (match) {
    const { renderJob } = await import("./job.js");
    cleanup = await renderJob(main, match[1]);
  } else {
    cleanup = await renderJobs(main, config);
  }
  main.focus({ preventScroll: true });
}

document.getElementById("signout").addEventListener("click", () => {
  session.clear();
  location.hash = "#/";
  route();
});
window.addEventListener("hashchange", route);

loadConfig()
  .then((c) => { config = c; })
  .catch(() => {})
  .finally(() => {
    route().then(() => {
      performance.mark("studio-ready");
      document.documentElement.dataset.ready = "1";
    });
  });
