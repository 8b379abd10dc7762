"""YAML case file to typed case: the loader, the case model, templates, paths into JSON, comparators, response
schemas, the endpoint spec, the tenant profile and the coverage table."""
