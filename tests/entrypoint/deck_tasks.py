"""Tasks that write deck pages, for the deck tests (imported by ``flyweight-execute`` in a subprocess)."""

from __future__ import annotations

from typing import Annotated, Any

from flyweight import Deck, Secret, current_context, task
from flyweight._interface import Interface, kwtypes
from flyweight._tasks import PythonCustomizedContainerTask, ShimTaskExecutor, TaskTemplate
from flyweight.deck import MarkdownRenderer


class BrokenRenderer:
    """A renderer that always fails: the task must still succeed."""

    def to_html(self, value: Any) -> str:
        raise RuntimeError("this renderer is broken")


class Stars:
    def to_html(self, value: int) -> str:
        return "<b>" + "*" * value + "</b>"


@task(enable_deck=True)
def shown(x: int, note: str = "<script>alert(1)</script>") -> int:
    current_context().default_deck.append(MarkdownRenderer().to_html("# Counting"))
    Deck("mine", "<p>made by the task</p>")
    return x + 1


@task
def hidden(x: int) -> int:
    Deck("never shown", "x")
    return x + 1


@task(enable_deck=True)
def fails(x: int) -> int:
    Deck("before", "<p>before the failure</p>")
    raise ValueError(f"no good: {x}")


@task(enable_deck=True)
def broken_renderer(x: int) -> Annotated[int, BrokenRenderer()]:
    return x


@task(enable_deck=True, deck_fields=("Output",))
def starred(x: int) -> Annotated[int, Stars()]:
    return x


class DeckExecutor(ShimTaskExecutor[Any]):
    """Adds a deck of its own, then returns ``x * factor``."""

    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        if current_context().enable_deck:
            Deck("Executor", f"<p>factor {int(tt.custom['factor'])}</p>")
        return kwargs["x"] * int(tt.custom["factor"])


class DeckPluginTask(PythonCustomizedContainerTask[Any]):
    """A plugin task whose ``custom`` holds values a deck must not show."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(
            name=name,
            task_config=None,
            container_image="registry.example/deck-plugin:1",
            executor_type=DeckExecutor,
            interface=Interface(inputs=kwtypes(x=int, label=str), outputs=kwtypes(y=int)),
            secret_requests=[Secret(group="db", key="pass")],
            **kwargs,
        )

    def get_custom(self, settings: Any) -> dict[str, Any]:
        return {
            "factor": 3,
            "password": "hunter2-in-custom",
            "uri": "postgresql://reader:pw-in-url@db.example/music",
            "connect_args": {"api_key": "key-in-args", "timeout": 5},
        }


plugin_with_decks = DeckPluginTask("decks.plugin_on", enable_deck=True)
plugin_without_decks = DeckPluginTask("decks.plugin_off")
