"""Random and mutated bytes into every loader and the analyzer: a result or a clear rejection, in time.

Never an unhandled exception, never a hang: the worker that runs the analyzer must survive any file.
"""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.contracts.analysis import analyze_text
from core.contracts.analysis.contract_analysis import analyze_contract
from core.contracts.analysis.risk import RISK_FLAGS
from core.contracts.contract import Contract, ContractRejected, LoadRejection
from core.contracts.loader import MEDIA_TYPES, load_file

from .conftest import CONTRACT_TEXT, SAMPLES

# Per document; the slowest real contract in the CUAD corpus takes about 0.15 s.
TIME_BOUND_S = 3.0
SUFFIXES = sorted(MEDIA_TYPES)
SAMPLE_FILES = sorted(p for p in SAMPLES.iterdir() if p.is_file() and not p.name.startswith("."))

_settings = settings(
    max_examples=40,
    deadline=None,  # timing is asserted explicitly, with a bound that tolerates a loaded CI machine
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _analyze_bounded(contract: Contract) -> None:
    started = time.perf_counter()
    try:
        result = analyze_contract(contract.data, contract.media_type)
    except ContractRejected as exc:
        assert exc.reason
    else:
        assert isinstance(result, dict) and "risk_flags" in result
    assert time.perf_counter() - started < TIME_BOUND_S


def _load_and_analyze(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    for item in load_file(path):
        if isinstance(item, LoadRejection):
            assert item.reason
        else:
            _analyze_bounded(item)


@_settings
@given(suffix=st.sampled_from(SUFFIXES), data=st.binary(max_size=4096))
def test_random_bytes_any_format(tmp_path_factory, suffix: str, data: bytes) -> None:  # type: ignore[no-untyped-def]
    _load_and_analyze(tmp_path_factory.mktemp("rand"), f"random{suffix}", data)


@_settings
@given(media_type=st.sampled_from(sorted(set(MEDIA_TYPES.values()))), data=st.binary(max_size=4096))
def test_random_bytes_straight_to_worker(media_type: str, data: bytes) -> None:
    """The worker gets bytes and a media type only, skipping the loader's checks."""
    _analyze_bounded(Contract("x", data, media_type))


@st.composite
def mutated_sample(draw: st.DrawFn) -> tuple[str, bytes]:
    path = draw(st.sampled_from(SAMPLE_FILES))
    data = bytearray(path.read_bytes())
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        action = draw(st.sampled_from(("flip", "truncate", "insert", "delete")))
        position = draw(st.integers(0, len(data) - 1))
        if action == "flip":
            data[position] ^= 1 << draw(st.integers(0, 7))
        elif action == "truncate":
            del data[position:]
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=64))
        else:
            del data[position : position + draw(st.integers(1, 256))]
    return path.name, bytes(data)


@_settings
@given(sample=mutated_sample())
def test_mutated_samples(tmp_path_factory, sample: tuple[str, bytes]) -> None:  # type: ignore[no-untyped-def]
    name, data = sample
    _load_and_analyze(tmp_path_factory.mktemp("mut"), name, data)


@_settings
@given(text=st.text(max_size=3000))
def test_random_text_to_analyzer(text: str) -> None:
    started = time.perf_counter()
    result = analyze_text(text)
    assert time.perf_counter() - started < TIME_BOUND_S
    assert set(result["risk_flags"]) <= set(RISK_FLAGS)


@_settings
@given(
    words=st.lists(
        st.sampled_from(
            ["between", "and", "(", ")", '"', "Inc.", "the laws of", "governed by", "term", "of", "five (5)",
             "years", "notice", "days", "renew", "automatically", "successive", "Agreement", "dated",
             "June 8,",
             "2010", ",", ";", "Party A:", "ACME", "Corp", "$", "1,000", "the", "State", "New York", "."]
        ),
        max_size=400,
    )
)  # fmt: skip
def test_contract_vocabulary_soup(words: list[str]) -> None:
    """Sequences built from the very words the patterns look for: the worst case for backtracking."""
    started = time.perf_counter()
    analyze_text(" ".join(words))
    assert time.perf_counter() - started < TIME_BOUND_S


def test_adversarial_repetitions_stay_fast() -> None:
    cases = [
        "between " + "A and " * 20000,
        "governed by the laws of " + "the State of " * 20000,
        "(" * 50000 + ")" * 50000,
        "This Agreement is made as of " + "June 8, " * 20000,
        "the term of this Agreement " + "for a period of " * 20000,
        '"' * 100000,
        "Party A: " + "X Co., Ltd. " * 10000,
        CONTRACT_TEXT * 200,
    ]
    for text in cases:
        started = time.perf_counter()
        analyze_text(text)
        assert time.perf_counter() - started < 2 * TIME_BOUND_S, text[:40]
