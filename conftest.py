"""The API suite's plugins: the framework itself, safe live runs and the local sandbox it runs against by default."""

from common import require_python

require_python()

pytest_plugins = (
    "common.plugin.suite",
    "common.plugin.fixtures",
    "common.plugin.report",
    "common.plugin.live",
    "sandbox.pytest_plugin",
    "common.plugin.drift",
    "common.plugin.notify",
)
