"""dingtalk-apitest: a YAML-driven API test framework for the DingTalk Open API."""
