"""Tracked objects created at module level, for the tracker and resolver tests."""

from __future__ import annotations

from tests.tasks.tracked_factory import make_resolver

from flyweight.extend import TaskTemplateResolver

custom_resolver = TaskTemplateResolver()

# bound first as ``zeta_first``, later also as ``alpha_alias`` (which sorts earlier)
zeta_first = TaskTemplateResolver()
alpha_alias = zeta_first

made_by_factory = make_resolver()

# created while this module ran, but kept only inside a list: bound to no name
unbound_holder = [TaskTemplateResolver()]
