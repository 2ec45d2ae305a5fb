// the jobs screen: upload (drag and drop, checked before sending, real progress) and the list
import { gql, ok, watchJob } from "./api.js";
import { bytes, eta, h, showError, showNotice } from "./dom.js";
import { explain } from "./errors.js";

const JOBS = `query { jobs(first: 50) { nodes { id filename status stage progress etaSeconds
  message createdAt error { code message } } } }`;
const CREATE = `mutation($input: CreateUploadInput!) { createUpload(input: $input) {
  __typename ... on UploadTicket { job { id } mediaUploadUrl uploadHeaders }
  ... on ValidationError { code message field } ... on QuotaExceededError { code message
  retryAfterSeconds } ... on AuthError { code message } } }`;
const CANCEL = `mutation($id: ID!) { cancelJob(id: $id) { __typename
  ... on JobResult { job { id status } } ... on ValidationError { code message }
  ... on NotFoundError { code message } ... on AuthError { code message } } }`;
const DELETE = `mutation($id: ID!) { deleteJob(id: $id) { __typename ... on Deleted { id }
  ... on NotFoundError { code message } ... on AuthError { code message } } }`;

// what the browser may report for a file, per extension; the server decides in the end
export function checkFile(file, config) {
  const ext = (file.name.split(".").pop() || "").toLowerCase();
  const allowed = config.allowedTypes || {};
  const names = Object.keys(allowed).map((e) => `.${e}`).join(", ");
  if (!file.name.includes(".") || !allowed[ext]) {
    return { error: `“${file.name}” is not a video we can process.`,
      advice: `Pick a lecture recording (${names}).` };
  }
  if (file.type && !file.type.startsWith("video/")) {
    return { error: `“${file.name}” is a ${file.type} file, not a video.`,
      advice: `Pick a lecture recording (${names}).` };
  }
  if (file.size <= 0) return { error: `“${file.name}” is empty.`, advice: "Pick the recording itself." };
  if (config.maxUploadBytes && file.size > config.maxUploadBytes) {
    return { error: `“${file.name}” is ${bytes(file.size)}; the limit is ${bytes(config.maxUploadBytes)}.`,
      advice: "Compress the recording or split it into parts." };
  }
  const type = allowed[ext].includes(file.type) ? file.type : allowed[ext][0];
  return { type };
}

function put(url, headers, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    for (const [k, v] of Object.entries(headers || {})) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve()
      : reject(explain({ code: "UPLOAD_FAILED", message: `The upload was refused (${xhr.status}).` })));
    xhr.onerror = () => reject(explain({ code: "UPLOAD_FAILED", message: "The upload was interrupted." }));
    xhr.send(file);
  });
}

function field(id, label, input) {
  input.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, label), input);
}

function uploadCard(config, onUploaded) {
  // the drop zone is the keyboard's way in (Enter or Space), so the input leaves the tab order
  const picker = h("input", { type: "file", id: "file", accept: "video/*",
    class: "visually-hidden", tabindex: -1 });
  const chosen = h("p", { class: "muted", id: "chosen", "aria-live": "polite" }, "No file chosen.");
  const zone = h("div", { class: "drop", tabindex: "0", role: "button", id: "dropzone",
    "aria-describedby": "chosen",
    "aria-label": "Choose a lecture video, or drop it here" },
    h("strong", {}, "Drop a lecture video here"), h("span", {}, " or press to choose a file"));
  const maxClips = h("input", { type: "number", min: 1, max: 20, value: 5, name: "maxClips" });
  const minS = h("input", { type: "number", min: 5, max: 600, value: 20, name: "minSeconds" });
  const maxS = h("input", { type: "number", min: 5, max: 600, value: 90, name: "maxSeconds" });
  const layout = h("select", { name: "layout" }, ["auto", "split", "screen", "camera"]
    .map((v) => h("option", { value: v.toUpperCase() }, v)));
  const style = h("select", { name: "captionStyle" }, ["standard", "karaoke", "none"]
    .map((v) => h("option", { value: v.toUpperCase() }, v)));
  const bar = h("progress", { id: "upload-progress", max: 100, value: 0,
    "aria-label": "Upload progress" });
  const barText = h("span", { class: "muted", "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "primary", disabled: true }, "Upload");
  let file = null;

  const choose = (f) => {
    const check = checkFile(f, config);
    if (check.error) {
      file = null;
      submit.disabled = true;
      chosen.textContent = check.error;
      showError({ message: check.error, advice: check.advice });
      return;
    }
    file = f;
    chosen.textContent = `${f.name} (${bytes(f.size)}) is ready to upload.`;
    submit.disabled = false;
  };
  picker.addEventListener("change", () => { if (picker.files[0]) choose(picker.files[0]); });
  zone.addEventListener("click", () => picker.click());
  zone.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); picker.click(); }
  });
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    if (e.dataTransfer.files[0]) choose(e.dataTransfer.files[0]);
  });

  const form = h("form", { class: "card", "aria-labelledby": "upload-title" },
    h("h2", { id: "upload-title" }, "New lecture"),
    h("label", { for: "file", class: "visually-hidden" }, "Lecture video file"), picker, zone, chosen,
    h("fieldset", { class: "options" }, h("legend", {}, "Options"),
      field("opt-clips", "Clips", maxClips), field("opt-min", "Shortest clip (s)", minS),
      field("opt-max", "Longest clip (s)", maxS), field("opt-layout", "Layout", layout),
      field("opt-style", "Captions", style)),
    h("div", { class: "row" }, submit, bar, barText));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!file) return;
    const check = checkFile(file, config);
    submit.disabled = true;
    try {
      const data = await gql(CREATE, { input: {
        filename: file.name, contentType: check.type, sizeBytes: file.size,
        options: { maxClips: Number(maxClips.value), minSeconds: Number(minS.value),
          maxSeconds: Number(maxS.value), layout: layout.value, captionStyle: style.value },
      } });
      const ticket = ok(data.createUpload, "UploadTicket");
      await put(ticket.mediaUploadUrl, ticket.uploadHeaders, file, (f) => {
        bar.value = Math.round(f * 100);
        barText.textContent = `${Math.round(f * 100)} % sent`;
      });
      bar.value = 100;
      barText.textContent = "Uploaded: processing starts in a few seconds.";
      showNotice(`${file.name} uploaded. Its progress shows in the list below.`);
      file = null;
      chosen.textContent = "No file chosen.";
      onUploaded(ticket.job.id);
    } catch (err) {
      showError(err);
      submit.disabled = false;
    }
  });
  return form;
}

