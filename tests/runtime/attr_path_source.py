"""Workflows that reach into promises (``p.field``, ``p["key"]``, ``p[0]``), written once and loaded with
flyweight or with flytekit (``test_attr_path.py``).

``task`` and ``workflow`` are not imported here: the loader puts the chosen SDK's into the module before
running it, so both SDKs compile the same source under the same module name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

task: Any = globals()["task"]
workflow: Any = globals()["workflow"]


@dataclass
class Inner:
    name: str
    score: float = 0.0


@dataclass
class Outer:
    count: int
    inner: Inner
    items: list[int] = field(default_factory=list)
    tags: dict[str, int] = field(default_factory=dict)
    children: list[Inner] = field(default_factory=list)
    lookup: dict[str, Inner] = field(default_factory=dict)
    maybe: Optional[int] = None
    flag: bool = False


@task
def make(n: int) -> Outer:
    return Outer(
        count=n,
        inner=Inner(name=f"in{n}", score=n / 2),
        items=[n, n + 1, n + 2],
        tags={"a": n, "b": -n},
        children=[Inner(name="c0", score=1.5), Inner(name="c1", score=2.5)],
        lookup={"k": Inner(name="looked", score=9.0)},
        maybe=n if n > 0 else None,
        flag=n > 1,
    )


@task
def make_list(n: int) -> list[Inner]:
    return [Inner(name=f"e{i}", score=float(i)) for i in range(n)]


@task
def make_dict(n: int) -> dict[str, Inner]:
    return {f"k{i}": Inner(name=f"v{i}", score=float(i)) for i in range(n)}


@task
def make_ints(n: int) -> list[int]:
    return list(range(n))


@task
def make_map(n: int) -> dict[str, list[int]]:
    return {"evens": list(range(0, n, 2)), "odds": list(range(1, n, 2))}


@task
def make_untyped(n: int) -> dict:
    return {"a": n, "nested": {"b": [n, n * 10]}}


@task
def use_int(x: int) -> int:
    return x * 10


@task
def use_float(x: float) -> float:
    return x + 0.25


@task
def use_str(s: str) -> str:
    return s.upper()


@task
def use_bool(b: bool) -> bool:
    return not b


@task
def use_inner(i: Inner) -> str:
    return f"{i.name}:{i.score}"


@task
def use_ints(xs: list[int]) -> int:
    return sum(xs)


@task
def use_tags(m: dict[str, int]) -> list[str]:
    return sorted(f"{k}={v}" for k, v in m.items())


@task
def use_opt(x: Optional[int]) -> str:
    return "none" if x is None else f"some {x}"


@task
def use_inners(xs: list[Inner]) -> list[str]:
    return [i.name for i in xs]


@workflow
def dc_field(n: int) -> int:
    return use_int(x=make(n=n).count)


@workflow
def nested_dc_field(n: int) -> str:
    return use_str(s=make(n=n).inner.name)


@workflow
def nested_dc_whole(n: int) -> str:
    return use_inner(i=make(n=n).inner)


@workflow
def float_and_bool_fields(n: int) -> tuple[float, bool]:
    d = make(n=n)
    return use_float(x=d.inner.score), use_bool(b=d.flag)


@workflow
def list_field_item(n: int) -> int:
    return use_int(x=make(n=n).items[1])


@workflow
def list_field_whole(n: int) -> int:
    return use_ints(xs=make(n=n).items)


@workflow
def dict_field_key(n: int) -> int:
    return use_int(x=make(n=n).tags["b"])


@workflow
def dict_field_whole(n: int) -> list[str]:
    return use_tags(m=make(n=n).tags)


@workflow
def chained(n: int) -> str:
    d = make(n=n)
    return use_str(s=d.children[1].name)


@workflow
def chained_dict_of_dc(n: int) -> float:
    return use_float(x=make(n=n).lookup["k"].score)


@workflow
def list_of_dcs(n: int) -> str:
    return use_str(s=make_list(n=n)[1].name)


@workflow
def list_of_dcs_item(n: int) -> str:
    return use_inner(i=make_list(n=n)[0])


@workflow
def dict_of_dcs(n: int) -> str:
    return use_str(s=make_dict(n=n)["k1"].name)


@workflow
def optional_field(n: int) -> str:
    return use_opt(x=make(n=n).maybe)


@workflow
def plain_list_and_map(n: int) -> tuple[int, int]:
    ints = make_ints(n=n)
    m = make_map(n=n)
    return use_int(x=ints[2]), use_int(x=m["odds"][0])


@workflow
def untyped_dict(n: int) -> int:
    return use_int(x=make_untyped(n=n).a)  # (flytekit refuses p["a"] on an untyped dict)


@workflow
def untyped_dict_chained(n: int) -> int:
    return use_ints(xs=make_untyped(n=n).nested.b)


@workflow
def in_list_binding(n: int) -> int:
    d = make(n=n)
    return use_ints(xs=[d.count, d.items[2], d.tags["a"]])


@workflow
def in_dict_binding(n: int) -> list[str]:
    d = make(n=n)
    return use_tags(m={"count": d.count, "first": d.items[0]})


@workflow
def in_list_of_dcs_binding(n: int) -> list[str]:
    d = make(n=n)
    return use_inners(xs=[d.inner, d.children[0], d.lookup["k"]])


@workflow
def input_field(d: Outer) -> str:
    return use_str(s=d.inner.name)


@workflow
def input_chained(d: Outer) -> float:
    return use_float(x=d.lookup["k"].score)


@workflow
def output_field(n: int) -> str:
    return make(n=n).inner.name


@workflow
def output_dc(n: int) -> Inner:
    return make(n=n).children[1]


@workflow
def missing_key(n: int) -> int:
    return use_int(x=make(n=n).tags["zz"])


@workflow
def index_out_of_range(n: int) -> int:
    return use_int(x=make(n=n).items[7])


@workflow
def missing_field(n: int) -> int:
    return use_int(x=make(n=n).nope)


@workflow
def plain_list_out_of_range(n: int) -> int:
    return use_int(x=make_ints(n=n)[5])
