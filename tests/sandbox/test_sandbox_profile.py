"""`data/profiles/sandbox.yaml` names real objects of the seeded tenant, each with the role its key claims."""

from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from sandbox.seed import blackboard, build_tenant, people, report, union, workforce
from sandbox.testing import SandboxClient

PROFILES = Path(__file__).resolve().parents[2] / "data" / "profiles"
CATEGORIES = "/topapi/blackboard/category/list"
TOPTEN = "/topapi/blackboard/listtopten"


def is_blackboard_admin(api: SandboxClient, userid: str) -> bool:
    return api.post(CATEGORIES, {"operation_userid": userid})["errcode"] == 0


def exists(api: SandboxClient, userid: str) -> bool:
    return api.post(TOPTEN, {"userid": userid})["errcode"] == 0


def test_admins_are_admins_and_the_others_are_not(api: SandboxClient, profile: dict[str, Any]) -> None:
    assert is_blackboard_admin(api, profile["admin_userid"])
    assert is_blackboard_admin(api, profile["sub_admin_userid"])
    for userid in (profile["plain_userid"], *profile["test_userids"]):
        assert exists(api, userid) and not is_blackboard_admin(api, userid)
    assert not exists(api, profile["unknown_userid"])


def test_ids_exist(api: SandboxClient, profile: dict[str, Any]) -> None:
    categories = api.post(CATEGORIES, {"operation_userid": profile["admin_userid"]})["result"]
    assert profile["category_id"] in [c["id"] for c in categories]
    assert profile["other_category_id"] in [c["id"] for c in categories]
    assert profile["other_category_id"] != profile["category_id"]
    assert isinstance(profile["test_dept_id"], int)
    request = {
        "operation_userid": profile["admin_userid"],
        "title": "t",
        "content": "c",
        "blackboard_receiver": {"deptid_list": [profile["test_dept_id"]]},
    }
    assert api.post("/topapi/blackboard/create", {"create_request": request})["errcode"] == 0
    assert 2 <= len(profile["test_userids"]) <= 3
    assert profile["reader_userid"] in profile["test_userids"]


def test_live_example_has_the_same_keys(profile: dict[str, Any]) -> None:
    live = yaml.safe_load((PROFILES / "live.example.yaml").read_text(encoding="utf-8"))
    assert set(live) == set(profile)


def test_report_and_checkin_ids_exist(api: SandboxClient, profile: dict[str, Any]) -> None:
    body = {"userid": profile["report_userid"], "template_name": profile["report_template_name"]}
    template = api.post("/topapi/report/template/getbyname", body)["result"]
    assert template["id"] == profile["report_template_id"]
    assert profile["report_field_name"] in [f["field_name"] for f in template["fields"]]
    busy = api.post("/topapi/report/receiver/list", {"report_id": profile["report_id"], "size": 100})["result"]
    assert set(profile["report_receiver_userids"]) <= set(busy["userid_list"])
    for userid in (profile["checkin_userid"], profile["report_userid"], *profile["report_receiver_userids"]):
        assert exists(api, userid)
    auth = api.post("/service/get_auth_info", {"auth_corpid": profile["corp_id"]})
    assert auth["auth_corp_info"]["corpid"] == profile["corp_id"]


def test_seeded_ids_do_not_depend_on_when_the_sandbox_starts() -> None:
    early, late = build_tenant(1_700_000_000.0), build_tenant(1_800_000_123.0)
    assert list(early.blackboards) == list(late.blackboards)
    assert list(early.reports) == list(late.reports)
    assert list(early.templates) == list(late.templates)
    assert early.directory == late.directory


def test_counts_are_what_the_seed_makes(profile: dict[str, Any]) -> None:
    """The walk cases expect `counts`; each follows from the seed's own constants, not from an answer."""
    reports = report.REPORT_SPAN_DAYS + report.REPORT_SPAN_DAYS // report.WEEK_DAYS
    statuses = Counter(build_tenant(0).employee_status.values())
    spaces = Counter(status for _, _, status in union._SPACES)
    assert profile["counts"] == {
        "probation_employees": statuses[2],
        "regular_employees": statuses[3],
        "leaving_employees": statuses[5],
        "no_status_employees": statuses[-1],
        "joined_spaces": spaces[1],
        "unread_reports": sum(
            profile["report_unread_userid"] in r.to_userids and profile["report_unread_userid"] not in r.readers
            for r in build_tenant(0).reports.values()
        ),
        "applying_spaces": spaces[0],
        "blackboards": blackboard.BLACKBOARD_COUNT,
        "checkins_ten_days": 10 * workforce.BUSY_CHECKINS_PER_DAY,
        "preentry_employees": workforce.PREENTRY_COUNT,
        "onjob_employees": people.USER_COUNT,
        "dismissed_employees": workforce.DISMISSED_COUNT,
        "service_accounts": union.SERVICE_ACCOUNT_COUNT,
        "reports_of_report_userid": reports,
        "report_templates": len(report._TEMPLATES),
        "report_receivers": report.BUSY_RECEIVERS,
        "report_readers": report.BUSY_READERS,
        "report_commenters": min(20, report.BUSY_COMMENTS),  # comment i is by receiver i % 20
        "report_likers": report.BUSY_LIKES,
        "report_comments": report.BUSY_COMMENTS,
    }


def test_live_example_has_the_same_counts(profile: dict[str, Any]) -> None:
    live = yaml.safe_load((PROFILES / "live.example.yaml").read_text(encoding="utf-8"))
    assert set(live["counts"]) == set(profile["counts"])


def test_the_pinned_employees_have_the_status_their_key_claims(profile: dict[str, Any]) -> None:
    statuses = build_tenant(0).employee_status
    assert (statuses[profile["probation_userid"]], statuses[profile["regular_userid"]]) == (2, 3)
