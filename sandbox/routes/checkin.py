"""`/topapi/checkin/record/get`: sign-in (签到) records of up to ten people."""

from sandbox.model import Checkin
from sandbox.protocol.envelopes import Body, Style, invalid, ok
from sandbox.protocol.paging import cursor_page
from sandbox.protocol.parameters import Params, check_max_length, comma_texts, millis_window, page_size, position
from sandbox.routes.base import Route, require_user
from sandbox.state import TenantState

MAX_USERS = 10
MAX_SIZE = 100
ONE_USER_DAYS = 10
SEVERAL_USERS_DAYS = 1


def _record(checkin: Checkin) -> Body:
    record: Body = {
        "checkin_time": checkin.checkin_time,
        "detail_place": checkin.detail_place,
        "remark": checkin.remark,
        "userid": checkin.userid,
        "place": checkin.place,
        "longitude": checkin.longitude,
        "latitude": checkin.latitude,
        "visit_user": checkin.visit_user,
    }
    if checkin.image_list:
        record["image_list"] = list(checkin.image_list)
    return record


def record_get(state: TenantState, body: Params) -> Body:
    """One person's records over at most ten days, several people's over at most one, oldest first."""
    userids = comma_texts(body, "userid_list")
    if not userids:
        raise invalid("userid_list", "names no userid")
    check_max_length("userid_list", userids, MAX_USERS)
    start, end = millis_window(body, ONE_USER_DAYS if len(userids) == 1 else SEVERAL_USERS_DAYS)
    cursor, size = position(body, "cursor"), page_size(body, "size", MAX_SIZE)
    wanted = set(userids)
    with state.lock:
        for userid in userids:
            require_user(state.tenant.directory, userid)
        records = [_record(c) for c in state.tenant.checkins if c.userid in wanted and start <= c.checkin_time <= end]
    return ok(result=cursor_page("page_list", records, cursor, size, has_more=False))


ROUTES = (Route("POST", "/topapi/checkin/record/get", Style.TOPAPI, record_get),)
