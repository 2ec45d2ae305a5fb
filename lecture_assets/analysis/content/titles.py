"""Readable titles: chapters named by their slides, else key phrases of whole spoken words."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import replace

from lecture_assets.analysis.models import Chapter, ContentScores
from lecture_assets.analysis.slides.read import Slide

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]")
_STOP_TEXT = """
had won't have below want lets they're go does of let take should he up going one our then
could having how me about her you're us during can't doing after also what's again she
through thats was not like on here because some has no which i'm own they gets there's do
these we're his your its for under them out once my yeah sure hers two called what just
there until isn't i you says why the let's in further that while who off where whats am
gonna so him into from above this don most yes be only call nor get been down will both we
it itself being would a over theres we've right were at here's with more as by such see than
an any and sorry all got it's too can really when are that's their before but if is now say
did those very well youre to goes don't or few way between we'll
"""
STOPWORDS = frozenset(_STOP_TEXT.split())
# words a speaker says that carry no topic: fillers, hedges, classroom talk
_FILLER_TEXT = """
much seen end lot time given think make use nothing question quite little course means said
other already look kind tell probably guess first give literally always shows lecture thing
simply sort important lots work different made used basically alright told next maybe bit
nice many everything point everybody gives great each class mean exactly show exam pretty
start third actually looks second another using example same works still times never
anything talk makes remember last even questions good whole okay know part looking somebody
every write something answer today board equals equal becomes become turns comes
need needs keep keeps find finds try tries put puts happens happen gets
"""
_FILLERS = frozenset(_FILLER_TEXT.split())
_TITLE_JUNK = re.compile(r"^[\W\d_]+|[\W_]+$")
MAX_PHRASE_WORDS = 4


def _norm(word: str) -> str:
    return word.lower().strip("'-")


def _is_content(word: str) -> bool:
    w = _norm(word)
    return len(w) >= 3 and w not in STOPWORDS and w not in _FILLERS


def clean_title(text: str, max_chars: int = 80) -> str:
    """A slide line as a title: no bullets or stray symbols, spaces tidied, not too long."""
    text = re.sub(r"\s+", " ", _TITLE_JUNK.sub("", text.strip())).strip()
    if len(text) > max_chars:
        cut = text[:max_chars].rsplit(" ", 1)[0]
        text = cut.rstrip(",;:-")
    return text


def slide_title_for(start: float, end: float, slides: list[Slide]) -> str:
    """The title shown longest between `start` and `end` (case and spacing ignored)."""
    shown: dict[str, float] = {}
    spelled: dict[str, str] = {}
    for slide in slides:
        seconds = min(end, slide.end) - max(start, slide.start)
        title = clean_title(slide.title)
        if seconds <= 0 or len(re.findall(r"[A-Za-z]{2,}", title)) == 0:
            continue
        key = title.lower()
        shown[key] = shown.get(key, 0.0) + seconds
        spelled.setdefault(key, title)
    if not shown:
        return ""
    key, seconds = max(shown.items(), key=lambda kv: kv[1])
    # a title glimpsed for a moment does not name a chapter
    return spelled[key] if seconds >= min(20.0, 0.25 * (end - start)) else ""


def _phrases(text: str) -> list[list[str]]:
    """Runs of adjacent content words (a phrase never spans a stopword or punctuation)."""
    runs: list[list[str]] = []
    for clause in re.split(r"[.,;:!?()\"]+", text):
        run: list[str] = []
        for word in _TOKEN.findall(clause):
            if _is_content(word):
                run.append(word)
            else:
                if run:
                    runs.append(run)
                run = []
        if run:
            runs.append(run)
    return runs


def key_phrase(texts: list[str], background: Counter[str] | None = None, n_docs: int = 1) -> str:
    """A short phrase of whole words most typical of `texts` (against `background` counts)."""
    runs = [run for text in texts for run in _phrases(text)]
    counts = Counter(_norm(w) for run in runs for w in run)
    if not counts:
        return ""
    background = background or Counter()

    def weight(word: str) -> float:
        w = _norm(word)
        return counts[w] * math.log((1 + n_docs) / (1 + background.get(w, 0)) + 1.0)

    grams: Counter[tuple[str, ...]] = Counter()
    surface: dict[tuple[str, ...], tuple[str, ...]] = {}
    for run in runs:
        for size in (3, 2):
            for i in range(len(run) - size + 1):
                gram = tuple(_norm(w) for w in run[i : i + size])
                if len(set(gram)) == size:
                    grams[gram] += 1
                    surface.setdefault(gram, tuple(run[i : i + size]))
    repeated = [g for g, c in grams.items() if c >= 2]
    if repeated:
        best = max(repeated, key=lambda g: (grams[g] * sum(weight(w) for w in g), -len(g)))
        words = list(surface[best])
    else:
        ranked = sorted(counts, key=lambda w: (-weight(w), w))
        words = ranked[:1]
        # two top words said side by side read as one phrase, in the order they were said
        pair = {
            tuple(_norm(w) for w in run[i : i + 2]) for run in runs for i in range(len(run) - 1)
        }
        if len(ranked) > 1 and (ranked[0], ranked[1]) in pair:
            words = ranked[:2]
        elif len(ranked) > 1 and (ranked[1], ranked[0]) in pair:
            words = [ranked[1], ranked[0]]
    phrase = " ".join(words[:MAX_PHRASE_WORDS])
    return phrase[0].upper() + phrase[1:]


def document_counts(texts: list[str]) -> Counter[str]:
    """In how many of `texts` each content word occurs (for key-phrase weighting)."""
    return Counter(w for text in texts for w in {_norm(x) for r in _phrases(text) for x in r})


def title_chapters(chapters: list[Chapter], texts: list[str], slides: list[Slide]) -> list[Chapter]:
    """Chapters titled by their most shown slide title, else by a spoken key phrase.

    `texts` holds each chapter's spoken text, in order.
    """
    background = document_counts(texts)
    out = []
    for chapter, text in zip(chapters, texts, strict=True):
        title = slide_title_for(chapter.start, chapter.end, slides)
        if not title:
            title = key_phrase([text], background, len(texts)) or chapter.title
        out.append(replace(chapter, title=title))
    return out


def clip_title(clip_text: str, chapter_title: str, background: Counter[str], n_docs: int) -> str:
    """A short phrase about the clip's own content; the chapter's title when it says nothing."""
    phrase = key_phrase([clip_text], background, n_docs)
    if not phrase:
        return chapter_title
    if _norm(phrase) in chapter_title.lower():
        return chapter_title
    return phrase


def retitle_scores(
    scores: ContentScores, slides: list[Slide], *, keep_spoken: bool = False
) -> ContentScores:
    """Chapters (and their candidate windows) titled from slides, else by key phrases.

    `keep_spoken` keeps a chapter's existing title where no slide names it (a configured
    model such as Gemini wrote it); a slide's own title always wins.
    """
    if not scores.chapters:
        return scores
    texts = [
        " ".join(s.text for s in scores.sentences[c.first_sentence : c.last_sentence + 1])
        for c in scores.chapters
    ]
    titled = title_chapters(scores.chapters, texts, slides)
    if keep_spoken:
        titled = [
            new if slide_title_for(old.start, old.end, slides) else old
            for old, new in zip(scores.chapters, titled, strict=True)
        ]
    candidates = [
        (
            replace(c, title=titled[c.chapter_index].title)
            if 0 <= c.chapter_index < len(titled) and not keep_spoken
            else c
        )
        for c in scores.candidates
    ]
    return replace(scores, chapters=titled, candidates=candidates)
