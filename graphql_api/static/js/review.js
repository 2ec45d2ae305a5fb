// review and fix one clip: trim or extend on sentence edges, retitle, fix captions, change look
import { gql, ok } from "./api.js";
import { clock, h, showError, showNotice } from "./dom.js";

const EDIT_RESULT = `__typename ... on ClipEditSaved { edit { index status } }
  ... on ValidationError { code message field } ... on NotFoundError { code message }
  ... on QuotaExceededError { code message retryAfterSeconds } ... on AuthError { code message }`;
const UPDATE = `mutation($job: ID!, $i: Int!, $start: Float, $end: Float, $title: String,
  $style: CaptionStyle, $layout: Layout) { updateClip(jobId: $job, index: $i, start: $start, end: $end,
  title: $title, captionStyle: $style, layout: $layout) { ${EDIT_RESULT} } }`;
const CAPTIONS = `mutation($job: ID!, $i: Int!, $cues: [CaptionCueInput!]!) {
  editCaptions(jobId: $job, index: $i, cues: $cues) { ${EDIT_RESULT} } }`;
const APPLY = `mutation($job: ID!, $i: [Int!]) { applyClipEdits(jobId: $job, indices: $i) {
  __typename ... on JobResult { job { status message } } ... on ValidationError { code message }
  ... on NotFoundError { code message } ... on QuotaExceededError { code message retryAfterSeconds }
  ... on AuthError { code message } } }`;

const NEAR_S = 90;

function edgeSelect(id, edges, current) {
  // the sentence edges near the clip; the closest is selected
  const best = edges.reduce((a, b) => (Math.abs(b - current) < Math.abs(a - current) ? b : a), edges[0]);
  return h("select", { id }, edges.map((t) =>
    h("option", { value: t, selected: t === best }, clock(t))));
}

export function reviewPanel(job, clip, { onClose, onApplied, onSaved }) {
  const starts = job.sentences.map((s) => s.start).filter((t) => Math.abs(t - clip.start) <= NEAR_S);
  const ends = job.sentences.map((s) => s.end).filter((t) => Math.abs(t - clip.end) <= NEAR_S);
  const start = edgeSelect("edit-start", starts.length ? starts : [clip.start], clip.start);
  const end = edgeSelect("edit-end", ends.length ? ends : [clip.end], clip.end);
  const title = h("input", { id: "edit-title", value: clip.title, maxlength: 120 });
  const edit = job.edits.find((e) => e.index === clip.index);
  const style = h("select", { id: "edit-style" },
    [["", "as the job"], ["STANDARD", "standard"], ["KARAOKE", "karaoke"], ["NONE", "none"]]
      .map(([v, l]) => h("option", { value: v, selected: (edit?.captionStyle || "") === v }, l)));
  const layout = h("select", { id: "edit-layout" },
    [["", "as the job"], ["AUTO", "auto"], ["SPLIT", "split"], ["SCREEN", "screen"], ["CAMERA", "camera"]]
      .map(([v, l]) => h("option", { value: v, selected: (edit?.layout || "") === v }, l)));
  const cueInputs = clip.cues.map((c, i) => {
    const input = h("input", { id: `cue-${i}`, value: c.text, "data-original": c.text,
      maxlength: 200 });
    return { cue: c, input, row: h("li", {}, h("label", { for: `cue-${i}` },
      `Caption ${i + 1} (${clock(c.start)}–${clock(c.end)})`), input) };
  });
  const initial = { start: start.value, end: end.value, title: clip.title };
  const preview = () => {
    const a = Number(start.value);
    const b = Number(end.value);
    document.querySelectorAll("#transcript li").forEach((li) => {
      const inside = Number(li.dataset.start) >= a - 0.05 && Number(li.dataset.end) <= b + 0.05;
      li.classList.toggle("selected", inside);
    });
  };
  start.addEventListener("change", preview);
  end.addEventListener("change", preview);

  const save = async () => {
    const vars = { job: job.id, i: clip.index };
    const changedRange = start.value !== initial.start || end.value !== initial.end;
    if (changedRange) { vars.start = Number(start.value); vars.end = Number(end.value); }
    if (title.value.trim() !== initial.title) vars.title = title.value;
    if (style.value) vars.style = style.value;
    if (layout.value) vars.layout = layout.value;
    const changedCues = cueInputs.filter((c) => c.input.value.trim() !== c.input.dataset.original);
    if (Object.keys(vars).length === 2 && !changedCues.length) {
      showNotice("Nothing changed yet: edit the range, title, captions or look first.");
      return false;
    }
    if (Object.keys(vars).length > 2) ok((await gql(UPDATE, vars)).updateClip, "ClipEditSaved");
    if (changedCues.length) {
      const cues = changedCues.map((c) => ({ start: c.cue.start, end: c.cue.end, text: c.input.value }));
      ok((await gql(CAPTIONS, { job: job.id, i: clip.index, cues })).editCaptions, "ClipEditSaved");
    }
    return true;
  };
  const saveButton = h("button", { type: "button", id: "save-edit", onclick: async () => {
    try { if (await save()) { showNotice(`Clip ${clip.index}: changes saved (not rendered yet).`); await onSaved(); } }
    catch (err) { showError(err); }
  } }, "Save changes");
  const applyButton = h("button", { type: "button", class: "primary", id: "apply-edit",
    onclick: async () => {
      try {
        await save();
        const result = ok((await gql(APPLY, { job: job.id, i: [clip.index] })).applyClipEdits, "JobResult");
        showNotice(`${result.job.message}: the new version shows here when it is ready.`);
        onApplied();
      } catch (err) { showError(err); }
    } }, "Save and re-render this clip");
  const status = edit ? h("p", { class: "muted", id: "edit-status" },
    `Edited by ${edit.author} at ${edit.editedAt.replace("T", " ")}: ${edit.status.toLowerCase()}`,
    edit.note ? ` (${edit.note})` : "") : null;
  return h("section", { class: "card review", id: "review", "aria-labelledby": "review-title",
    tabindex: -1 },
    h("h2", { id: "review-title" }, `Review clip ${clip.index}`), status,
    h("div", { class: "grid2" },
      h("div", { class: "field" }, h("label", { for: "edit-start" }, "Start (sentence start)"), start),
      h("div", { class: "field" }, h("label", { for: "edit-end" }, "End (sentence end)"), end),
      h("div", { class: "field wide" }, h("label", { for: "edit-title" }, "Title"), title),
      h("div", { class: "field" }, h("label", { for: "edit-style" }, "Caption style"), style),
      h("div", { class: "field" }, h("label", { for: "edit-layout" }, "Layout"), layout)),
    h("h3", {}, "Captions"),
    h("p", { class: "muted" }, "Fix a misheard word: the clip is re-rendered with your text burned in."),
    h("ol", { class: "cues" }, cueInputs.map((c) => c.row)),
    h("div", { class: "row" }, saveButton, applyButton,
      h("button", { type: "button", onclick: onClose }, "Close")));
}
