"""Resources: which values are accepted and how they are written."""

from __future__ import annotations

import dataclasses

import pytest

from flyweight._settings import Resources
from flyweight.errors import TaskDefinitionError


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"cpu": "500m"},
        {"cpu": 2},
        {"cpu": 0.5},
        {"cpu": ("1", 2.5)},
        {"cpu": [1, "2"]},
        {"mem": "2Gi"},
        {"mem": 1024},
        {"mem": ["1Gi", "2Gi"]},
        {"gpu": 1},
        {"gpu": ("1", 2)},
        {"ephemeral_storage": "1Gi"},
        {"ephemeral_storage": 1024},
        {"cpu": "1", "mem": "1Gi", "gpu": 1, "ephemeral_storage": "10Gi"},
    ],
)
def test_accepted_values(kwargs: dict[str, object]) -> None:
    resources = Resources(**kwargs)  # type: ignore[arg-type]
    for field, value in kwargs.items():
        assert getattr(resources, field) == value


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"cpu": True}, "cpu=True: expected str or int or float, got bool"),
        ({"mem": False}, "mem=False: expected str or int, got bool"),
        ({"gpu": True}, "gpu=True"),
        ({"ephemeral_storage": True}, "ephemeral_storage=True"),
        ({"cpu": [True, 1]}, r"cpu\[0\]=True"),
        ({"mem": 1.5}, "mem=1.5: expected str or int, got float; fractions are for cpu only"),
        ({"gpu": 0.5}, "gpu=0.5: expected str or int, got float"),
        ({"ephemeral_storage": 1.5}, "ephemeral_storage=1.5"),
        ({"mem": ("1Gi", 2.5)}, r"mem\[1\]=2.5"),
        ({"cpu": [1]}, r"cpu=\[1\]: a \(request, limit\) pair needs exactly 2 values, got 1"),
        ({"cpu": ()}, "got 0"),
        ({"mem": ("1", "2", "3")}, "got 3"),
        ({"ephemeral_storage": ("1Gi", "2Gi")}, "ephemeral_storage takes one value, not a"),
        ({"cpu": {"request": 1}}, "cpu=.*got dict"),
        ({"mem": None, "gpu": object()}, "gpu=.*got object"),
    ],
)
def test_rejected_values(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(TaskDefinitionError, match=match):
        Resources(**kwargs)  # type: ignore[arg-type]


def test_a_rejection_is_a_value_error_and_an_assertion_error_as_flytekit_raised() -> None:
    with pytest.raises(ValueError):
        Resources(cpu=[1])
    with pytest.raises(AssertionError):
        Resources(mem=1.5)  # type: ignore[arg-type]


def test_resources_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Resources(cpu=1).cpu = 2  # type: ignore[misc]


def test_entries_in_wire_order() -> None:
    resources = Resources(mem="2Gi", gpu=1, cpu="500m", ephemeral_storage="10Gi")
    assert resources.entries() == [
        ("EPHEMERAL_STORAGE", "10Gi"),
        ("CPU", "500m"),
        ("GPU", "1"),
        ("MEMORY", "2Gi"),
    ]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"cpu": 1}, [("CPU", "1")]),
        ({"cpu": 0.5}, [("CPU", "0.5")]),
        ({"mem": 1024}, [("MEMORY", "1024")]),
        ({"ephemeral_storage": 2048}, [("EPHEMERAL_STORAGE", "2048")]),
        ({}, []),
        ({"cpu": 0, "mem": "", "gpu": 0, "ephemeral_storage": ""}, []),
        ({"cpu": 0.0, "mem": "1Gi"}, [("MEMORY", "1Gi")]),
        ({"cpu": "0"}, [("CPU", "0")]),
    ],
)
def test_entries_skip_unset_and_empty_values(
    kwargs: dict[str, object], expected: list[tuple[str, str]]
) -> None:
    assert Resources(**kwargs).entries() == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["cpu", "mem", "gpu"])
def test_entries_reject_a_request_limit_pair(field: str) -> None:
    resources = Resources(**{field: ("1", "2")})  # type: ignore[arg-type]
    with pytest.raises(TaskDefinitionError) as info:
        resources.entries()
    assert str(info.value) == (
        f"{field}=('1', '2'): a container task takes one value per resource, not a (request, limit) pair; "
        "pass requests= and limits= separately"
    )
