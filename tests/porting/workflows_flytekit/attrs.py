"""Attribute access on promises (lists, dicts, dataclasses) and named outputs, after flytesnacks
``data_types_and_io/attribute_access.py``, ``dataclass.py`` and ``basics/named_outputs.py``."""

# flytesnacks' own style (typing.List, mutable defaults, ...), kept as users write it:
# ruff: noqa: B006, UP014

from dataclasses import dataclass, field
from typing import NamedTuple

from flytekit import task, workflow

SEEN: list[str] = []


@task
def print_message(message: str):
    SEEN.append(message)


@task
def list_task() -> list[str]:
    return ["apple", "banana"]


@workflow
def list_wf():
    items = list_task()
    first_item = items[0]
    print_message(message=first_item)


@task
def dict_task() -> dict[str, str]:
    return {"fruit": "banana"}


@workflow
def dict_wf():
    fruit_dict = dict_task()
    print_message(message=fruit_dict["fruit"])


@dataclass
class Fruit:
    name: str


@task
def dataclass_task() -> Fruit:
    return Fruit(name="banana")


@workflow
def dataclass_wf():
    fruit_instance = dataclass_task()
    print_message(message=fruit_instance.name)


@task
def advance_task() -> (dict[str, list[str]], list[dict[str, str]], dict[str, Fruit]):
    return {"fruits": ["banana"]}, [{"fruit": "banana"}], {"fruit": Fruit(name="banana")}


@task
def print_list(fruits: list[str]):
    SEEN.append(",".join(fruits))


@task
def print_dict(fruit_dict: dict[str, str]):
    SEEN.append(",".join(f"{k}={v}" for k, v in sorted(fruit_dict.items())))


@workflow
def advanced_workflow():
    dictionary_list, list_dict, dict_dataclass = advance_task()
    print_message(message=dictionary_list["fruits"][0])
    print_message(message=list_dict[0]["fruit"])
    print_message(message=dict_dataclass["fruit"].name)
    print_list(fruits=dictionary_list["fruits"])
    print_dict(fruit_dict=list_dict[0])


@dataclass
class Hyperparameters:
    learning_rate: float = 0.1
    epochs: int = 3
    layers: list[int] = field(default_factory=lambda: [16, 8])
    tags: dict[str, str] = field(default_factory=lambda: {"team": "ml"})


@dataclass
class TrainingJob:
    name: str
    params: Hyperparameters


@task
def make_job(name: str, epochs: int) -> TrainingJob:
    return TrainingJob(name=name, params=Hyperparameters(epochs=epochs))


@task
def train(name: str, epochs: int, width: int, rate: float, team: str) -> str:
    return f"{name}:{epochs}:{width}:{rate}:{team}"


@task
def describe(params: Hyperparameters) -> str:
    return f"{params.learning_rate}/{params.epochs}/{params.layers}"


@workflow
def training_wf(name: str = "resnet", epochs: int = 5) -> tuple[str, str]:
    job = make_job(name=name, epochs=epochs)
    summary = train(
        name=job.name,
        epochs=job.params.epochs,
        width=job.params.layers[0],
        rate=job.params.learning_rate,
        team=job.params.tags["team"],
    )
    return summary, describe(params=job.params)


slope_value = NamedTuple("slope_value", [("slope", float)])


@task
def slope(x: list[int], y: list[int]) -> slope_value:
    sum_xy = sum([x[i] * y[i] for i in range(len(x))])
    sum_x_squared = sum([x[i] ** 2 for i in range(len(x))])
    n = len(x)
    return (n * sum_xy - sum(x) * sum(y)) / (n * sum_x_squared - sum(x) ** 2)


intercept_value = NamedTuple("intercept_value", [("intercept", float)])


@task
def intercept(x: list[int], y: list[int], slope: float) -> intercept_value:
    mean_x = sum(x) / len(x)
    mean_y = sum(y) / len(y)
    return mean_y - slope * mean_x


slope_and_intercept_values = NamedTuple(
    "slope_and_intercept_values", [("slope", float), ("intercept", float)]
)


@workflow
def simple_wf_with_named_outputs(
    x: list[int] = [-3, 0, 3], y: list[int] = [7, 4, -2]
) -> slope_and_intercept_values:
    slope_value = slope(x=x, y=y)
    intercept_value = intercept(x=x, y=y, slope=slope_value.slope)
    return slope_and_intercept_values(slope=slope_value.slope, intercept=intercept_value.intercept)
