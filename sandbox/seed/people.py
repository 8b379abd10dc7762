"""The seeded directory: people with Chinese names, departments, blackboard admins and categories."""

import random

from sandbox.model import Category, Dept, Directory, User

ROOT_DEPT_ID = 1
MAIN_ADMIN = "manager4220"
SUB_ADMIN = "manager7078"
USER_COUNT = 60
CORP_ID = "ding8f3a1c52e7b94d06"
CORP_NAME = "沙盒科技有限公司"

_DEPT_NAMES = ("人事部", "财务部", "研发部", "产品部", "市场部", "销售部", "行政部")
_CATEGORY_NAMES = ("公司新闻", "人事通知", "行政公告", "制度规范")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥建国志文斌浩宇欣怡子涵梓萱思远嘉怡俊杰"


def _names(rng: random.Random, count: int) -> list[str]:
    """`count` distinct realistic Chinese names."""
    names: list[str] = []
    while len(names) < count:
        given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
        name = rng.choice(_SURNAMES) + given
        if name not in names:
            names.append(name)
    return names


def build_directory(rng: random.Random) -> Directory:
    depts = {ROOT_DEPT_ID: Dept(ROOT_DEPT_ID, CORP_NAME, None)}
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


def ordinary_users(directory: Directory) -> list[str]:
    """Everyone but the blackboard admins, in seeded order: the seed hands out roles by position here."""
    return [u for u in directory.users if not directory.is_blackboard_admin(u)]
