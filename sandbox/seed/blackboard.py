"""The seeded tenant: deterministic people, departments and announcements, built from a fixed random seed."""

import random

from sandbox.model import Blackboard, Category, Dept, Directory, Tenant, User

SEED = 20240601
ROOT_DEPT_ID = 1
MAIN_ADMIN = "manager4220"
SUB_ADMIN = "manager7078"
USER_COUNT = 60
BLACKBOARD_COUNT = 45
BLACKBOARD_SPAN_DAYS = 90
DAY = 86400

_DEPT_NAMES = ("人事部", "财务部", "研发部", "产品部", "市场部", "销售部", "行政部")
_CATEGORY_NAMES = ("公司新闻", "人事通知", "行政公告", "制度规范")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥建国志文斌浩宇欣怡子涵梓萱思远嘉怡俊杰"
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


def _names(rng: random.Random, count: int) -> list[str]:
    """`count` distinct realistic Chinese names."""
    names: list[str] = []
    while len(names) < count:
        given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
        name = rng.choice(_SURNAMES) + given
        if name not in names:
            names.append(name)
    return names


def _directory(rng: random.Random) -> Directory:
    depts = {ROOT_DEPT_ID: Dept(ROOT_DEPT_ID, "沙盒科技有限公司", None)}
    for name in _DEPT_NAMES:
        dept_id = rng.randrange(100_000_000, 999_999_999)
        depts[dept_id] = Dept(dept_id, name, ROOT_DEPT_ID)
    sub_dept_ids = [d for d in depts if d != ROOT_DEPT_ID]
    names = _names(rng, USER_COUNT)
    userids = [MAIN_ADMIN, SUB_ADMIN] + [str(rng.randrange(10**14, 10**15)) for _ in range(USER_COUNT - 2)]
    users = {
        userid: User(userid, name, sub_dept_ids[i % len(sub_dept_ids)])
        for i, (userid, name) in enumerate(zip(userids, names, strict=True))
    }
    categories = {
        cid: Category(cid, name) for cid, name in ((f"{rng.getrandbits(64):016x}", name) for name in _CATEGORY_NAMES)
    }
    return Directory(users, depts, MAIN_ADMIN, (SUB_ADMIN,), categories)


def _blackboards(rng: random.Random, directory: Directory, now: float) -> dict[str, Blackboard]:
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


def _rng(part: str) -> random.Random:
    """A random stream of its own for each part, so growing one part leaves the others' data unchanged."""
    return random.Random(f"{SEED}:{part}")


def build_tenant(now: float) -> Tenant:
    """The seeded tenant, with times relative to `now` (epoch seconds)."""
    directory = _directory(_rng("directory"))
    return Tenant(directory=directory, blackboards=_blackboards(_rng("blackboard"), directory, now))
