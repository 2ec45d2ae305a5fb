"""Hearing again: where a term on the slide was likely said but not heard, listen once more.

A noisy room turns "Bayesian" into "region" and "backpropagation" into "map replication":
too far from the term, by spelling and by sound, for `term_fix` to risk a snap (ordinary words
come that close to some term). Priming the whole transcript with the slides fixes them but
makes whisper echo the prompt elsewhere. So the two are combined: a stretch where a long term
of the slide on screen was not heard, but some words sound partly like it, is decoded once more
primed with that slide; only the term is taken from the new decode, and only where it lands on
the old words that sound like it. Nothing else of the first transcript changes, and a term the
lecturer never said is not added (the primed decode does not hear it either, or hears it where
no old word sounds like it). The stretches heard again are capped (`BUDGET_SHARE`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from lecture_assets.analysis.content.titles import STOPWORDS
from lecture_assets.analysis.models import Interval, Transcript, Word
from lecture_assets.analysis.slides.read import Slide
from lecture_assets.analysis.transcript.phonetic import pronunciations, sound_similarity
from lecture_assets.analysis.transcript.term_fix import (
    TermFix,
    slide_terms,
    variant,
    word_token,
)

TERM_LETTERS = 6  # shorter terms sound like too many ordinary words
MAX_SPAN_WORDS = 4  # "lie a clip of" for "likelihood"
# best sound similarity of a few heard words to a missing term that makes the stretch worth
# a second listen (bench.asr noisy lecture: the misheard terms 0.60-0.64)
SUSPECT_SOUND = 0.55
# what the words a re-heard term replaces must still sound like it
ACCEPT_SOUND = 0.45
HEARD_MARGIN_S = 20.0  # a term said this close to its slide counts as heard
SEARCH_MARGIN_S = 2.0  # where a missing term is looked for: while its slide shows, and this
PAD_S = 0.3  # audio kept around a re-heard segment
WINDOW_S = 29.0  # one whisper window (30 s) of stretches is heard with one prompt
# silence between two stretches of a pack: they are separate sentences, and joined without a
# pause whisper ran them together and dropped the last one's words ("Bayesian Inference" for
# "Bayesian inference multiplies the prior times likelihood")
GAP_S = 0.5
# at most this share of the lecture is heard again (each pack costs about one window's decode,
# ~3 s of CPU at beam 5): 4 % of a 20-minute lecture is 48 s, two windows
BUDGET_SHARE = 0.04


@dataclass(frozen=True)
class Suspect:
    """A stretch of the transcript that may hold a slide term the transcriber missed."""

    segment: int  # index in the transcript
    span: Interval  # the segment's time, padded
    terms: tuple[str, ...]  # as written on the slide
    score: float  # best sound similarity of its words to one of the terms


# decodes audio pieces joined end to end, primed with a prompt; returns its words on the
# source timeline
Decoder = Callable[[Sequence[Interval], str], list[Word]]
# the slide prompt for pieces of the lecture
Prompter = Callable[[Sequence[Interval]], str]


def relisten_for_terms(
    transcript: Transcript,
    slides: list[Slide],
    decode: Decoder,
    prompt: Prompter,
    *,
    budget_share: float = BUDGET_SHARE,
    workers: int = 1,
) -> tuple[Transcript, list[TermFix]]:
    """`transcript` with slide terms it missed taken from a second, slide-primed listen
    (`workers` packs decoded at once)."""
    suspects = find_suspects(transcript, slides)
    if not suspects:
        return transcript, []
    budget = max(WINDOW_S, budget_share * transcript.duration_s)
    packs = plan_packs(suspects, budget)
    with ThreadPoolExecutor(max(1, workers), thread_name_prefix="relisten") as pool:
        decoded = [w for words in pool.map(lambda p: decode(p, prompt(p)), packs) for w in words]
    heard: list[tuple[Suspect, list[Word]]] = []
    for suspect in suspects:
        span = suspect.span
        if any(span.start >= s.start and span.end <= s.end for pack in packs for s in pack):
            heard.append(
                (suspect, [w for w in decoded if span.start - 0.05 <= w.start <= span.end])
            )
    return take_terms(transcript, heard)


def find_suspects(transcript: Transcript, slides: list[Slide]) -> list[Suspect]:
    """Segments said while a slide showed a long term that nobody heard near it, holding a
    few words that sound partly like that term; best first."""
    segments = transcript.segments
    words = [(i, w, word_token(w)) for i, s in enumerate(segments) for w in s.words]
    wanted: list[tuple[Slide, list[str]]] = []
    for slide in slides:
        near = {t for _, w, t in words if _within(w.start, slide, HEARD_MARGIN_S) and t}
        missing = [
            written
            for key, written in slide_terms(slide).items()
            if len(key) >= TERM_LETTERS and not any(t == key or variant(t, key) for t in near)
        ]
        if missing:
            wanted.append((slide, missing))
    if not wanted:
        return []
    # per slide, the runs of words said while it showed that could be one of its missing
    # terms misheard: some word that is not a function word, about as long as the term
    candidates: list[tuple[str, list[tuple[int, str]]]] = []  # term -> (segment, words said)
    for slide, missing in wanted:
        runs = _runs([(i, t) for i, w, t in words if _within(w.start, slide, SEARCH_MARGIN_S)])
        for term in missing:
            size = len(term)
            fits = [(i, r) for i, r in runs if 0.6 * size <= len(r.replace(" ", "")) <= 1.5 * size]
            candidates.append((term, fits))
    heard = {r for _, fits in candidates for _, r in fits}
    sounds = pronunciations(heard | {t.lower() for t, _ in candidates}, transcript.language)
    best: dict[int, tuple[float, set[str]]] = {}  # segment -> score, terms
    for term, fits in candidates:
        said = sounds.get(term.lower())
        for seg, run in fits:
            if said is None or run not in sounds:
                continue
            score = sound_similarity(sounds[run], said)
            if score >= SUSPECT_SOUND:
                top, terms = best.get(seg, (0.0, set()))
                best[seg] = (max(top, score), terms | {term})
    out = []
    for seg, (score, terms) in best.items():
        s = segments[seg]
        span = Interval(round(max(0.0, s.start - PAD_S), 3), round(s.end + PAD_S, 3))
        out.append(Suspect(seg, span, tuple(sorted(terms)), round(score, 3)))
    return sorted(out, key=lambda s: (-s.score, s.span.start))


def _runs(tokens: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Every run of 1..MAX_SPAN_WORDS consecutive tokens of one segment holding a word that
    is not a function word, as (segment, the words joined by spaces)."""
    out: list[tuple[int, str]] = []
    for k in range(len(tokens)):
        for n in range(1, MAX_SPAN_WORDS + 1):
            group = tokens[k : k + n]
            if len(group) < n or len({i for i, _ in group}) > 1:
                break
            said = [t for _, t in group if t]
            if said and not all(t in STOPWORDS for t in said):
                out.append((group[0][0], " ".join(said)))
    return out


