"""Persona derivation: right k on known truth, k = 1 on noise, stability, evidence, privacy."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from toolkit.core.messages import Message, MessageError
from toolkit.core.personas import (
    PersonaConfigError,
    clusterwise_jaccard,
    derive_personas,
    describe_personas,
    load_persona_config,
    merge_small_clusters,
    stability_band,
)
from toolkit.core.questionnaire import load_questionnaire
from toolkit.core.scoring import ScoreMatrix, score_matrix
from toolkit.core.synthetic import SEGMENT_SHAPES, default_segments, generate_responses

BOOT = 20  # enough resamples where stability is not the point of the test


@pytest.fixture(scope="module")
def q():
    return load_questionnaire("questionnaires/default.toml")


@pytest.fixture(scope="module")
def config():
    return load_persona_config()


@pytest.fixture(scope="module")
def four_segments(q):
    """400 respondents from the four demo segments, with some missing answers."""
    answers, labels, contexts = generate_responses(q, 400, seed=11, missing_rate=0.05)
    matrix = score_matrix(q, answers)
    persona_set = derive_personas(matrix, q, bootstrap=BOOT, seed=0)
    return answers, labels, contexts, matrix, persona_set


def assignment(persona_set) -> dict[str, str]:
    return {rid: p["key"] for p in persona_set["personas"] for rid in p["members"]}


def ari(persona_set, labels) -> float:
    assigned = assignment(persona_set)
    rids = sorted(assigned)
    return adjusted_rand_score([labels[r] for r in rids], [assigned[r] for r in rids])


# --- the right number of personas ------------------------------------------------------------


def test_four_well_separated_segments_are_recovered(four_segments):
    _, labels, _, _, persona_set = four_segments
    assert persona_set["k"] == 4
    assert persona_set["no_distinct_personas"] is False
    assert ari(persona_set, labels) >= 0.9


@pytest.mark.parametrize(
    "shapes, n, seed",
    [
        (["energised_innovator", "practical_sceptic", "disengaged"], 300, 12),
        (["anxious_rule_follower", "practical_sceptic"], 200, 13),
    ],
)
def test_fewer_segments_are_recovered_with_their_own_k(q, shapes, n, seed):
    segments = [replace(SEGMENT_SHAPES[s], share=1 / len(shapes)) for s in shapes]
    answers, labels, _ = generate_responses(q, n, segments=segments, seed=seed)
    persona_set = derive_personas(score_matrix(q, answers), q, bootstrap=0)
    assert persona_set["k"] == len(shapes)
    assert ari(persona_set, labels) >= 0.9


def test_one_correlated_blob_is_one_profile_not_happy_and_unhappy(q, config):
    # The blob has a strong overall-positivity factor (see test_synthetic); k-means would slice it.
    answers, _, _ = generate_responses(q, 600, seed=14, blob=True)
    persona_set = derive_personas(score_matrix(q, answers), q, bootstrap=BOOT)
    assert persona_set["k"] == 1
    assert persona_set["no_distinct_personas"] is True
    (only,) = persona_set["personas"]
    assert only["size"] == persona_set["n_used"] == 600
    assert only["label"] == config.overall_label
    assert only["stability"] == 1.0 and only["presented"] is True


def test_uniform_random_answers_give_no_distinct_personas(q):
    answers, _, _ = generate_responses(q, 600, seed=15, uniform=True)
    persona_set = derive_personas(score_matrix(q, answers), q, bootstrap=BOOT)
    assert persona_set["k"] == 1
    assert persona_set["no_distinct_personas"] is True
    assert persona_set["quality"]["k_suggested"] == 1


def test_k_can_be_forced_and_the_criterion_still_reports_its_choice(q, four_segments):
    _, _, _, matrix, _ = four_segments
    persona_set = derive_personas(matrix, q, k=2, bootstrap=0)
    assert persona_set["k"] == 2 and persona_set["k_requested"] == 2
    assert persona_set["quality"]["k_suggested"] == 4
    assert set(persona_set["quality"]["k_scores"]) == {str(k) for k in range(1, 7)}
    one = derive_personas(matrix, q, k=1, bootstrap=0)
    assert one["no_distinct_personas"] is True and one["k"] == 1


def test_same_input_gives_identical_output_whatever_the_row_order(q, four_segments):
    _, _, _, matrix, persona_set = four_segments
    again = derive_personas(matrix, q, bootstrap=BOOT, seed=0)
    assert json.dumps(again, sort_keys=True) == json.dumps(persona_set, sort_keys=True)
    order = np.random.default_rng(1).permutation(len(matrix.response_ids))
    shuffled = ScoreMatrix(
        tuple(matrix.response_ids[i] for i in order), matrix.constructs, matrix.values[order]
    )
    assert derive_personas(shuffled, q, bootstrap=BOOT, seed=0) == persona_set


# --- minimum size, exclusion -----------------------------------------------------------------


def test_small_cluster_is_merged_into_the_nearest_centroid():
    rng = np.random.default_rng(0)
    z = np.vstack(
        [
            rng.normal([0, 0], 0.1, (50, 2)),  # cluster 0
            rng.normal([10, 0], 0.1, (50, 2)),  # cluster 1
            rng.normal([8, 0], 0.1, (3, 2)),  # cluster 2: too small, nearest is cluster 1
        ]
    )
    labels = np.repeat([0, 1, 2], [50, 50, 3])
    merged, sizes = merge_small_clusters(z, labels, min_count=5)
    assert sizes == [3]
    assert merged.max() == 1
    assert (merged[100:] == merged[50]).all() and merged[0] != merged[50]


def test_smallest_cluster_merges_first_and_centroids_are_recomputed():
    z = np.array([[0.0]] * 20 + [[10.0]] * 3 + [[12.0]] * 4 + [[30.0]] * 20)
    labels = np.repeat([0, 1, 2, 3], [20, 3, 4, 20])
    merged, sizes = merge_small_clusters(z, labels, min_count=5)
    # 3 people at 10 join the 4 at 12 (nearest); together (7) they are big enough to stay.
    assert sizes == [3]
    assert np.bincount(merged).tolist() == [20, 7, 20]


def test_undersized_segment_is_merged_in_a_derived_set(q):
    answers, labels, _ = generate_responses(q, 400, seed=16)  # 12 % disengaged = 48 people
    persona_set = derive_personas(score_matrix(q, answers), q, k=4, min_share=0.2, bootstrap=0)
    assert persona_set["quality"]["min_persona_size"] == 80
    assert persona_set["k"] == 3
    assert persona_set["quality"]["merged_sizes"] == [48]
    assert all(p["size"] >= 80 for p in persona_set["personas"])
    disengaged = {rid for rid, s in labels.items() if s == 3}
    assigned = assignment(persona_set)
    assert len({assigned[rid] for rid in disengaged}) == 1  # merged as a whole


def test_privacy_floors_cannot_be_lowered(q, four_segments):
    matrix = four_segments[3]
    with pytest.raises(ValueError, match="min_size"):
        derive_personas(matrix, q, min_size=4)
    with pytest.raises(ValueError, match="min_share"):
        derive_personas(matrix, q, min_share=0.01)


def test_respondents_missing_more_than_a_third_are_excluded_and_counted(q):
    answers, _, _ = generate_responses(q, 200, seed=17)
    dims = q.dimension_constructs()  # 11 constructs: 4 missing is more than a third, 3 is not
    rids = sorted(answers)
    too_sparse, sparse = rids[:7], rids[7:12]
    for rid, drop in [(r, 4) for r in too_sparse] + [(r, 3) for r in sparse]:
        for construct in dims[:drop]:
            for item in q.constructs[construct].items:
                answers[rid].pop(item, None)
    persona_set = derive_personas(score_matrix(q, answers), q, bootstrap=0)
    assert persona_set["n_respondents"] == 200
    assert persona_set["excluded"] == {"too_many_missing": 7}
    assert persona_set["n_used"] == persona_set["overall"]["n"] == 193
    members = set(assignment(persona_set))
    assert members.isdisjoint(too_sparse) and members.issuperset(sparse)
    assert persona_set["quality"]["imputed_values"] == 5 * 3
    assert "construct mean" in persona_set["quality"]["imputation"]


def test_a_missing_dimension_is_a_clear_error(q, four_segments):
    matrix = four_segments[3]
    partial = ScoreMatrix(matrix.response_ids, matrix.constructs[:-1], matrix.values[:, :-1])
    with pytest.raises(ValueError, match="affective_commitment"):
        derive_personas(partial, q)


# --- stability -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, band",
    [
        (1.0, "stable"),
        (0.75, "stable"),
        (0.749, "indicative"),
        (0.6, "indicative"),
        (0.599, "unstable"),
        (0.0, "unstable"),
        (None, "not_assessed"),
    ],
)
def test_stability_bands(value, band):
    assert stability_band(value) == band


def test_clusterwise_jaccard_takes_the_best_match_per_cluster():
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    rows = np.array([0, 1, 2, 3, 4, 5, 6])  # row 7 not drawn in this resample
    boot = np.array([5, 5, 5, 2, 2, 2, 2])  # resample cluster ids are arbitrary
    jac = clusterwise_jaccard(labels, rows, np.unique(boot, return_inverse=True)[1])
    assert jac.tolist() == pytest.approx([3 / 4, 3 / 4])


def test_well_separated_personas_are_stable_and_presented(four_segments):
    persona_set = four_segments[4]
    for persona in persona_set["personas"]:
        assert persona["stability"] >= 0.75
        assert persona["stability_band"] == "stable" and persona["presented"] is True


def test_forced_personas_in_noise_are_unstable_and_not_presented(q):
    answers, _, _ = generate_responses(q, 400, seed=18, uniform=True)
    calls = []
    persona_set = derive_personas(
        score_matrix(q, answers), q, k=3, bootstrap=30, progress=lambda f, m: calls.append((f, m))
    )
    assert persona_set["k"] == 3
    for persona in persona_set["personas"]:
        assert persona["stability"] < 0.6
        assert persona["stability_band"] == "unstable" and persona["presented"] is False
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(0.0 <= f <= 1.0 for f in fractions)
    assert sum(str(m).startswith("Checking stability: resample") for _, m in calls) == 30
    assert all(isinstance(m, Message) for _, m in calls)  # a catalogue key, translated where shown
    # the near-miss check at k = 4 runs the same bootstrap once more, after the set's own
    assert sum(str(m).startswith("Checking whether more groups fit better") for _, m in calls) in (0, 30)


def test_without_bootstrap_stability_is_not_assessed(q, four_segments):
    persona_set = derive_personas(four_segments[3], q, bootstrap=0)
    assert {p["stability_band"] for p in persona_set["personas"]} == {"not_assessed"}
    assert all(p["stability"] is None for p in persona_set["personas"])


# --- evidence: every figure recomputed straight from the answers ------------------------------


def direct_scores(q, answers, rids, construct) -> np.ndarray:
    """Construct scores from raw answers with plain numpy (NaN when under 2/3 answered)."""
    items = q.constructs[construct].items
    raw = np.array([[answers[r].get(i, np.nan) for i in items] for r in rids], dtype=float)
    for j, item_id in enumerate(items):
        item = q.items[item_id]
        if item.reverse:
            scale = q.scales[item.scale]
            raw[:, j] = scale.min + scale.max - raw[:, j]
    answered = (~np.isnan(raw)).sum(axis=1)
    total = np.where(np.isnan(raw), 0, raw).sum(axis=1)
    enough = answered >= math.ceil(len(items) * 2 / 3 - 1e-9)
    return np.where(enough, total / np.maximum(answered, 1), np.nan)


def test_every_figure_equals_a_direct_computation_from_the_answers(q, four_segments):
    answers, _, _, _, persona_set = four_segments
    everyone = sorted(assignment(persona_set))
    close = {"abs": 0.0005 + 1e-12}
    level_parts = [
        "appropriateness",
        "management_support",
        "change_efficacy",
        "personal_valence",
        "affective_commitment",
        "amotivation",
    ]

    def level(means):
        return np.mean([6 - means[c] if c == "amotivation" else means[c] for c in level_parts])

    org = {}
    for construct in persona_set["dimensions"]:
        values = direct_scores(q, answers, everyone, construct)
        values = values[~np.isnan(values)]
        org[construct] = (values.mean(), values.std(ddof=1))
        entry = persona_set["overall"]["profile"][construct]
        assert entry["n"] == values.size
        assert entry["mean"] == pytest.approx(values.mean(), **close)
        assert entry["sd"] == pytest.approx(values.std(ddof=1), **close)
    assert persona_set["overall"]["level"] == pytest.approx(
        level({c: m for c, (m, _) in org.items()}), **close
    )

    for persona in persona_set["personas"]:
        members = persona["members"]
        assert persona["size"] == len(members)
        assert persona["share"] == pytest.approx(len(members) / len(everyone), **close)
        means = {}
        for construct, entry in persona["profile"].items():
            values = direct_scores(q, answers, members, construct)
            values = values[~np.isnan(values)]
            mean, (org_mean, org_sd) = values.mean(), org[construct]
            means[construct] = mean
            assert entry["n"] == values.size
            assert entry["mean"] == pytest.approx(mean, **close)
            assert entry["diff"] == pytest.approx(mean - org_mean, **close)
            assert entry["z"] == pytest.approx((mean - org_mean) / org_sd, **close)
        assert persona["level"] == pytest.approx(level(means), **close)
        expected = sorted(
            (c for c, e in persona["profile"].items() if abs(e["z"]) >= 0.5),
            key=lambda c: -abs(persona["profile"][c]["z"]),
        )[:4]
        assert [d["construct"] for d in persona["distinguishing"]] == expected
        for d in persona["distinguishing"]:
            assert d["org_mean"] == pytest.approx(org[d["construct"]][0], **close)
            assert d["direction"] == ("high" if d["z"] > 0 else "low")
            assert d["n"] == persona["profile"][d["construct"]]["n"]


def test_persona_set_follows_the_contract_and_is_plain_json(q, four_segments):
    persona_set = four_segments[4]
    for key in (
        "method",
        "criterion",
        "seed",
        "k",
        "k_requested",
        "no_distinct_personas",
        "dimensions",
        "n_respondents",
        "n_used",
        "excluded",
        "overall",
        "quality",
        "personas",
    ):
        assert key in persona_set
    assert persona_set["dimensions"] == q.dimension_constructs()
    assert persona_set["method"] == "gaussian-mixture"
    persona = persona_set["personas"][0]
    for key in (
        "key",
        "name",
        "label",
        "size",
        "share",
        "stability",
        "stability_band",
        "presented",
        "level",
        "profile",
        "distinguishing",
        "members",
    ):
        assert key in persona
    assert set(persona["label"]) == {"nl", "en"}
    json.loads(json.dumps(persona_set, allow_nan=False, sort_keys=True))
    sizes = [p["size"] for p in persona_set["personas"]]
    assert sizes == sorted(sizes, reverse=True)
    assert [p["key"] for p in persona_set["personas"]] == [f"p{i + 1}" for i in range(len(sizes))]


# --- names and labels ------------------------------------------------------------------------


def test_segments_get_the_label_rules_written_for_them(four_segments, config):
    _, labels, _, _, persona_set = four_segments
    assigned = assignment(persona_set)
    expected = {
        "energised_innovator": "energised_innovator",
        "anxious_rule_follower": "needs_structure",
        "practical_sceptic": "sceptic_needs_why",
        "disengaged": "disengaged_distrustful",
    }
    by_key = {p["key"]: p for p in persona_set["personas"]}
    for index, segment in enumerate(default_segments()):
        rids = [r for r, s in labels.items() if s == index]
        key = max(set(assigned[r] for r in rids), key=[assigned[r] for r in rids].count)
        assert persona_set["quality"]["labels"][key] == f"rule:{expected[segment.key]}"
        rule = next(r for r in config.rules if r.id == expected[segment.key])
        assert by_key[key]["label"] == rule.label
        if segment.key == "disengaged":
            assert persona_set["quality"]["negative_personas"] == [key]
    names = [p["name"] for p in persona_set["personas"]]
    assert len(set(names)) == len(names) and set(names) <= set(config.name_pool())
    women, men = config.name_groups  # personas take turns over the name groups
    assert [name in women for name in names] == [True, False, True, False]


def test_without_matching_rules_the_label_comes_from_high_and_low_phrases(q, four_segments, config):
    bare = replace(config, rules=())
    persona_set = derive_personas(
        four_segments[3], q, bootstrap=0, config=bare, names=["Alex", "Sam", "Kim", "Robin"]
    )
    for persona in persona_set["personas"]:
        top = persona["distinguishing"][:2]
        phrases = [
            (
                q.constructs[d["construct"]].high
                if d["direction"] == "high"
                else q.constructs[d["construct"]].low
            )["en"]
            for d in top
        ]
        text = "; ".join(phrases)
        assert persona["label"]["en"] == text[:1].upper() + text[1:]
        assert persona["name"] in {"Alex", "Sam", "Kim", "Robin"}


def test_persona_config_reports_every_problem(tmp_path):
    path = tmp_path / "personas.toml"
    path.write_text(
        '[names.women]\nnl = ["Sanne"]\nen = "Tom"\n'
        '[[labels]]\nid = "x"\nwhen = ["efficacy is low"]\nnl = "Laag"\n'
        '[fallback]\nnone.nl = "Gemiddeld"\nnone.en = "Average"\n'
        '[overall]\nnl = "Eén"\nen = "One"\n',
        encoding="utf-8",
    )
    with pytest.raises(PersonaConfigError) as info:
        load_persona_config(path)
    problems = "\n".join(info.value.problems)
    assert "names.women.en: expected a list of first names" in problems
    assert "cannot read condition 'efficacy is low'" in problems
    assert "labels 'x': missing en text" in problems


# --- describe_personas -----------------------------------------------------------------------


def test_description_figures_equal_direct_counts(q, four_segments):
    answers, _, contexts, _, persona_set = four_segments
    described = describe_personas(persona_set, q, answers, contexts)
    json.dumps(described, allow_nan=False)
    everyone = sorted(assignment(persona_set))
    for persona in described["personas"]:
        members = persona["members"]
        desc = persona["description"]
        answered = [r for r in members if answers[r].get("com_channels")]
        for entry in desc["communication"]["channels"]:
            n = sum(entry["value"] in answers[r]["com_channels"] for r in answered)
            assert entry["n"] == n >= 5
            assert entry["share"] == pytest.approx(n / len(answered), abs=0.0005)
        detail = [answers[r]["com_detail"] for r in members if "com_detail" in answers[r]]
        org = [answers[r]["com_detail"] for r in everyone if "com_detail" in answers[r]]
        assert desc["communication"]["detail"] == {
            "mean": pytest.approx(np.mean(detail), abs=0.0005),
            "n": len(detail),
            "org_mean": pytest.approx(np.mean(org), abs=0.0005),
        }
        for stage in desc["adkar"]:
            item = q.constructs[stage["stage"]].items[0]
            values = np.array([answers[r][item] for r in members if item in answers[r]])
            assert stage["n"] == values.size
            assert stage["mean"] == pytest.approx(values.mean(), abs=0.0005)
            assert stage["barrier_share"] == pytest.approx((values <= 3).mean(), abs=0.0005)
        teams = [contexts[r]["team"] for r in members]
        for entry in desc["context"]["team"]:
            assert entry["n"] == teams.count(entry["value"]) >= 5
        roles = [answers[r].get("ctx_role") for r in members]
        for entry in desc["context"]["role"]:  # from the ctx_role item in the answers
            assert entry["n"] == roles.count(entry["value"])


def test_small_categories_and_small_groups_quotes_are_suppressed(q):
    answers, _, _ = generate_responses(q, 30, seed=19)
    rids = sorted(answers)
    small, large = rids[:8], rids[8:20]
    for i, rid in enumerate(rids[:20]):
        answers[rid]["open_help"] = f"  help   number {i}  " if i % 3 else "   "
        answers[rid]["open_situation"] = f"When {i} happens\n I want help"
    contexts = {rid: {"team": "Finance" if i < 14 else "HR"} for i, rid in enumerate(rids[:20])}
    persona_set = {"personas": [{"key": "p1", "members": small}, {"key": "p2", "members": large}]}
    described = describe_personas(
        persona_set, q, answers, contexts, min_group=5, min_quote_group=10
    )
    p1, p2 = (p["description"] for p in described["personas"])
    assert p1["situations"] == [] and p1["quotes"] == []
    assert 0 < len(p2["quotes"]) <= 5 and 0 < len(p2["situations"]) <= 5
    assert all(t == " ".join(t.split()) and t for t in p2["quotes"] + p2["situations"])
    assert (
        p2["quotes"]
        == describe_personas(persona_set, q, answers, contexts)["personas"][1]["description"][
            "quotes"
        ]
    )  # deterministic
    # p2: 6 Finance (8..13) and 6 HR (14..19) -> both shown; p1: 8 Finance -> shown
    assert p1["context"]["team"] == [{"value": "Finance", "n": 8}]
    assert sorted(e["n"] for e in p2["context"]["team"]) == [6, 6]
    shown = {e["value"] for e in p1["communication"]["channels"]}
    hidden = [s for s in p1["suppressed"] if s.startswith("communication.channels")]
    counts = {}
    for rid in small:
        for v in answers[rid].get("com_channels", []):
            counts[v] = counts.get(v, 0) + 1
    assert shown == {v for v, c in counts.items() if c >= 5}
    under = sum(1 for c in counts.values() if c < 5)
    if under:
        assert hidden and hidden[0].startswith(f"communication.channels: {under} categor")
    assert all(c >= 5 for c in (e["n"] for e in p1["communication"]["channels"]))


def test_describe_leaves_the_input_alone_and_adds_labels_in_a_language(q, four_segments):
    answers, _, contexts, _, persona_set = four_segments
    before = json.dumps(persona_set, sort_keys=True)
    described = describe_personas(persona_set, q, answers, contexts, lang="nl")
    assert json.dumps(persona_set, sort_keys=True) == before
    entry = described["personas"][0]["description"]["learning"]["format"][0]
    assert entry["label"] == q.items["lrn_format"].option(entry["value"]).label["nl"]
    with pytest.raises(ValueError):
        describe_personas(persona_set, q, answers, contexts, min_group=3)


# --- small and odd rounds ----------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 2, 9])
def test_tiny_rounds_give_at_most_one_profile(q, n):
    answers, _, contexts = generate_responses(q, n, seed=20)
    persona_set = derive_personas(score_matrix(q, answers), q, bootstrap=5)
    assert persona_set["k"] == len(persona_set["personas"]) == min(n, 1)
    assert persona_set["no_distinct_personas"] is True
    described = describe_personas(persona_set, q, answers, contexts)
    json.dumps(described, allow_nan=False)


def test_a_construct_nobody_answered_is_reported_as_missing_not_zero(q):
    answers, _, _ = generate_responses(q, 200, seed=21)
    for response in answers.values():
        for item in q.constructs["identified"].items:
            response.pop(item, None)
    persona_set = derive_personas(score_matrix(q, answers), q, bootstrap=0)
    assert persona_set["n_used"] == 200
    assert persona_set["overall"]["profile"]["identified"] == {"mean": None, "sd": None, "n": 0}
    for persona in persona_set["personas"]:
        assert persona["profile"]["identified"]["mean"] is None
        assert persona["label"]["en"]  # rules on "autonomous" simply do not fire
    json.dumps(persona_set, allow_nan=False)


def test_forcing_more_personas_than_fit_is_refused_with_the_reason(q):
    """Issue 20: 3 personas forced on 9 people gave 1 persona and blamed the data; now it says why."""
    answers, _, _ = generate_responses(q, 9, seed=3)
    with pytest.raises(MessageError) as refused:
        derive_personas(score_matrix(q, answers), q, k=3, bootstrap=0)
    message = refused.value.message
    assert message.params == {"k": 3, "needed": 15, "min": 5, "n": 9, "max": 1}
    assert "Choose fewer personas" in str(refused.value)
    assert derive_personas(score_matrix(q, answers), q, k=1, bootstrap=0)["k"] == 1  # one always fits
