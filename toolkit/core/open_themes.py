"""Themes and recurring situations in each persona's open answers, and what sets them apart.

One round at a time, all personas of a set together, so that a theme is the same theme on
every persona's page and in every brief:

1. Each open answer becomes a set of content lemmas (``toolkit.core.open_text``: simplemma
   lemmas, stop words of the ``stop-words`` package and the question's own words left out).
   Only lemmas that at least the minimum group of people wrote are kept: a rarer word can
   point at a person, and it is too rare to carry a theme.
2. The answers are weighted with TF-IDF and clustered with k-means (scikit-learn, fixed seed;
   on unit-length vectors, so close to spherical k-means), k from 2 to ``MAX_CLUSTERS``, the
   k with the highest mean silhouette (cosine; Rousseeuw 1987, *J. Comput. Appl. Math.* 20).
   An answer belongs to its theme only when its cosine to the theme's centre is at least
   ``MIN_SIMILARITY``; otherwise it is "other" and counts nowhere.
3. A theme's label is its ``LABEL_WORDS`` most distinctive lemmas against the other themes,
   by class-based TF-IDF (c-TF-IDF: Grootendorst 2022, *BERTopic: neural topic modeling with a
   class-based TF-IDF procedure*, arXiv:2203.05794), each shown in the form people wrote most.
4. Per persona: how many members mention each theme (at least one answer in it that uses
   one of the theme's label words). A theme mentioned by fewer than the minimum group is not
   shown, only counted (``hidden``). What sets the persona apart is the log odds ratio of the
   share of its people who mention a theme against the rest of the organisation's share, as a
   z-score (:func:`share_z`); |z| >= ``Z_MARKED`` is marked. The persona's distinctive words
   are the log-odds ratio with an informative Dirichlet prior on the lemmas members use
   (Monroe, Colaresi & Quinn 2008, "Fightin' words", *Political Analysis* 16(4), 372-403).
5. For a persona of at least the quote minimum, one quote per theme: the member's answer
   closest to the theme's centre (ties: the smallest SHA-256 of the text, not who wrote first).

Situations: the "when …" parts of the answers to the situation question ("When …, I want …,
so that …"), through the same steps; the example is a "when …" part instead of a quote.
Deterministic: answers are ordered by their text, never by who wrote them or when.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypedDict

import numpy as np

from toolkit.core.open_text import answer_lemmas, clean_answer, question_lemmas, when_part
from toolkit.core.text_language import LANGUAGES

THEME_ROLES = ("open_help", "open_worry")  # the situation question has its own analysis
SITUATION_ROLE = "open_situation"
MAX_CLUSTERS = 12
MIN_SIMILARITY = 0.3  # cosine to the theme's centre below which an answer is "other"
LABEL_WORDS = 3
MAX_SHOWN = 5  # themes, situations and distinctive words per persona
PRIOR_WEIGHT = 10.0  # pseudo-counts of the informative Dirichlet prior (Monroe et al. 2008)
Z_MARKED = 1.96  # |z| from which a theme or word counts as setting the persona apart
SILHOUETTE_SAMPLE = 2000
SEED = 0


class ThemeEntry(TypedDict):
    """One theme of a persona. ``label``: up to 3 words, most distinctive first; ``n``:
    members who mention it; ``share``: n over the members who answered an open question (0-1);
    ``org_share``: the same in the whole set, None when the rest of the organisation that
    mentions it is a group under the minimum (it would be given away by subtraction) or there
    is no rest; ``z``: the log odds ratio z of this persona's share against the rest's (:func:`share_z`), None
    without a comparison; ``quote``: an answer closest to the theme's centre, or None."""

    label: list[str]
    n: int
    share: float
    org_share: float | None
    z: float | None
    quote: str | None


class SituationEntry(TypedDict):
    """One recurring situation: ``label`` words, ``n`` members who describe it, ``example``:
    the "when …" part closest to its centre for groups of the quote minimum, else None."""

    label: list[str]
    n: int
    example: str | None


class DistinctWord(TypedDict):
    """A word this persona uses more than the rest: ``word``, ``n`` members who use it, ``z``."""

    word: str
    n: int
    z: float


