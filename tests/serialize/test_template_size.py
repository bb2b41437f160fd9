"""The template size guard: a warning above ``template_size_warn_bytes``, an error above
``template_size_limit_bytes``, both naming the task and the largest parts of the template."""

from __future__ import annotations

import warnings

import pytest
from tests.tasks.sample_tasks import SampleTask

from flyweight import SerializationSettings
from flyweight.errors import TaskDefinitionError, TemplateTooLargeError


def settings(warn: int, limit: int) -> SerializationSettings:
    return SerializationSettings(
        project="p", domain="d", version="v", template_size_warn_bytes=warn, template_size_limit_bytes=limit
    )


def big_task(size: int) -> SampleTask:
    return SampleTask("size.big", custom={"small": "s", "payload": "x" * size, "other": [1, 2, 3]})


def template_size(task: SampleTask) -> int:
    return task.serialize_to_model(settings(10**8, 10**8)).ByteSize()


def test_at_the_warning_threshold_nothing_is_said() -> None:
    t = big_task(5_000)
    size = template_size(t)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t.serialize_to_model(settings(size, size))


def test_one_byte_over_the_warning_threshold_warns() -> None:
    t = big_task(5_000)
    size = template_size(t)
    with pytest.warns(UserWarning) as record:
        t.serialize_to_model(settings(size - 1, size))
    msg = str(record[0].message)
    assert "task 'size.big'" in msg
    assert f"{size:,} bytes" in msg
    assert f"over {size - 1:,}" in msg
    assert "largest parts: custom['payload']" in msg


def test_over_the_limit_is_an_error_naming_the_task_and_largest_key() -> None:
    t = big_task(20_000)
    size = template_size(t)
    with pytest.raises(TemplateTooLargeError) as e:
        t.serialize_to_model(settings(1_000, 10_000))
    msg = str(e.value)
    assert msg.startswith(f"task 'size.big': its template is {size:,} bytes, over the limit of 10,000")
    largest = msg[msg.index("largest parts: ") :]
    assert largest.startswith("largest parts: custom['payload']")
    assert "template_size_limit_bytes" in msg
    assert isinstance(e.value, TaskDefinitionError)


def test_at_the_limit_only_warns() -> None:
    t = big_task(20_000)
    size = template_size(t)
    with pytest.warns(UserWarning):
        t.serialize_to_model(settings(1_000, size))


def test_the_largest_parts_are_listed_biggest_first() -> None:
    t = SampleTask("size.two", custom={"medium": "m" * 3_000, "large": "l" * 9_000})
    with pytest.raises(TemplateTooLargeError) as e:
        t.serialize_to_model(settings(1_000, 2_000))
    msg = str(e.value)
    assert msg.index("custom['large']") < msg.index("custom['medium']")


def test_small_templates_pass_with_the_defaults() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SampleTask("size.small", custom={"a": 1}).serialize_to_model(
            SerializationSettings(project="p", domain="d", version="v")
        )


def test_a_local_call_checks_the_size_too() -> None:
    from tests.tasks import sample_tasks

    sample_tasks.install(lambda tt: None)
    try:
        with pytest.raises(TemplateTooLargeError, match="size.local"):
            SampleTask("size.local", custom={"blob": "x" * (2 * 1024 * 1024)})()
    finally:
        sample_tasks.clear()