def plan_packs(suspects: list[Suspect], budget_s: float) -> list[list[Interval]]:
    """The stretches to hear again: the best suspects that fit `budget_s` seconds, suspects
    that touch merged into one stretch, in time order, joined into packs of at most one
    whisper window."""
    chosen: list[Interval] = []
    for suspect in suspects:
        merged = _merge([*chosen, suspect.span])
        if (
            max(m.duration for m in merged) <= WINDOW_S
            and sum(m.duration for m in merged) <= budget_s
        ):
            chosen = merged
    packs: list[list[Interval]] = []
    for span in chosen:
        if packs and sum(s.duration + GAP_S for s in packs[-1]) + span.duration <= WINDOW_S:
            packs[-1].append(span)
        else:
            packs.append([span])
    return packs


def _merge(spans: list[Interval]) -> list[Interval]:
    """`spans` in time order, those that overlap joined."""
    out: list[Interval] = []
    for span in sorted(spans, key=lambda s: s.start):
        if out and span.start <= out[-1].end:
            out[-1] = Interval(out[-1].start, max(out[-1].end, span.end))
        else:
            out.append(span)
    return out


def take_terms(
    transcript: Transcript, heard: list[tuple[Suspect, list[Word]]]
) -> tuple[Transcript, list[TermFix]]:
    """Where the second listen of a suspect segment put a term it sought in place of other
    words (the two word sequences aligned), those words become the term, if they sound like
    it; everything else of the first transcript stays."""
    edits = [e for suspect, words in heard for e in _term_edits(transcript, suspect, words)]
    sounds = pronunciations({e.old for e in edits} | {e.term.lower() for e in edits},
                            transcript.language)  # fmt: skip
    scored = [
        (sound_similarity(sounds[e.old], sounds[e.term.lower()]), e)
        for e in edits
        if e.old in sounds and e.term.lower() in sounds
    ]
    # of the runs a re-heard term may replace, the one that sounds most like it (shorter on
    # a tie); an edit never overlaps one already taken
    accepted: dict[tuple[int, int], _Edit] = {}
    taken: set[tuple[int, int]] = set()
    for score, edit in sorted(scored, key=lambda x: (-x[0], x[1].count, x[1].segment, x[1].first)):
        cells = {(edit.segment, edit.first + k) for k in range(edit.count)}
        if score < ACCEPT_SOUND or cells & taken:
            continue
        accepted[(edit.segment, edit.first)] = edit
        taken |= cells
    if not accepted:
        return transcript, []
    fixes: list[TermFix] = []
    segments = list(transcript.segments)
    for seg in sorted({s for s, _ in accepted}):
        old_words = segments[seg].words
        out: list[Word] = []
        k = 0
        while k < len(old_words):
            found = accepted.get((seg, k))
            if found is None:
                out.append(old_words[k])
                k += 1
                continue
            under = old_words[k : k + found.count]
            text = _styled(found.term, under[0].word, under[-1].word)
            out.append(Word(under[0].start, under[-1].end, text, found.word.probability))
            said = " ".join(w.word for w in under)
            fixes.append(TermFix(under[0].start, said, text, how="heard again"))
            k += found.count
        text = " ".join(w.word.strip() for w in out if w.word.strip())
        segments[seg] = replace(segments[seg], words=out, text=text)
    return replace(transcript, segments=segments), fixes


