"""Compare the persona sets of two rounds: which personas persist, grow, shrink, split, merge,
appear or vanish, and how the organisation as a whole moved.

Rounds of a programme are anonymous and independent samples, so there is no member overlap to
follow people from one round to the next. Personas are matched on their *profile*: the mean
score per construct, on the constructs both rounds measured (a pulse round measures only a
subset), in units of the organisation's standard deviation. That keeps an organisation-wide
shift visible (everyone a bit more confident) instead of standardising it away per round.

The rules, all stated here so that a reader can check a claim:

* distance between two personas = root mean square over the shared constructs of
  (mean_after - mean_before) / pooled organisation sd;
* one-to-one matches come from an optimal assignment (Hungarian) on that distance; a pair is
  a match only when its distance is at most MATCH_DISTANCE;
* an unmatched later persona whose nearest earlier persona is within MATCH_DISTANCE is a part
  of that persona that split off; otherwise it *appeared*;
* an unmatched earlier persona whose nearest later persona is within MATCH_DISTANCE merged
  into it; otherwise it *vanished*;
* a one-to-one match *grew* when its share of respondents rose by at least GROW_POINTS and by
  at least GROW_RELATIVE of its earlier share, *shrank* by the mirror rule, else *persists*;
* an organisation-wide construct change counts when the means differ by at least
  ORG_MIN_CHANGE points and by at least two standard errors.

Names carry over when a persona persists, grows or shrinks (a one-to-one match). Pure module:
no Flask, no database.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from toolkit.core.messages import N_
from toolkit.core.numbers import format_number, format_percent
from toolkit.core.shapes import PersonaSet

MATCH_DISTANCE = 0.6  # RMS difference in organisation sd units; same persona re-measured: ~0.1-0.2
GROW_POINTS = 0.05  # share of respondents (5 percentage points)
GROW_RELATIVE = 0.20  # and 20 % of the earlier share
PERSONA_MIN_SHIFT = 0.3  # construct change within a persona worth reporting (scale points)
ORG_MIN_CHANGE = 0.2  # organisation-wide construct change worth reporting (scale points)

KINDS = ("persist", "grow", "shrink", "split", "merge", "regroup", "appear", "vanish")
ONE_TO_ONE = ("persist", "grow", "shrink")
# What each kind of change is called where it is shown (catalogue msgids: the programme page,
# the review of a new derivation and `programme compare` translate them).
KIND_NAMES = {"persist": N_("persists"), "grow": N_("grows"), "shrink": N_("shrinks"), "split": N_("splits"),
              "merge": N_("merges"), "regroup": N_("regroups"), "appear": N_("appears"), "vanish": N_("vanishes")}


def _dimensions(persona_set: Mapping) -> list[str]:
    dims = list(persona_set.get("dimensions") or [])
    if not dims:
        dims = list((persona_set.get("overall") or {}).get("profile", {}))
    return dims


def _mean(profile: Mapping, construct: str) -> float | None:
    entry = profile.get(construct)
    if isinstance(entry, Mapping):
        value = entry.get("mean")
    else:
        value = entry
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def _shares(persona_set: Mapping) -> dict[str, float]:
    personas = persona_set.get("personas", [])
    total = persona_set.get("n_used") or sum(p["size"] for p in personas) or 1
    return {p["key"]: float(p["share"]) if p.get("share") is not None else p["size"] / total for p in personas}


def _summary(persona: Mapping, share: float) -> dict:
    label = persona.get("label") if isinstance(persona.get("label"), Mapping) else {}
    return {"key": persona["key"], "name": persona.get("name", persona["key"]), "label": dict(label),
            "size": int(persona["size"]), "share": round(share, 4),
            "negative": bool(persona.get("negative") or label.get("negative"))}


def _pooled_sd(before: Mapping, after: Mapping, construct: str) -> float:
    sds = []
    for s in (before, after):
        entry = (s.get("overall") or {}).get("profile", {}).get(construct)
        if isinstance(entry, Mapping) and entry.get("sd"):
            sds.append(float(entry["sd"]))
    if not sds:
        return 1.0
    return max(math.sqrt(sum(v * v for v in sds) / len(sds)), 1e-6)


def profile_distances(before: PersonaSet, after: PersonaSet, constructs: list[str]) -> np.ndarray:
    """RMS distance in pooled-sd units between every earlier and every later persona.

    Returns a (k_before, k_after) float array; a pair without a construct both measured is
    infinite. The sd per construct is the pooled organisation sd of both sets (1.0 when
    neither has one).
    """
    b, a = before.get("personas", []), after.get("personas", [])
    dist = np.full((len(b), len(a)), np.inf)
    sds = {c: _pooled_sd(before, after, c) for c in constructs}
    for i, pb in enumerate(b):
        for j, pa in enumerate(a):
            terms = []
            for c in constructs:
                mb, ma = _mean(pb.get("profile", {}), c), _mean(pa.get("profile", {}), c)
                if mb is not None and ma is not None:
                    terms.append(((ma - mb) / sds[c]) ** 2)
            if terms:
                dist[i, j] = math.sqrt(sum(terms) / len(terms))
    return dist


def _construct_changes(before_personas: list[Mapping], after_personas: list[Mapping], constructs: list[str]) -> list[dict]:
    """Size-weighted profile of each side of a change, per shared construct."""

    def weighted(personas, c):
        pairs = [(_mean(p.get("profile", {}), c), p["size"]) for p in personas]
        pairs = [(m, n) for m, n in pairs if m is not None and n]
        total = sum(n for _m, n in pairs)
        return sum(m * n for m, n in pairs) / total if total else None

    rows = []
    for c in constructs:
        mb, ma = weighted(before_personas, c), weighted(after_personas, c)
        diff = None if mb is None or ma is None else ma - mb
        rows.append({"construct": c, "before": _round(mb), "after": _round(ma), "diff": _round(diff),
                     "notable": diff is not None and abs(diff) >= PERSONA_MIN_SHIFT})
    return rows


def _round(value, digits=3):
    return None if value is None else round(float(value), digits)


def _size_kind(share_before: float, share_after: float) -> str:
    change = share_after - share_before
    relative = change / share_before if share_before > 0 else math.inf
    if change >= GROW_POINTS and relative >= GROW_RELATIVE:
        return "grow"
    if change <= -GROW_POINTS and relative <= -GROW_RELATIVE:
        return "shrink"
    return "persist"


def _organisation(before: Mapping, after: Mapping, constructs: list[str]) -> dict:
    ob, oa = before.get("overall") or {}, after.get("overall") or {}
    nb = ob.get("n") or before.get("n_used") or 0
    na = oa.get("n") or after.get("n_used") or 0
    rows = []
    for c in constructs:
        eb, ea = ob.get("profile", {}).get(c) or {}, oa.get("profile", {}).get(c) or {}
        mb, ma = _mean(ob.get("profile", {}), c), _mean(oa.get("profile", {}), c)
        if mb is None or ma is None:
            continue
        diff = ma - mb
        sdb, sda = eb.get("sd"), ea.get("sd")
        n1, n2 = eb.get("n") or nb, ea.get("n") or na
        se = math.sqrt(sdb**2 / n1 + sda**2 / n2) if sdb and sda and n1 and n2 else None
        changed = abs(diff) >= ORG_MIN_CHANGE and (se is None or abs(diff) >= 2 * se)
        rows.append({"construct": c, "before": _round(mb), "after": _round(ma), "diff": _round(diff),
                     "se": _round(se), "changed": changed,
                     "direction": ("up" if diff > 0 else "down") if changed else "same"})
    return {"n_before": nb, "n_after": na, "level_before": _round(ob.get("level")),
            "level_after": _round(oa.get("level")), "constructs": rows}


def compare_persona_sets(
    before: PersonaSet, after: PersonaSet, *, construct_names: Mapping | None = None
) -> dict:
    """Compare an earlier and a later persona set (:class:`toolkit.core.shapes.PersonaSet`).

    Only the constructs both sets used for clustering are compared; `unmeasured` lists the
    earlier round's constructs the later one did not measure (a pulse round), `new_constructs`
    the reverse. `construct_names` ({construct: {lang: name}}) is carried into the result for
    drift_summary and the views. Returns a JSON-like dict: the constructs compared, the
    thresholds used, a summary of each set, `changes` (one per persona component, each with
    its `kind`, the personas before and after, their sizes and shares, the profile distance
    in pooled organisation sd, and per construct shifts), `names` (later persona key ->
    earlier name, for one-to-one matches), `organisation` (organisation-wide construct
    changes) and `comparable` (False when no construct is shared, or when either round found no
    distinct personas: then `no_distinct_personas` is True and there are no changes, only the
    organisation's). Matching is an optimal
    assignment (Hungarian method, scipy's linear_sum_assignment) on that distance.
    """
    dims_before, dims_after = _dimensions(before), _dimensions(after)
    shared = [c for c in dims_before if c in dims_after]
    b_personas, a_personas = list(before.get("personas", [])), list(after.get("personas", []))
    b_share, a_share = _shares(before), _shares(after)
    result = _comparison_header(before, after, dims_before, dims_after, shared, construct_names)
    if not shared:
        result["comparable"] = False
        result["changes"] = (
            [_change("vanish", [p], [], b_share, a_share, None, []) for p in b_personas]
            + [_change("appear", [], [p], b_share, a_share, None, []) for p in a_personas])
        return result
    if before.get("no_distinct_personas") or after.get("no_distinct_personas"):
        # One profile for everyone is no persona: it does not grow, shrink or take a name.
        result["comparable"], result["no_distinct_personas"] = False, True
        return result
    result["comparable"] = True

    dist = profile_distances(before, after, shared)
    groups, owner_b, owner_a = _components(dist, len(b_personas), len(a_personas))
    for group in groups.values():
        bs = [b_personas[i] for i in group["b"]]
        as_ = [a_personas[j] for j in group["a"]]
        kind = _group_kind(bs, as_, b_share, a_share)
        if kind in ONE_TO_ONE:
            result["names"][as_[0]["key"]] = bs[0].get("name", bs[0]["key"])
        distance = max(float(dist[i, j]) for i in group["b"] for j in group["a"] if dist[i, j] <= MATCH_DISTANCE) \
            if kind in ONE_TO_ONE else float(min(dist[i, j] for i in group["b"] for j in group["a"]))
        result["changes"].append(_change(kind, bs, as_, b_share, a_share, distance, shared))
    for i, p in enumerate(b_personas):
        if i not in owner_b:
            result["changes"].append(_change("vanish", [p], [], b_share, a_share, None, shared))
    for j, p in enumerate(a_personas):
        if j not in owner_a:
            result["changes"].append(_change("appear", [], [p], b_share, a_share, None, shared))
    result["changes"].sort(key=lambda ch: (KINDS.index(ch["kind"]), -(ch["share_after"] + ch["share_before"])))
    return result


def _comparison_header(before, after, dims_before, dims_after, shared, construct_names) -> dict:
    """The comparison without its changes: constructs compared, thresholds, both sets, organisation."""
    org_before = list((before.get("overall") or {}).get("profile", {}))
    org_after = set((after.get("overall") or {}).get("profile", {}))
    unmeasured = [c for c in dict.fromkeys(dims_before + org_before) if c not in dims_after and c not in org_after]
    new_constructs = [c for c in dims_after if c not in dims_before]
    org_shared = [c for c in dict.fromkeys(dims_before + org_before) if c in org_after or c in dims_after]
    return {
        "shared_constructs": shared,
        "unmeasured": unmeasured,
        "new_constructs": new_constructs,
        "construct_names": {c: dict(construct_names[c]) for c in construct_names or {}
                            if c in set(shared) | set(org_shared) | set(unmeasured)},
        "thresholds": {"match_distance": MATCH_DISTANCE, "grow_points": GROW_POINTS,
                       "grow_relative": GROW_RELATIVE, "persona_min_shift": PERSONA_MIN_SHIFT,
                       "org_min_change": ORG_MIN_CHANGE},
        "before": {"round_id": before.get("round_id"), "set_id": before.get("id"),
                   "k": len(before.get("personas", [])), "n": before.get("n_used")},
        "after": {"round_id": after.get("round_id"), "set_id": after.get("id"),
                  "k": len(after.get("personas", [])), "n": after.get("n_used")},
        "changes": [],
        "names": {},
        "organisation": _organisation(before, after, org_shared),
    }


def _components(dist: np.ndarray, n_before: int, n_after: int):
    """(groups, owner_b, owner_a): personas joined by one-to-one matches, split-offs and merges.

    A group holds earlier ("b") and later ("a") persona indexes; owner_* map an index to its
    group. One-to-one matches come from an optimal assignment within MATCH_DISTANCE; an
    unmatched persona joins the group of its nearest counterpart when that is close enough.
    """
    matched_b: dict[int, int] = {}
    if dist.size:
        cost = np.where(np.isfinite(dist), dist, 1e6)
        from scipy.optimize import linear_sum_assignment

        for i, j in zip(*linear_sum_assignment(cost), strict=True):
            if dist[i, j] <= MATCH_DISTANCE:
                matched_b[int(i)] = int(j)
    matched_a = {j: i for i, j in matched_b.items()}

    groups: dict[int, dict] = {}  # keyed by a component id
    owner_b, owner_a = {}, {}
    for n, (i, j) in enumerate(sorted(matched_b.items())):
        groups[n] = {"b": [i], "a": [j]}
        owner_b[i], owner_a[j] = n, n
    for j in range(n_after):
        if j in matched_a:
            continue
        i = int(np.argmin(dist[:, j])) if n_before else None
        if i is not None and dist[i, j] <= MATCH_DISTANCE and i in owner_b:
            groups[owner_b[i]]["a"].append(j)
            owner_a[j] = owner_b[i]
    for i in range(n_before):
        if i in matched_b:
            continue
        j = int(np.argmin(dist[i, :])) if n_after else None
        if j is not None and dist[i, j] <= MATCH_DISTANCE and j in owner_a:
            groups[owner_a[j]]["b"].append(i)
            owner_b[i] = owner_a[j]
    return groups, owner_b, owner_a


def _group_kind(bs: list, as_: list, b_share: dict, a_share: dict) -> str:
    if len(bs) == 1 and len(as_) == 1:
        return _size_kind(b_share[bs[0]["key"]], a_share[as_[0]["key"]])
    if len(bs) == 1:
        return "split"
    if len(as_) == 1:
        return "merge"
    return "regroup"


def _change(kind, bs, as_, b_share, a_share, distance, shared) -> dict:
    share_b = sum(b_share[p["key"]] for p in bs)
    share_a = sum(a_share[p["key"]] for p in as_)
    name = (bs[0] if bs else as_[0]).get("name", (bs or as_)[0]["key"])
    return {
        "kind": kind,
        "name": name,
        "before": [_summary(p, b_share[p["key"]]) for p in bs],
        "after": [_summary(p, a_share[p["key"]]) for p in as_],
        "size_before": sum(int(p["size"]) for p in bs),
        "size_after": sum(int(p["size"]) for p in as_),
        "share_before": round(share_b, 4),
        "share_after": round(share_a, 4),
        "share_change": round(share_a - share_b, 4),
        "distance": _round(distance),
        "constructs": _construct_changes(bs, as_, shared) if bs and as_ else [],
    }


def kinds_by_name(comparison: Mapping) -> dict[str, str]:
    """{persona name: kind}; split/merge/regroup parts are listed under every name involved.

    ``comparison`` is a result of :func:`compare_persona_sets`; a name in two changes keeps
    the first (changes are ordered by kind).
    """
    result = {}
    for ch in comparison["changes"]:
        for p in ch["before"] + ch["after"]:
            result.setdefault(p["name"], ch["kind"])
    return result


def carry_over_names(comparison: Mapping, after: PersonaSet) -> PersonaSet:
    """A copy of `after` in which personas that persist (grow, shrink) take their earlier name.

    A later persona whose derived name is taken by a carried-over name gets the name that the
    carrying persona gave up, so names in a set stay unique.
    """
    carried = dict(comparison.get("names", {}))
    result = dict(after)
    personas = [dict(p) for p in after.get("personas", [])]
    freed = {p["key"]: p.get("name") for p in personas if p["key"] in carried}
    taken = set(carried.values())
    spare = [name for key, name in freed.items() if name not in taken]
    for p in personas:
        if p["key"] in carried:
            p["name"] = carried[p["key"]]
        elif p.get("name") in taken:
            p["name"] = spare.pop(0) if spare else f"{p.get('name')} ({p['key']})"
    result["personas"] = personas
    return result


# --- drift report ------------------------------------------------------------------------

TEXTS = {
    "en": {
        "persist": "{name} persists at {after} of respondents (was {before}).",
        "grow": "{name} grew from {before} to {after} of respondents: give what works for this group more weight in "
                "communication and training.",
        "shrink": "{name} shrank from {before} to {after} of respondents: check what moved them before cutting "
                  "activities aimed at this group.",
        "split": "{name} split into {parts}: one message no longer fits this group; see how the parts differ "
                 "before the next wave of communication.",
        "merge": "{parts} merged into one group ({after} of respondents): one approach can now serve them, "
                 "led by what they share.",
        "regroup": "{parts} regrouped into {later}: read the new persona pages before reusing earlier briefs.",
        "appear": "A new group appeared: {name} ({after} of respondents). The current plan does not address it "
                  "yet; read its brief before the next communication.",
        "vanish": "{name} ({before} before) is no longer seen as a separate group: check whether its needs were "
                  "met or have moved to another persona before dropping its activities.",
        "shift": "Within {name}, {construct} moved from {b} to {a}.",
        "org_up": "Across the organisation {construct} rose from {b} to {a}.",
        "org_down": "Across the organisation {construct} fell from {b} to {a}.",
        "org_same": "No construct measured in both rounds changed across the organisation by {min} points or more.",
        "unmeasured": "Not measured in the later round, so not compared: {constructs}.",
        "not_comparable": "The two rounds share no persona constructs, so personas cannot be compared.",
        "no_distinct": "One of the two rounds found no distinct personas, so personas are not compared; "
                       "the organisation-wide figures are.",
        "negative": "{name} is a group for whom the standard approach backfires: do not send campaign-style "
                    "messages or celebrate the change to them; listen first and show what leadership has done.",
        "and": " and ",
    },
    "nl": {
        "persist": "{name} blijft, met {after} van de respondenten (was {before}).",
        "grow": "{name} groeide van {before} naar {after} van de respondenten: geef wat voor deze groep werkt meer "
                "gewicht in communicatie en training.",
        "shrink": "{name} kromp van {before} naar {after} van de respondenten: ga na wat hen veranderde voordat "
                  "je activiteiten voor deze groep schrapt.",
        "split": "{name} splitste in {parts}: één boodschap past niet meer bij deze groep; bekijk hoe de delen "
                 "verschillen voor de volgende communicatieronde.",
        "merge": "{parts} gingen samen in één groep ({after} van de respondenten): één aanpak kan hen nu "
                 "bedienen, vanuit wat ze delen.",
        "regroup": "{parts} hergroepeerden tot {later}: lees de nieuwe personapagina's voordat je eerdere "
                   "briefings hergebruikt.",
        "appear": "Er is een nieuwe groep: {name} ({after} van de respondenten). Het huidige plan spreekt hen nog "
                  "niet aan; lees hun briefing voor de volgende communicatie.",
        "vanish": "{name} ({before} eerder) is geen aparte groep meer: ga na of hun behoeften zijn vervuld of naar "
                  "een andere persona zijn verschoven voordat je activiteiten stopt.",
        "shift": "Binnen {name} ging {construct} van {b} naar {a}.",
        "org_up": "In de hele organisatie steeg {construct} van {b} naar {a}.",
        "org_down": "In de hele organisatie daalde {construct} van {b} naar {a}.",
        "org_same": "Geen construct dat in beide rondes is gemeten veranderde organisatiebreed met {min} punten "
                    "of meer.",
        "unmeasured": "Niet gemeten in de latere ronde, dus niet vergeleken: {constructs}.",
        "not_comparable": "De twee rondes hebben geen personaconstructen gemeen; personas zijn niet te vergelijken.",
        "no_distinct": "Een van de twee rondes vond geen duidelijk verschillende persona's, dus persona's worden "
                       "niet vergeleken; de cijfers van de hele organisatie wel.",
        "negative": "Bij {name} werkt de gewone aanpak averechts: stuur hen geen campagneachtige boodschappen en "
                    "vier de verandering niet tegen hen; luister eerst en laat zien wat de leiding heeft gedaan.",
        "and": " en ",
    },
}

# What an organisation-wide move means for communication and training, per construct.
MEANING = {
    ("change_efficacy", "up"): {"en": "Training can build on more confidence; shift from basics to practice.",
                                "nl": "Training kan voortbouwen op meer zelfvertrouwen; ga van basis naar oefenen."},
    ("change_efficacy", "down"): {"en": "People feel less able to cope: add practice time and support on the job.",
                                  "nl": "Mensen voelen zich minder in staat: voeg oefentijd en ondersteuning op de werkvloer toe."},
    ("management_support", "down"): {"en": "Leaders are seen backing the change less: make them visibly present in "
                                           "the next messages.",
                                     "nl": "De leiding wordt minder als steunend gezien: laat leidinggevenden zichtbaar "
                                           "de volgende boodschappen brengen."},
    ("management_support", "up"): {"en": "Leadership backing is seen more: managers can carry more of the messages.",
                                   "nl": "De steun van de leiding wordt meer gezien: leidinggevenden kunnen meer "
                                         "boodschappen brengen."},
    ("appropriateness", "down"): {"en": "Fewer people see why the change is needed: repeat the why with facts.",
                                  "nl": "Minder mensen zien waarom de verandering nodig is: herhaal het waarom, met feiten."},
    ("appropriateness", "up"): {"en": "The why has landed: communication can move on to the what and how.",
                                "nl": "Het waarom is geland: communicatie kan door naar het wat en hoe."},
    ("personal_valence", "down"): {"en": "People expect less for themselves: be concrete about what is in it for them.",
                                   "nl": "Mensen verwachten er minder van voor zichzelf: wees concreet over wat het hen oplevert."},
    ("amotivation", "up"): {"en": "More people are checked out: listen first, avoid campaign-style messages.",
                            "nl": "Meer mensen haken af: eerst luisteren, geen campagneachtige boodschappen."},
    ("amotivation", "down"): {"en": "Fewer people are checked out: invite them to take part.",
                              "nl": "Minder mensen haken af: nodig hen uit om mee te doen."},
    ("affective_commitment", "down"): {"en": "Commitment is falling: involve people in shaping the next steps.",
                                       "nl": "De betrokkenheid daalt: laat mensen de volgende stappen mee vormgeven."},
}


def _pct(share: float, lang: str = "en") -> str:
    return format_percent(share, lang)


def _cname(comparison: Mapping, construct: str, lang: str) -> str:
    names = comparison.get("construct_names", {}).get(construct) or {}
    name = names.get(lang) or names.get("en") or construct.replace("_", " ")
    # Mid-sentence: "Change efficacy" reads as "change efficacy", but "ADKAR" stays as it is.
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def drift_summary(comparison: Mapping, lang: str = "en") -> list[str]:
    """Sentences for the overview brief and the programme page: what changed, what it means.

    ``comparison`` is a result of :func:`compare_persona_sets`; ``lang`` "nl" or "en"
    (anything else gives English). Shares are written as whole percentages, construct means
    in scale points with one decimal.
    """
    t = TEXTS.get(lang, TEXTS["en"])
    if not comparison.get("comparable", True) and not comparison.get("no_distinct_personas"):
        return [t["not_comparable"]]
    join = t["and"]
    lines = [t["no_distinct"]] if comparison.get("no_distinct_personas") else []
    for ch in comparison["changes"]:
        kind = ch["kind"]
        before_names = join.join(p["name"] for p in ch["before"])
        after_names = join.join(f"{p['name']} ({_pct(p['share'], lang)})" for p in ch["after"])
        name = ch["after"][0]["name"] if kind == "appear" else ch["name"]
        lines.append(t[kind].format(name=name, before=_pct(ch["share_before"], lang), after=_pct(ch["share_after"], lang),
                                    parts=after_names if kind == "split" else before_names, later=after_names))
        for p in ch["after"]:
            if p["negative"] and kind in ("grow", "appear", "split", "merge", "regroup"):
                lines.append(t["negative"].format(name=p["name"]))
        if kind in ONE_TO_ONE:
            for row in ch["constructs"]:
                if row["notable"]:
                    lines.append(t["shift"].format(name=ch["name"], construct=_cname(comparison, row["construct"], lang),
                                                   b=format_number(row['before'], lang), a=format_number(row['after'], lang)))
    org_rows = [r for r in comparison["organisation"]["constructs"] if r["changed"]]
    for row in org_rows:
        lines.append(t["org_" + row["direction"]].format(construct=_cname(comparison, row["construct"], lang),
                                                          b=format_number(row['before'], lang), a=format_number(row['after'], lang)))
        meaning = MEANING.get((row["construct"], row["direction"]))
        if meaning:
            lines.append(meaning.get(lang, meaning["en"]))
    if not org_rows:
        lines.append(t["org_same"].format(min=format_number(ORG_MIN_CHANGE, lang)))
    if comparison.get("unmeasured"):
        lines.append(t["unmeasured"].format(
            constructs=", ".join(_cname(comparison, c, lang) for c in comparison["unmeasured"])))
    return lines
