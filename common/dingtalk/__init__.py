"""What is DingTalk's own: the settings, the two API generations and their envelopes, the token and the client."""
