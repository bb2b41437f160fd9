"""Dynamic workflows, after flytesnacks ``advanced_composition/dynamic_workflow.py``."""

# flytesnacks' own style (typing.List, mutable defaults, ...), kept as users write it:
# ruff: noqa: RUF046, UP006, UP035

from typing import Tuple

from flytekit import conditional, dynamic, map_task, task, workflow


@task
def return_index(character: str) -> int:
    if character.islower():
        return ord(character) - ord("a")
    return ord(character) - ord("A")


@task
def update_list(freq_list: list[int], list_index: int) -> list[int]:
    freq_list[list_index] += 1
    return freq_list


@task
def derive_count(freq1: list[int], freq2: list[int]) -> int:
    count = 0
    for i in range(26):
        count += min(freq1[i], freq2[i])
    return count


@dynamic
def count_characters(s1: str, s2: str) -> int:
    freq1 = [0] * 26
    freq2 = [0] * 26
    for i in range(len(s1)):
        index = return_index(character=s1[i])
        freq1 = update_list(freq_list=freq1, list_index=index)
    for i in range(len(s2)):
        index = return_index(character=s2[i])
        freq2 = update_list(freq_list=freq2, list_index=index)
    return derive_count(freq1=freq1, freq2=freq2)


@workflow
def dynamic_wf(s1: str, s2: str) -> int:
    return count_characters(s1=s1, s2=s2)


@task
def split(numbers: list[int]) -> Tuple[list[int], list[int], int, int]:
    return (
        numbers[0 : int(len(numbers) / 2)],
        numbers[int(len(numbers) / 2) :],
        int(len(numbers) / 2),
        int(len(numbers)) - int(len(numbers) / 2),
    )


@task
def merge(sorted_list1: list[int], sorted_list2: list[int]) -> list[int]:
    result = []
    while len(sorted_list1) > 0 and len(sorted_list2) > 0:
        if sorted_list1[0] < sorted_list2[0]:
            result.append(sorted_list1.pop(0))
        else:
            result.append(sorted_list2.pop(0))
    result.extend(sorted_list1)
    result.extend(sorted_list2)
    return result


@task
def sort_locally(numbers: list[int]) -> list[int]:
    return sorted(numbers)


@dynamic
def merge_sort_remotely(numbers: list[int], run_local_at_count: int) -> list[int]:
    split1, split2, new_count1, new_count2 = split(numbers=numbers)
    sorted1 = merge_sort(numbers=split1, numbers_count=new_count1, run_local_at_count=run_local_at_count)
    sorted2 = merge_sort(numbers=split2, numbers_count=new_count2, run_local_at_count=run_local_at_count)
    return merge(sorted_list1=sorted1, sorted_list2=sorted2)


@workflow
def merge_sort(numbers: list[int], numbers_count: int, run_local_at_count: int = 5) -> list[int]:
    return (
        conditional("terminal_case")
        .if_(numbers_count <= run_local_at_count)
        .then(sort_locally(numbers=numbers))
        .else_()
        .then(merge_sort_remotely(numbers=numbers, run_local_at_count=run_local_at_count))
    )


@task
def make_batches(n: int) -> list[int]:
    return list(range(1, n + 1))


@task
def double(x: int) -> int:
    return 2 * x


@dynamic(cache=True, cache_version="1")
def fan_out(xs: list[int]) -> list[int]:
    return [double(x=x) for x in xs]


@workflow
def fan_out_wf(n: int = 4) -> list[int]:
    return fan_out(xs=make_batches(n=n))


@task
def total(xs: list[int]) -> int:
    return sum(xs)


@workflow
def doubled_total(xs: list[int]) -> int:
    return total(xs=map_task(double)(x=xs))


@dynamic
def plan(xs: list[int], strategy: str) -> int:
    if strategy == "map":
        return total(xs=map_task(double)(x=xs))
    if strategy == "subworkflow":
        return doubled_total(xs=xs)
    return total(xs=[double(x=x).with_overrides(retries=1) for x in xs])


@workflow
def plan_wf(n: int = 3, strategy: str = "map") -> int:
    return plan(xs=make_batches(n=n), strategy=strategy)
