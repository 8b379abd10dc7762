"""pytest glue only: the suite plugin (settings, collection, fixtures) and the live, drift, report and notify hooks."""
