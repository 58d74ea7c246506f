"""Synthetic respondents: valid answers, known segments, reproducible."""

from __future__ import annotations

import numpy as np
import pytest

from toolkit.core.questionnaire import load_questionnaire
from toolkit.core.scoring import score_matrix
from toolkit.core.synthetic import (
    SEGMENT_SHAPES,
    _segment_sizes,
    default_segments,
    generate_responses,
)


@pytest.fixture(scope="module")
def q():
    return load_questionnaire("questionnaires/default.toml")


@pytest.fixture(scope="module")
def generated(q):
    return generate_responses(q, 2000, seed=3, missing_rate=0.1)


def test_every_answer_is_valid_for_the_questionnaire(q, generated):
    answers, labels, contexts = generated
    assert len(answers) == len(labels) == len(contexts) == 2000
    assert set(answers) == set(labels) == set(contexts)
    for response in answers.values():
        for item_id, value in response.items():
            item = q.items[item_id]
            if item.type == "likert":
                scale = q.scales[item.scale]
                assert type(value) is int and scale.min <= value <= scale.max
            elif item.type == "single":
                assert item.option(value) is not None
            elif item.type == "multi":
                assert value and all(item.option(v) is not None for v in value)
            else:
                assert isinstance(value, str)
    assert all(isinstance(c["team"], str) and c["team"] for c in contexts.values())


def test_construct_scores_come_out_at_the_segment_targets(q):
    segments = default_segments()
    answers, labels, _ = generate_responses(q, 4000, segments=segments, seed=1)
    matrix = score_matrix(q, answers, list(q.constructs))
    truth = np.array([labels[rid] for rid in matrix.response_ids])
    for index, segment in enumerate(segments):
        for construct, target in segment.means.items():
            if construct not in q.constructs or not 2.0 <= target <= 4.0:
                continue  # near the scale ends clipping pulls the mean inwards, by design
            observed = matrix.column(construct)[truth == index].mean()
            assert abs(observed - target) < 0.2, (segment.key, construct, observed, target)


def test_reverse_keyed_items_are_written_mirrored(q):
    segment = SEGMENT_SHAPES["practical_sceptic"]  # appropriateness target 1.8: low
    answers, _, _ = generate_responses(q, 500, segments=[segment], seed=2)
    normal = np.mean([a["rdy_app_1"] for a in answers.values()])
    mirrored = np.mean([a["rdy_app_3"] for a in answers.values()])  # reverse = true
    assert normal < 2.5 < mirrored


def test_same_seed_same_respondents_other_seed_others(q):
    first = generate_responses(q, 300, seed=9, missing_rate=0.05)
    again = generate_responses(q, 300, seed=9, missing_rate=0.05)
    other = generate_responses(q, 300, seed=10, missing_rate=0.05)
    assert first == again
    assert first[0] != other[0]


def test_segment_sizes_follow_the_shares_exactly():
    assert _segment_sizes([0.4, 0.27, 0.21, 0.12], 100) == [40, 27, 21, 12]
    assert sum(_segment_sizes([1, 1, 1], 100)) == 100
    with pytest.raises(ValueError):
        _segment_sizes([0, 0], 10)


def test_true_labels_match_segment_shares(q):
    answers, labels, _ = generate_responses(q, 1000, seed=4)
    counts = np.bincount(list(labels.values()))
    assert counts.tolist() == _segment_sizes([s.share for s in default_segments()], 1000)


def test_missing_rate_drops_that_share_of_answers(q, generated):
    answers, _, _ = generated
    likert = [i.id for i in q.items.values() if i.type == "likert"]
    present = np.mean([iid in a for a in answers.values() for iid in likert])
    assert present == pytest.approx(0.9, abs=0.01)


def test_uniform_answers_use_every_scale_point_equally(q):
    answers, labels, _ = generate_responses(q, 1000, seed=5, uniform=True)
    values = np.array([a["mot_int_1"] for a in answers.values()])
    shares = np.bincount(values, minlength=6)[1:] / len(values)
    assert np.all(np.abs(shares - 0.2) < 0.04)
    assert set(labels.values()) == {0}


def test_blob_has_one_strong_general_factor(q):
    answers, labels, _ = generate_responses(q, 1000, seed=6, blob=True)
    matrix = score_matrix(q, answers)
    eigen = np.linalg.eigvalsh(np.corrcoef(matrix.values, rowvar=False))
    assert eigen[-1] / eigen.sum() > 0.3  # one dominant "overall positivity" axis
    assert set(labels.values()) == {0}


def test_choices_and_open_texts_depend_on_the_segment(q):
    answers, labels, _ = generate_responses(q, 2000, seed=7)
    innovator = [rid for rid, s in labels.items() if s == 0]  # energised_innovator
    others = [rid for rid, s in labels.items() if s != 0]

    def share(rids):
        return np.mean([answers[r].get("com_messenger") == "senior_leader" for r in rids])

    assert share(innovator) > share(others) + 0.3
    texts = [a["open_help"] for a in answers.values() if "open_help" in a]
    assert texts and any(t != t.strip() for t in texts) and any(not t.strip() for t in texts)


def test_default_segments_differ_in_size():
    segments = default_segments()
    assert 3 <= len(segments) <= 4
    assert sum(s.share for s in segments) == pytest.approx(1.0)
    assert len({s.share for s in segments}) == len(segments)


def test_unknown_segment_name_is_a_clear_error(q):
    with pytest.raises(ValueError, match="unknown segment shape 'hero'"):
        generate_responses(q, 10, segments=["hero"])
