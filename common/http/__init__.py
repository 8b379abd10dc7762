"""HTTP without DingTalk: the transport and its response type, retry, the shared rate limiter, masking, curl lines."""
