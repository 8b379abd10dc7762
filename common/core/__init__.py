"""What every other package stands on: the exception tree and the project's paths."""
