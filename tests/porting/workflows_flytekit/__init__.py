"""flytekit-style workflow modules modelled on Flyte's user guide (flytesnacks ``basics``,
``advanced_composition``, ``data_types_and_io``, ``development_lifecycle``, ``productionizing``).

Each module is plain flytekit code. ``tests/porting/test_port_workflows.py`` rewrites only its import
lines to get the flyweight version, then checks that both SDKs run and serialize it the same way.
"""
