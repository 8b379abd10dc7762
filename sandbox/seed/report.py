"""Seeded reports (日志): templates, one busy reporter with several pages of reports, and some colleagues."""

import random

from sandbox.model import Directory, Report, ReportComment, ReportContent, ReportTemplate, TemplateField
from sandbox.protocol.parameters import DAY
from sandbox.seed.people import ordinary_users

ICON_URL = "https://landray.dingtalkapps.com/alid/app/report/images/ico-png/{}.png"
REPORT_SPAN_DAYS = 60
WEEK_DAYS = 7
BUSY_RECEIVERS = 35
BUSY_READERS = 25
BUSY_COMMENTS = 23
BUSY_LIKES = 14
COLLEAGUE_REPORTS = 10

_TEMPLATES = (
    ("日报", ("今日完成工作", "未完成工作", "需协调工作", "备注")),
    ("周报", ("本周完成工作", "本周工作总结", "下周工作计划", "需协调与帮助")),
    ("月报", ("本月工作内容", "本月工作总结", "下月工作计划")),
    ("项目周报", ("项目进展", "风险与问题", "下周计划")),
    ("销售日报", ("今日拜访客户", "今日签单", "明日计划")),
    ("研发周报", ("完成需求", "修复缺陷", "技术债务")),
    ("财务月报", ("收入", "支出", "说明")),
    ("巡店日报", ("门店", "问题", "整改")),
    ("客户拜访记录", ("客户名称", "拜访目的", "拜访结果")),
    ("述职报告", ("工作回顾", "成绩与不足", "未来规划")),
    ("学习心得", ("学习内容", "心得体会")),
    ("出差报告", ("出差地点", "出差事由", "出差成果")),
)
_DEPT_ONLY = {"研发周报": "研发部", "财务月报": "财务部"}
_WORK = ("完成接口联调", "修复登录页缺陷", "整理需求文档", "参加评审会议", "编写测试用例", "拜访重点客户")
_COMMENTS = ("不错", "收到", "辛苦了", "继续加油", "请补充细节", "已阅")


def build_templates(rng: random.Random, directory: Directory) -> dict[str, ReportTemplate]:
    dept_by_name = {d.name: d.dept_id for d in directory.depts.values()}
    people = ordinary_users(directory)
    templates: dict[str, ReportTemplate] = {}
    for index, (name, field_names) in enumerate(_TEMPLATES):
        template_id = f"{rng.getrandbits(64):016x}"
        convs = ((f"cid{rng.getrandbits(40):010x}", f"{name}交流群"),) if index % 3 == 0 else ()
        templates[template_id] = ReportTemplate(
            id=template_id,
            name=name,
            report_code=f"{rng.getrandbits(128):032x}",
            icon_url=ICON_URL.format(index),
            fields=tuple(TemplateField(f, sort, 1) for sort, f in enumerate(field_names)),
            default_receivers=tuple(rng.sample(people, 2)),
            default_convs=convs,
            dept_ids=(dept_by_name[_DEPT_ONLY[name]],) if name in _DEPT_ONLY else (),
        )
    return templates


def _contents(rng: random.Random, template: ReportTemplate) -> list[ReportContent]:
    return [
        ReportContent(f.field_name, str(f.sort), str(f.type), "；".join(rng.sample(_WORK, 2))) for f in template.fields
    ]


def _report(
    rng: random.Random, seq: int, template: ReportTemplate, creator: str, created: float, to: list[str]
) -> Report:
    return Report(
        id=f"{rng.getrandbits(80):020x}",
        seq=seq,
        template_id=template.id,
        creator=creator,
        contents=_contents(rng, template),
        create_time=created,
        modified_time=created,
        to_userids=to,
        readers=rng.sample(to, rng.randint(0, len(to))),
        likers=rng.sample(to, rng.randint(0, min(2, len(to)))),
        comments=[
            ReportComment(rng.choice(to), rng.choice(_COMMENTS), created + rng.uniform(60, 3600))
            for _ in range(rng.randint(0, 3))
        ],
    )


def build_reports(
    rng: random.Random, directory: Directory, templates: dict[str, ReportTemplate], now: float
) -> dict[str, Report]:
    """The reporter's daily and weekly reports for 60 days, the newest weekly one busy; colleagues' dailies.

    Nothing here depends on `now` but the times, so every id is the same whenever the sandbox starts.
    """
    by_name = {t.name: t for t in templates.values()}
    reporter, receivers = report_roles(directory)
    reports: list[Report] = []
    for day in range(REPORT_SPAN_DAYS, 0, -1):
        evening = now - day * DAY + 9 * 3600
        reports.append(_report(rng, len(reports), by_name["日报"], reporter, evening, receivers))
        if day % WEEK_DAYS == 0:
            reports.append(_report(rng, len(reports), by_name["周报"], reporter, evening + 600, receivers))
    busy = next(r for r in reversed(reports) if r.template_id == by_name["周报"].id)
    others = [u for u in ordinary_users(directory) if u not in (reporter, *receivers)]
    busy.to_userids = receivers + others[: BUSY_RECEIVERS - len(receivers)]
    busy.readers = busy.to_userids[:BUSY_READERS]
    busy.likers = busy.to_userids[-BUSY_LIKES:]
    busy.comments = [
        ReportComment(busy.to_userids[i % 20], _COMMENTS[i % len(_COMMENTS)], busy.create_time + 60 * (i + 1))
        for i in range(BUSY_COMMENTS)
    ]
    for colleague in others[-6:]:
        for day in sorted(rng.sample(range(1, 31), COLLEAGUE_REPORTS), reverse=True):
            to = rng.sample(others[:-6], 2)
            reports.append(_report(rng, len(reports), by_name["日报"], colleague, now - day * DAY + 10 * 3600, to))
    return {r.id: r for r in reports}


def report_roles(directory: Directory) -> tuple[str, list[str]]:
    """The busy reporter and the three people who receive all of their reports."""
    people = ordinary_users(directory)
    return people[1], people[6:9]
