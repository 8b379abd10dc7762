"""Seeded announcements: 45 over the last 90 days, by the two blackboard admins."""

import random

from sandbox.model import Blackboard, Directory
from sandbox.protocol.parameters import DAY
from sandbox.seed.people import ROOT_DEPT_ID

BLACKBOARD_COUNT = 45
BLACKBOARD_SPAN_DAYS = 90


_TITLES = (
    "关于{month}月份考勤制度调整的通知",
    "{month}月团建活动报名",
    "办公区{floor}层空调检修公告",
    "第{quarter}季度全员大会安排",
    "新员工入职须知（{month}月版）",
    "关于报销流程优化的说明",
    "{month}月优秀员工表彰",
    "消防演练通知（{floor}层）",
    "信息安全培训第{quarter}期",
    "端午节放假安排",
    "年度体检预约开始",
    "办公用品申领规则更新",
)
_CONTENTS = (
    "请各位同事仔细阅读并遵照执行，如有疑问请联系行政部。",
    "欢迎加入我们的大家庭，入职资料请于一周内提交。",
    "本次活动自愿报名，名额有限，先到先得。",
    "请相关同事提前做好准备，按时参加。",
)


def build_blackboards(rng: random.Random, directory: Directory, now: float) -> dict[str, Blackboard]:
    """Announcements spread over the last 90 days, by the two admins, to departments and people."""
    sub_depts = [d for d in directory.depts if d != ROOT_DEPT_ID]
    people = sorted(directory.users)
    moments = sorted(now - rng.uniform(DAY, BLACKBOARD_SPAN_DAYS * DAY) for _ in range(BLACKBOARD_COUNT))
    boards: dict[str, Blackboard] = {}
    for seq, created in enumerate(moments):
        author = directory.main_admin if seq % 3 else directory.sub_admins[0]
        dept_ids = rng.sample(sub_depts, rng.randint(0, 2))
        userids = rng.sample(people, rng.randint(1 if not dept_ids else 0, 6))
        title = rng.choice(_TITLES).format(
            month=rng.randint(1, 12), floor=rng.randint(2, 18), quarter=rng.randint(1, 4)
        )
        board_id = f"{rng.getrandbits(96):024x}"
        reach = len(directory.receivers(dept_ids, userids))
        boards[board_id] = Blackboard(
            id=board_id,
            seq=seq,
            title=title,
            content=rng.choice(_CONTENTS),
            author=directory.users[author].name,
            category_id=rng.choice(sorted(directory.categories)),
            private_level=rng.choice((0, 0, 0, 20)),
            created_by=author,
            dept_ids=dept_ids,
            userids=userids,
            gmt_create=created,
            gmt_modified=created,
            read_count=rng.randint(0, reach),
        )
    return boards
