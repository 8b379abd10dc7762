"""The API suite's plugins: the framework itself and the local sandbox it runs against by default."""

pytest_plugins = ("common.pytest_plugin", "sandbox.pytest_plugin")
