"""`/gettoken`: the app's access token."""

from sandbox.envelopes import INVALID_CREDENTIALS, MISSING_PARAM, Body, OapiError
from sandbox.fields import Params
from sandbox.routes.base import Route, Style
from sandbox.state import TenantState


def gettoken(state: TenantState, query: Params) -> Body:
    appkey, appsecret = query.get("appkey"), query.get("appsecret")
    if not appkey or not appsecret:
        raise OapiError(MISSING_PARAM, "缺少参数 corpid or appkey")
    if (appkey, appsecret) != (state.config.appkey, state.config.appsecret):
        raise OapiError(INVALID_CREDENTIALS, "不合法的appKey或appSecret")
    token = state.issue_token()
    return {"errcode": 0, "access_token": token, "errmsg": "ok", "expires_in": state.config.token_ttl}


ROUTES = (Route("GET", "/gettoken", Style.GETTOKEN, gettoken),)
