"""The API suite's plugins: the framework itself, safe live runs and the local sandbox it runs against by default."""

pytest_plugins = (
    "common.pytest_plugin",
    "common.report_metadata",
    "common.live_safety",
    "sandbox.pytest_plugin",
    "common.notify_plugin",
)