function jobRow(job, refresh) {
  const bar = h("progress", { max: 100, value: job.progress, "aria-label": `Progress of ${job.filename}` });
  const status = h("span", { class: `badge ${job.status.toLowerCase()}` }, job.status.toLowerCase());
  const detail = h("span", { class: "muted detail" });
  const conn = h("span", { class: "conn muted", "aria-live": "polite" });
  const show = (ev) => {
    status.textContent = ev.status.toLowerCase();
    status.className = `badge ${ev.status.toLowerCase()}`;
    bar.value = ev.percent ?? ev.progress ?? 0;
    detail.textContent = [ev.stage, ev.message, eta(ev.etaSeconds)].filter(Boolean).join(" · ");
  };
  show({ ...job, percent: job.progress });
  const actions = h("div", { class: "actions" },
    h("a", { href: `#/jobs/${job.id}`, class: "button" }, "Open"));
  const terminal = ["DONE", "FAILED", "CANCELLED"];
  if (!terminal.includes(job.status)) {
    actions.append(h("button", { type: "button", onclick: async () => {
      try { ok((await gql(CANCEL, { id: job.id })).cancelJob, "JobResult"); refresh(); }
      catch (err) { showError(err); }
    } }, "Cancel"));
  }
  actions.append(h("button", { type: "button", class: "danger", onclick: async () => {
    if (!confirm(`Delete ${job.filename} and all its clips?`)) return;
    try { ok((await gql(DELETE, { id: job.id })).deleteJob, "Deleted"); refresh(); }
    catch (err) { showError(err); }
  } }, "Delete"));
  const failure = job.error ? h("p", { class: "error-text" },
    `${job.error.code}: ${job.error.message}`) : null;
  const row = h("li", { class: "job", "data-job": job.id, "data-status": job.status },
    h("div", { class: "job-head" }, h("a", { href: `#/jobs/${job.id}`, class: "name" }, job.filename),
      status),
    bar, detail, conn, failure, actions);
  let watcher = null;
  if (!terminal.includes(job.status)) {
    watcher = watchJob(job.id, (ev) => {
      show(ev);
      row.dataset.status = ev.status;
      if (terminal.includes(ev.status)) refresh();
    }, (state) => {
      conn.textContent = state === "reconnecting" ? "connection lost: reconnecting…" : "";
      row.dataset.conn = state;
    });
  }
  return { row, stop: () => watcher && watcher.stop() };
}

export async function renderJobs(main, config) {
  const list = h("ul", { class: "jobs", id: "job-list", "aria-label": "Your jobs" });
  let rows = [];
  const refresh = async () => {
    try {
      const data = await gql(JOBS);
      rows.forEach((r) => r.stop());
      rows = data.jobs.nodes.map((job) => jobRow(job, refresh));
      list.replaceChildren(...rows.map((r) => r.row));
      if (!rows.length) list.append(h("li", { class: "muted" }, "No jobs yet: upload a lecture above."));
    } catch (err) {
      showError(err);
    }
  };
  main.replaceChildren(
    h("h1", {}, "Your lectures"),
    uploadCard(config, refresh),
    h("section", { class: "card", "aria-labelledby": "jobs-title" },
      h("h2", { id: "jobs-title" }, "Jobs"), list));
  await refresh();
  return () => rows.forEach((r) => r.stop());
}
