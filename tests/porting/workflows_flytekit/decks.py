"""Decks, after flytesnacks ``development_lifecycle/decks.py``: a default deck, a deck of the task's own,
``timeit``, and an ``Annotated`` renderer for an output."""

from typing import Annotated

import pandas as pd
from flytekit import Deck, current_context, task, workflow
from flytekit.core.utils import timeit
from flytekit.deck import MarkdownRenderer, TopFrameRenderer


@task(enable_deck=True)
def make_frame(n: int) -> Annotated[pd.DataFrame, TopFrameRenderer(5)]:
    current_context().default_deck.append(MarkdownRenderer().to_html(f"# {n} rows"))
    with timeit("build the frame"):
        df = pd.DataFrame({"x": list(range(n)), "y": [i * i for i in range(n)]})
    Deck("Notes", MarkdownRenderer().to_html("squares of the first *n* integers"))
    return df


@task(enable_deck=True, deck_fields=("Input", "Output"))
def total(df: pd.DataFrame) -> int:
    return int(df["y"].sum())


@workflow
def deck_wf(n: int = 4) -> int:
    return total(df=make_frame(n=n))
