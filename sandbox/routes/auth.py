"""`/gettoken`: the app's access token."""

from sandbox.protocol.envelopes import INVALID_CREDENTIALS, Body, OapiError, Style, flat_ok, missing
from sandbox.protocol.parameters import Params, optional_text
from sandbox.routes.base import Route
from sandbox.state import TenantState


def gettoken(state: TenantState, query: Params) -> Body:
    appkey, appsecret = optional_text(query, "appkey"), optional_text(query, "appsecret")
    if not appkey or not appsecret:
        raise missing("corpid or appkey")
    if (appkey, appsecret) != (state.config.appkey, state.config.appsecret):
        raise OapiError(INVALID_CREDENTIALS, "不合法的appKey或appSecret")
    token = state.issue_token()
    return flat_ok(access_token=token, errmsg="ok", expires_in=state.config.token_ttl)


ROUTES = (Route("GET", "/gettoken", Style.GETTOKEN, gettoken),)
