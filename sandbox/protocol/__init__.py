"""DingTalk's wire protocol as the sandbox speaks it, apart from any endpoint's behaviour.

`messages.py` the request and the reply · `envelopes.py` the API styles, response bodies, error codes and error
answers · `parameters.py` query strings, tokens, JSON bodies and typed reads of request fields · `paging.py` pages
and their cursors · `fault_answers.py` the answers of injected faults and of the QPS limit.
"""
