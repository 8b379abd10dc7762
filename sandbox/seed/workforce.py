"""Seeded HR and sign-in data: employee statuses, pre-entry and dismissed people, and check-ins."""

import random

from sandbox.model import Checkin, Directory
from sandbox.protocol.parameters import DAY
from sandbox.seed.people import ordinary_users

PREENTRY_COUNT = 23
DISMISSED_COUNT = 73
CHECKIN_SPAN_DAYS = 30
BUSY_CHECKINS_PER_DAY = 12
OTHER_CHECKINS_PER_DAY = 3
STATUS_WEIGHTS = {3: 40, 2: 10, 5: 6, -1: 4}  # regular, probation, leaving, none

_PLACES = (
    ("绿城未来park", "杭州市余杭区五常街道", "120.017394", "30.286046"),
    ("西溪园区", "杭州市余杭区文一西路969号", "120.026208", "30.279212"),
    ("滨江产业园", "杭州市滨江区网商路699号", "120.191236", "30.188925"),
    ("望京SOHO", "北京市朝阳区阜通东大街6号", "116.480881", "39.996563"),
)
_VISITS = ("刘先生", "王经理", "陈总", "李女士", "")
_REMARKS = ("客户拜访", "现场支持", "例行巡检", "")


def build_statuses(rng: random.Random, directory: Directory) -> dict[str, int]:
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    return {userid: rng.choices(statuses, weights)[0] for userid in directory.users}


def build_former_and_future(rng: random.Random) -> tuple[list[str], list[str]]:
    """Userids of people about to join (待入职) and of people who left (离职), none of them current users."""
    ids = [str(rng.randrange(10**14, 10**15)) for _ in range(PREENTRY_COUNT + DISMISSED_COUNT)]
    return ids[:PREENTRY_COUNT], ids[PREENTRY_COUNT:]


def checkin_userid(directory: Directory) -> str:
    """The person with several pages of check-ins in any ten-day window."""
    return ordinary_users(directory)[10]


def build_checkins(rng: random.Random, directory: Directory, now: float) -> list[Checkin]:
    """Check-ins over the last 30 days: twelve a day for `checkin_userid`, three a day for five others."""
    busy = checkin_userid(directory)
    people = {busy: BUSY_CHECKINS_PER_DAY} | dict.fromkeys(ordinary_users(directory)[11:16], OTHER_CHECKINS_PER_DAY)
    checkins: list[Checkin] = []
    for userid, per_day in people.items():
        for day in range(CHECKIN_SPAN_DAYS, 0, -1):
            for _ in range(per_day):
                place, detail, longitude, latitude = rng.choice(_PLACES)
                moment = now - day * DAY + rng.uniform(8 * 3600, 20 * 3600)
                photos = tuple(
                    f"https://static.dingtalk.com/media/{rng.getrandbits(64):016x}.jpg"
                    for _ in range(rng.choice((0, 0, 1, 2)))
                )
                visit = rng.choice(_VISITS)
                record = Checkin(
                    userid, int(moment * 1000), place, detail, rng.choice(_REMARKS), longitude, latitude, visit, photos
                )
                checkins.append(record)
    return sorted(checkins, key=lambda c: (c.checkin_time, c.userid))