def _term_edits(transcript: Transcript, suspect: Suspect, new: list[Word]) -> list[_Edit]:
    """The runs of the suspect segment's words that a sought term of the second listen may
    stand for: the words it took the place of, when the two decodes are aligned; all of them
    when the term alone replaced them, else each run of up to `MAX_SPAN_WORDS` of them."""
    old = transcript.segments[suspect.segment].words
    old_tokens = [word_token(w) for w in old]
    new_tokens = [word_token(w) for w in new]
    sought = {t.lower() for t in suspect.terms}
    out: list[_Edit] = []
    matcher = SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "replace":
            continue  # a term where the first listen heard nothing is not placed
        for j in range(j1, j2):
            if not any(new_tokens[j] == t or variant(new_tokens[j], t) for t in sought):
                continue
            runs = [(i1, i2 - i1)] if j2 - j1 == 1 else [
                (a, n) for a in range(i1, i2) for n in range(1, MAX_SPAN_WORDS + 1) if a + n <= i2
            ]  # fmt: skip
            for first, count in runs:
                if count <= MAX_SPAN_WORDS:
                    said = " ".join(t for t in old_tokens[first : first + count] if t)
                    out.append(_Edit(suspect.segment, first, count, new[j], said))
    return out


@dataclass(frozen=True)
class _Edit:
    segment: int
    first: int
    count: int
    word: Word  # the re-heard term
    old: str  # the words it replaces, as tokens

    @property
    def term(self) -> str:
        return self.word.word.strip().strip(_PUNCTUATION)


_PUNCTUATION = ".,;:!?\"'()[]"


def _styled(term: str, first: str, last: str) -> str:
    """`term` with the punctuation around the words it replaces, capitalised like them."""
    lead = first[: len(first) - len(first.lstrip(_PUNCTUATION))]
    trail = last[len(last.rstrip(_PUNCTUATION)) :]
    if first.lstrip(_PUNCTUATION)[:1].isupper():
        term = term[:1].upper() + term[1:]
    return f"{lead}{term}{trail}"


def _within(t: float, slide: Slide, margin: float) -> bool:
    return slide.start - margin <= t <= slide.end + margin