class OpenThemes(TypedDict):
    """What a persona's members wrote, grouped (``Persona.description["open_themes"]``).

    ``answered``: members with at least one open answer; ``themes`` (most distinctive first)
    and ``situations`` (most mentioned first): at most ``MAX_SHOWN``, each resting on at least
    the minimum group; ``hidden``/``hidden_situations``: how many were left out for resting on
    fewer; ``words``: up to ``MAX_SHOWN`` :class:`DistinctWord`, z >= ``Z_MARKED``.
    """

    answered: int
    themes: list[ThemeEntry]
    hidden: int
    words: list[DistinctWord]
    situations: list[SituationEntry]
    hidden_situations: int


@dataclass(frozen=True)
class Answer:
    """One open answer: who wrote it (response id), its text as it may be quoted, and its
    content lemmas (lemma -> the word as written)."""

    person: str
    text: str
    lemmas: Mapping[str, str]


@dataclass
class Themes:
    """Themes found in a list of answers. ``labels``: per theme its label words; ``theme_of``:
    per answer its theme index or -1 ("other"); ``closeness``: per answer its cosine to its
    theme's centre (0 for "other")."""

    labels: list[list[str]] = field(default_factory=list)
    theme_of: list[int] = field(default_factory=list)
    closeness: list[float] = field(default_factory=list)
    by_theme: dict[int, list[int]] = field(default_factory=dict, repr=False)  # filled on first use


def log_odds_z(mine: np.ndarray, rest: np.ndarray, prior_weight: float = PRIOR_WEIGHT) -> np.ndarray | None:
    """Monroe, Colaresi & Quinn (2008) log-odds ratio with an informative Dirichlet prior, as
    z-scores: how much more (z > 0) or less one group uses each category than the rest.

    ``mine`` and ``rest`` are counts per category (same length). The prior spreads
    ``prior_weight`` pseudo-counts over the categories in proportion to the two groups
    together (the organisation), so a rare category needs more evidence. Returns one z per
    category, or None when there are fewer than two categories in use or a group has no count.
    """
    mine, rest = np.asarray(mine, float), np.asarray(rest, float)
    total = mine + rest
    used = total > 0
    if used.sum() < 2 or mine.sum() == 0 or rest.sum() == 0:
        return None
    alpha = np.where(used, prior_weight * total / total.sum(), 1.0)
    a0 = alpha[used].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        odds_mine = np.log((mine + alpha) / (mine.sum() + a0 - mine - alpha))
        odds_rest = np.log((rest + alpha) / (rest.sum() + a0 - rest - alpha))
        z = (odds_mine - odds_rest) / np.sqrt(1.0 / (mine + alpha) + 1.0 / (rest + alpha))
    return np.where(used, z, 0.0)


def share_z(mine: np.ndarray, people: int, rest: np.ndarray, rest_people: int) -> np.ndarray | None:
    """Per category, whether the persona's share of people who mention it is above (z > 0) or
    below the rest of the organisation's: the log odds ratio of the two shares over its
    standard error, with the Haldane-Anscombe correction of 0.5 per cell (Agresti 2013,
    *Categorical Data Analysis*, 3rd ed., section 3.1). ``mine``/``rest``: people per category
    in the persona and in the rest; ``people``/``rest_people``: people who answered in each.
    Its sign always agrees with the shares shown beside it. None when either group is empty.
    """
    if people <= 0 or rest_people <= 0:
        return None
    mine, rest = np.asarray(mine, float), np.asarray(rest, float)
    a, b = mine + 0.5, people - mine + 0.5
    c, d = rest + 0.5, rest_people - rest + 0.5
    return np.log(a * d / (b * c)) / np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)


def find_themes(answers: Sequence[Answer], min_people: int) -> Themes:
    """Cluster ``answers`` into themes (steps 1-3 of the module's method).

    ``min_people``: a lemma is used only when at least this many people wrote it, and a theme
    is kept only when at least this many people have an answer in it. Same answers in any
    order, same themes (the answers are taken in the order of their lemmas and text).
    """
    vocabulary = _vocabulary(answers, min_people)
    index = {lemma: j for j, lemma in enumerate(vocabulary)}
    bags = [tuple(lemma for lemma in a.lemmas if lemma in index) for a in answers]
    unique = sorted({b for b in bags if b})
    found = Themes(theme_of=[-1] * len(answers), closeness=[0.0] * len(answers))
    if not unique:
        return found
    matrix, weights = _tfidf(bags, unique, index)
    groups, centres = _kmeans(matrix, weights)
    closeness = np.asarray(matrix @ centres.T)  # unique bag x cluster cosine
    row_of = {b: i for i, b in enumerate(unique)}
    for a, bag in enumerate(bags):
        if bag:
            row = row_of[bag]
            if closeness[row, groups[row]] >= MIN_SIMILARITY:
                found.theme_of[a] = int(groups[row])
                found.closeness[a] = float(closeness[row, groups[row]])
    _split_unconnected(found, bags)
    _keep_labelled(found, answers, bags, vocabulary)
    _keep_large(found, answers, min_people)
    found.labels = [[forms for _lemma, forms in label] for label in _labels(answers, bags, found.theme_of, vocabulary)]
    return found


