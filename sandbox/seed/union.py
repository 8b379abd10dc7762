"""Seeded organisation data: cooperation spaces, service accounts, and the corp's auth info."""

import random
from typing import Any

from sandbox.model import CooperateSpace, Directory, ServiceAccount
from sandbox.seed.people import CORP_ID, CORP_NAME

AGENT_ID = 2_758_801_035
APP_ID = 120_345
SERVICE_ACCOUNT_COUNT = 23

_SPACES = (
    ("华东供应链合作空间", "杭州云栖供应链有限公司", 1),
    ("长三角渠道伙伴", "上海浦江渠道管理有限公司", 1),
    ("行业标准工作组", "沙盒科技有限公司", 1),
    ("西南经销商联盟", "成都蓉城贸易有限公司", 0),
    ("校企合作平台", "浙江云湖大学", 0),
)
_ACCOUNT_TOPICS = ("企业文化", "IT服务台", "人事助手", "行政服务", "财务小助手", "安全提醒", "培训学院", "工会之家")


def _corp_id(rng: random.Random) -> str:
    return f"ding{rng.getrandbits(64):016x}"


def build_spaces(rng: random.Random) -> list[CooperateSpace]:
    return [
        CooperateSpace(_corp_id(rng), org, CORP_ID if belong == CORP_NAME else _corp_id(rng), belong, status)
        for org, belong, status in _SPACES
    ]


def build_service_accounts(rng: random.Random) -> list[ServiceAccount]:
    accounts = []
    for index in range(SERVICE_ACCOUNT_COUNT):
        topic = _ACCOUNT_TOPICS[index % len(_ACCOUNT_TOPICS)]
        name = topic if index < len(_ACCOUNT_TOPICS) else f"{topic}{index // len(_ACCOUNT_TOPICS) + 1}号"
        accounts.append(
            ServiceAccount(
                unionid=f"{rng.getrandbits(96):024x}",
                name=name,
                brief=f"{name}服务号",
                desc=f"为全体员工提供{topic}相关资讯与服务。",
                avatar_media_id=f"@lADP{rng.getrandbits(64):016x}",
                preview_media_id=f"@lADP{rng.getrandbits(64):016x}",
                status="disabled" if index % 7 == 6 else "normal",
            )
        )
    return accounts


def build_auth_info(directory: Directory) -> dict[str, Any]:
    """The answer of service/get_auth_info for this corp, without errcode and errmsg."""
    return {
        "auth_info": {
            "agent": [
                {
                    "agentid": AGENT_ID,
                    "logo_url": "https://static.dingtalk.com/media/sandbox-app-logo.png",
                    "appid": APP_ID,
                    "admin_list": [directory.main_admin],
                    "agent_name": "钉钉沙盒测试应用",
                }
            ]
        },
        "auth_user_info": {"userId": directory.main_admin},
        "auth_corp_info": {
            "corpid": CORP_ID,
            "invite_code": "SANDBOX1",
            "industry": "软件和信息技术服务业",
            "corp_name": CORP_NAME,
            "license_code": "",
            "auth_channel": "",
            "auth_channel_type": "",
            "is_authenticated": True,
            "auth_level": 1,
            "invite_url": f"https://h5.dingtalk.com/invite/index.html?code={CORP_ID}",
            "corp_logo_url": "https://static.dingtalk.com/media/sandbox-corp-logo.png",
            "belong_corp_id": "",
            "unifiedSocialCredit": "91330100MA2SANDB0X",
            "full_corp_name": CORP_NAME,
        },
        "channel_auth_info": {"channelAgent": []},
    }