def _split_unconnected(found: Themes, bags) -> None:
    """Split each theme into the groups of its answers that are linked by shared words.

    Two answers are linked when they share a lemma, directly or through other answers of the
    theme (connected components). With more kinds of answer than clusters, k-means has to put
    unrelated answers together ("learning at my age" beside "someone I can call"); each such
    group becomes a theme of its own, numbered by its smallest lemma so the result does not
    depend on k-means' numbering.
    """
    parent: dict[tuple[int, str], tuple[int, str]] = {}

    def root(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for bag, theme in zip(bags, found.theme_of, strict=True):
        if theme >= 0:
            for lemma in bag[1:]:
                parent[root((theme, lemma))] = root((theme, bag[0]))
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for a, (bag, theme) in enumerate(zip(bags, found.theme_of, strict=True)):
        if theme >= 0:
            groups[root((theme, bag[0]))].append(a)
    named = sorted((min(lemma for a in rows for lemma in bags[a]), rows) for rows in groups.values())
    for new, (_first, rows) in enumerate(named):
        for a in rows:
            found.theme_of[a] = new


def _keep_labelled(found: Themes, answers: Sequence[Answer], bags, vocabulary: list[str]) -> None:
    """An answer stays in its theme only when it uses one of the theme's label lemmas.

    k-means puts every distinct answer in some cluster: an answer that shares no word with the
    rest of its cluster can still lie within ``MIN_SIMILARITY`` of a centre that several
    unrelated answers pull about. Counted under a label it never uses, it would misstate what
    a persona's people write about (and be quoted under it). Such answers become "other".
    """
    labels = _labels(answers, bags, found.theme_of, vocabulary)
    words = [{lemma for lemma, _form in label} for label in labels]
    for a, (bag, theme) in enumerate(zip(bags, found.theme_of, strict=True)):
        if theme >= 0 and not words[theme].intersection(bag):
            found.theme_of[a], found.closeness[a] = -1, 0.0


def _vocabulary(answers: Sequence[Answer], min_people: int) -> list[str]:
    people: dict[str, set[str]] = defaultdict(set)
    for a in answers:
        for lemma in a.lemmas:
            people[lemma].add(a.person)
    return sorted(lemma for lemma, who in people.items() if len(who) >= min_people)


def _tfidf(bags: list[tuple[str, ...]], unique: list[tuple[str, ...]], index: dict[str, int]):
    """Unit-length TF-IDF rows of the distinct bags (a lemma counts once per answer) and how
    many answers each stands for; the idf is over all answers (scikit-learn's smooth idf)."""
    from scipy.sparse import csr_matrix

    df = np.zeros(len(index))
    for bag in bags:
        for lemma in bag:
            df[index[lemma]] += 1
    idf = np.log((1 + len(bags)) / (1 + df)) + 1
    rows, cols, values = [], [], []
    for i, bag in enumerate(unique):
        weights = idf[[index[lemma] for lemma in bag]]
        weights = weights / np.linalg.norm(weights)
        rows += [i] * len(bag)
        cols += [index[lemma] for lemma in bag]
        values += list(weights)
    counts = Counter(b for b in bags if b)
    matrix = csr_matrix((values, (rows, cols)), shape=(len(unique), len(index)))
    return matrix, np.array([counts[b] for b in unique], float)


def _kmeans(matrix, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(cluster per distinct row, unit-length centres): k-means on the distinct rows weighted by
    how many answers each stands for, k = 2..MAX_CLUSTERS (at most the distinct rows), the k
    with the highest silhouette of the answers (:func:`_silhouette`), the smaller k on a tie;
    one cluster for a single distinct row. One numeric thread, as derive.py: spinning OpenMP
    threads on a busy machine cost far more than they gain on fits this small."""
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    n = matrix.shape[0]
    sample = np.sort(np.random.default_rng(SEED).choice(n, SILHOUETTE_SAMPLE, replace=False)) \
        if n > SILHOUETTE_SAMPLE else np.arange(n)
    dense = matrix[sample].toarray()
    distances = np.clip(1.0 - dense @ dense.T, 0.0, 2.0)  # cosine distance of unit rows
    best: tuple[float, np.ndarray] | None = None
    with threadpool_limits(limits=1):
        for k in range(2, min(MAX_CLUSTERS, n) + 1):
            groups = KMeans(n_clusters=k, n_init=4, random_state=SEED).fit(matrix, sample_weight=weights).labels_
            score = _silhouette(distances, groups[sample], weights[sample])
            if score is not None and (best is None or score > best[0] + 1e-9):
                best = (score, groups)
    groups = best[1] if best else np.zeros(n, int)
    centres = np.vstack([
        np.asarray(matrix[groups == g].multiply(weights[groups == g][:, None]).sum(axis=0)).ravel()
        for g in range(groups.max() + 1)
    ])
    norms = np.linalg.norm(centres, axis=1, keepdims=True)
    return groups, centres / np.where(norms == 0, 1, norms)


def _silhouette(distances: np.ndarray, groups: np.ndarray, weights: np.ndarray) -> float | None:
    """The mean silhouette (Rousseeuw 1987) of the answers, worked out on distinct rows: row i
    stands for ``weights[i]`` identical answers, ``distances`` is the rows' distance matrix.
    Equal to scikit-learn's silhouette_score on the answers themselves, without repeating
    rows. None with fewer than 2 clusters or no answer that shares its cluster."""
    labels = np.unique(groups)
    if len(labels) < 2:
        return None
    onehot = (groups[:, None] == labels[None, :]).astype(float) * weights[:, None]
    sums = distances @ onehot  # row x cluster: weighted distance to the cluster's answers
    sizes = onehot.sum(axis=0)
    own = np.searchsorted(labels, groups)
    rows = np.arange(len(groups))
    alone = sizes[own] <= 1
    a = sums[rows, own] / np.where(alone, 1, sizes[own] - 1)
    other = sums / sizes[None, :]
    other[rows, own] = np.inf
    b = other.min(axis=1)
    s = np.where(alone, 0.0, (b - a) / np.maximum(np.maximum(a, b), 1e-12))
    return float((s * weights).sum() / weights.sum())


def _keep_large(found: Themes, answers: Sequence[Answer], min_people: int) -> None:
    """Drop themes fewer than ``min_people`` people have an answer in; renumber the rest."""
    people: dict[int, set[str]] = defaultdict(set)
    for a, theme in zip(answers, found.theme_of, strict=True):
        if theme >= 0:
            people[theme].add(a.person)
    kept = sorted(t for t, who in people.items() if len(who) >= min_people)
    renumber = {t: i for i, t in enumerate(kept)}
    for a, theme in enumerate(found.theme_of):
        found.theme_of[a] = renumber.get(theme, -1)
        if found.theme_of[a] < 0:
            found.closeness[a] = 0.0


def _labels(answers: Sequence[Answer], bags, theme_of: list[int], vocabulary: list[str]) -> list[list[tuple[str, str]]]:
    """Per theme its ``LABEL_WORDS`` highest c-TF-IDF lemmas (ties by lemma) as (lemma, the
    form people wrote most often, ties alphabetical); an empty list for a theme without answers."""
    themes = max(theme_of, default=-1) + 1
    if themes == 0:
        return []
    index = {lemma: j for j, lemma in enumerate(vocabulary)}
    counts = np.zeros((themes, len(vocabulary)))
    forms: dict[str, Counter] = defaultdict(Counter)
    for a, bag, theme in zip(answers, bags, theme_of, strict=True):
        for lemma in bag:
            forms[lemma][a.lemmas[lemma]] += 1
            if theme >= 0:
                counts[theme, index[lemma]] += 1
    per_term = counts.sum(axis=0)
    average = counts.sum() / themes
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = (counts / counts.sum(axis=1, keepdims=True)) * np.log(1 + average / np.where(per_term == 0, 1, per_term))
    labels = []
    for theme in range(themes):
        order = sorted((j for j in range(len(vocabulary)) if counts[theme, j] > 0),
                       key=lambda j: (-round(weight[theme, j], 12), vocabulary[j]))
        labels.append([(vocabulary[j], _shown_form(forms[vocabulary[j]])) for j in order[:LABEL_WORDS]])
    return labels


def _shown_form(forms: Counter) -> str:
    return min(forms.items(), key=lambda fc: (-fc[1], fc[0]))[0]


def collect_answers(
    q, answers_by_response: Mapping[str, Mapping], people: Sequence[str], *, situations: bool
) -> list[Answer]:
    """The open answers of ``people`` (response ids) to the questionnaire ``q``, ordered by
    text: every answer to the help and worry questions (``THEME_ROLES``), or with ``situations`` the
    "when …" parts of the answers to the situation question. The question's own words (in
    each of its languages) are not counted as content."""
    fallback = next((lang for lang in q.languages if lang in LANGUAGES), LANGUAGES[0])
    roles = (SITUATION_ROLE,) if situations else THEME_ROLES
    found = []
    for role in roles:
        for item in q.items_with_role(role):
            if item.type != "text":
                continue
            echo = question_lemmas(item.text.items())
            seen: dict[str, tuple[str, Mapping[str, str]] | None] = {}  # raw answer -> (text, lemmas): answers repeat
            for person in people:
                raw = (answers_by_response.get(person) or {}).get(item.id)
                if not raw or not isinstance(raw, str):  # clean_answer would give None: not a text
                    continue
                if raw not in seen:
                    text = clean_answer(raw)
                    if text and situations:
                        text = when_part(text)
                    seen[raw] = (text, answer_lemmas(text, fallback, echo)) if text else None
                if seen[raw]:
                    found.append(Answer(person, *seen[raw]))
    return sorted(found, key=lambda a: (tuple(a.lemmas), a.text))


def persona_open_themes(
    q,
    answers_by_response: Mapping[str, Mapping],
    members_by_persona: Mapping[str, Sequence[str]],
    *,
    min_group: int = 5,
    min_quote_group: int = 10,
) -> dict[str, OpenThemes]:
    """Themes, distinctive words and recurring situations of every persona of a set.

    ``q``: the round's Questionnaire; ``answers_by_response``: response id -> item id ->
    answer (only usable, published responses); ``members_by_persona``: persona key -> its
    members' response ids (every persona of the set: together they are "the organisation").
    A theme, situation or word is shown only when at least ``min_group`` members mention it;
    quotes and examples only for personas of at least ``min_quote_group`` members. Returns
    persona key -> :class:`OpenThemes` (empty lists when the questionnaire has no open
    questions). Raises ValueError when ``min_quote_group`` is below ``min_group``.
    """
    if min_quote_group < min_group:
        raise ValueError("min_quote_group cannot be below min_group")
    everyone = sorted({rid for members in members_by_persona.values() for rid in members})
    texts = collect_answers(q, answers_by_response, everyone, situations=False)
    whens = collect_answers(q, answers_by_response, everyone, situations=True)
    theme_found, when_found = find_themes(texts, min_group), find_themes(whens, min_group)
    words = _word_people(texts)
    result = {}
    for key, members in members_by_persona.items():
        members = set(members)
        themes, hidden = _persona_themes(texts, theme_found, members, min_group, len(members) >= min_quote_group)
        situations, hidden_situations = _persona_situations(
            whens, when_found, members, min_group, len(members) >= min_quote_group
        )
        result[key] = {
            "answered": len({a.person for a in texts if a.person in members}),
            "themes": themes,
            "hidden": hidden,
            "words": _distinct_words(words, members, min_group),
            "situations": situations,
            "hidden_situations": hidden_situations,
        }
    return result


def _mentions(answers: Sequence[Answer], found: Themes, people: set[str] | None) -> dict[int, set[str]]:
    """theme -> the people (of ``people``, or everyone) with at least one answer in it."""
    out: dict[int, set[str]] = defaultdict(set)
    for a, theme in zip(answers, found.theme_of, strict=True):
        if theme >= 0 and (people is None or a.person in people):
            out[theme].add(a.person)
    return out


def _closest(answers: Sequence[Answer], found: Themes, theme: int, people: set[str]) -> str:
    """The text of the answer by one of ``people`` closest to ``theme``'s centre; on a tie the
    one with the smallest SHA-256 (deterministic, and not the earliest writer). Only the
    theme's own answers are looked at, and only the tied ones are hashed."""
    if not found.by_theme:
        for a, t in enumerate(found.theme_of):
            if t >= 0:
                found.by_theme.setdefault(t, []).append(a)
    mine = [a for a in found.by_theme.get(theme, ()) if answers[a].person in people]
    best = max(round(found.closeness[a], 9) for a in mine)
    tied = {answers[a].text for a in mine if round(found.closeness[a], 9) == best}
    return min(tied, key=lambda text: (hashlib.sha256(text.encode()).hexdigest(), text))


def _persona_themes(
    answers: Sequence[Answer], found: Themes, members: set[str], min_group: int, quote: bool
) -> tuple[list[ThemeEntry], int]:
    """The persona's themes (most distinctive first) and how many were hidden as too small."""
    mine, org = _mentions(answers, found, members), _mentions(answers, found, None)
    answered = len({a.person for a in answers if a.person in members})
    org_answered = len({a.person for a in answers})
    count = len(found.labels)
    mine_n = np.array([len(mine.get(t, ())) for t in range(count)], float)
    org_n = np.array([len(org.get(t, ())) for t in range(count)], float)
    z = share_z(mine_n, answered, org_n - mine_n, org_answered - answered) if count else None
    entries, hidden = [], 0
    for t in range(count):
        n, rest = int(mine_n[t]), int(org_n[t] - mine_n[t])
        if n == 0:
            continue
        if n < min_group:
            hidden += 1
            continue
        compared = (rest == 0 or rest >= min_group) and org_answered > answered
        entries.append({
            "label": found.labels[t],
            "n": n,
            "share": round(n / answered, 4),
            "org_share": round(float(org_n[t]) / org_answered, 4) if compared else None,
            "z": round(float(z[t]), 2) if compared and z is not None else None,
            "quote": _closest(answers, found, t, members) if quote else None,
        })
    entries.sort(key=lambda e: (-(e["z"] if e["z"] is not None else 0.0), -e["n"], e["label"]))
    return entries[:MAX_SHOWN], hidden + max(0, len(entries) - MAX_SHOWN)


def _persona_situations(
    answers: Sequence[Answer], found: Themes, members: set[str], min_group: int, example: bool
) -> tuple[list[SituationEntry], int]:
    """The persona's recurring situations (most described first) and how many were hidden."""
    mine = _mentions(answers, found, members)
    entries, hidden = [], 0
    for t, people in mine.items():
        if len(people) < min_group:
            hidden += 1
            continue
        entries.append({
            "label": found.labels[t],
            "n": len(people),
            "example": _closest(answers, found, t, members) if example else None,
        })
    entries.sort(key=lambda e: (-e["n"], e["label"]))
    return entries[:MAX_SHOWN], hidden + max(0, len(entries) - MAX_SHOWN)


def _word_people(answers: Sequence[Answer]) -> dict[str, tuple[str, set[str]]]:
    """lemma -> (the form written most, the people who used it)."""
    forms: dict[str, Counter] = defaultdict(Counter)
    people: dict[str, set[str]] = defaultdict(set)
    for a in answers:
        for lemma, word in a.lemmas.items():
            forms[lemma][word] += 1
            people[lemma].add(a.person)
    return {lemma: (_shown_form(forms[lemma]), people[lemma]) for lemma in sorted(people)}


def _distinct_words(words: Mapping[str, tuple[str, set[str]]], members: set[str], min_group: int) -> list[DistinctWord]:
    """Lemmas the persona's members use more than the rest of the organisation (Monroe z of
    the people using each word), each used by at least ``min_group`` members; strongest first."""
    lemmas = list(words)
    mine = np.array([len(words[lemma][1] & members) for lemma in lemmas], float)
    org = np.array([len(words[lemma][1]) for lemma in lemmas], float)
    z = log_odds_z(mine, org - mine)
    if z is None:
        return []
    chosen = [
        (-round(float(z[j]), 9), lemmas[j]) for j in range(len(lemmas))
        if mine[j] >= min_group and z[j] >= Z_MARKED
    ]
    return [
        {"word": words[lemma][0], "n": int(mine[lemmas.index(lemma)]), "z": round(-neg, 2)}
        for neg, lemma in sorted(chosen)[:MAX_SHOWN]
    ]


def verbatim_count(found: Mapping | None) -> int:
    """How many people's own words (quotes and "when …" examples) ``found`` (an
    :class:`OpenThemes`, or None) holds."""
    if not isinstance(found, Mapping):
        return 0
    return sum(1 for e in found.get("themes") or [] if e.get("quote")) + sum(
        1 for e in found.get("situations") or [] if e.get("example")
    )


def drop_verbatim(found: dict | None) -> None:
    """Remove, in place, the quotes and examples of ``found`` (an :class:`OpenThemes`): what
    stays when a round's answers are deleted are the labels and counts of groups."""
    if isinstance(found, dict):
        for entry in found.get("themes") or []:
            entry["quote"] = None
        for entry in found.get("situations") or []:
            entry["example"] = None
