"""The tenant's data: a fixed directory of people, and the mutable objects the API creates and reads."""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class User:
    userid: str
    name: str
    dept_id: int


@dataclass(frozen=True)
class Dept:
    dept_id: int
    name: str
    parent_id: int | None


@dataclass(frozen=True)
class Category:
    id: str
    name: str


@dataclass(frozen=True)
class Directory:
    """Who is in the tenant: people, departments, and the blackboard admins and categories."""

    users: dict[str, User]
    depts: dict[int, Dept]
    main_admin: str
    sub_admins: tuple[str, ...]
    categories: dict[str, Category]

    def is_blackboard_admin(self, userid: str) -> bool:
        return userid == self.main_admin or userid in self.sub_admins

    def subtree(self, dept_id: int) -> set[int]:
        """`dept_id` and every department below it."""
        found = {dept_id}
        changed = True
        while changed:
            below = {d.dept_id for d in self.depts.values() if d.parent_id in found}
            changed = not below <= found
            found |= below
        return found

    def receivers(self, dept_ids: list[int], userids: list[str]) -> set[str]:
        """Everyone reached directly or through a department (sub-departments included)."""
        depts: set[int] = set().union(*(self.subtree(d) for d in dept_ids))
        return {u.userid for u in self.users.values() if u.dept_id in depts} | set(userids)


@dataclass
class Blackboard:
    """One announcement (公告)."""

    id: str
    seq: int
    title: str
    content: str
    author: str
    category_id: str
    private_level: int
    created_by: str
    dept_ids: list[int]
    userids: list[str]
    gmt_create: float
    gmt_modified: float
    read_count: int = 0
    coverpic_url: str = ""
    push_top: bool = False


@dataclass(frozen=True)
class TemplateField:
    field_name: str
    sort: int
    type: int


@dataclass(frozen=True)
class ReportTemplate:
    """A report (日志) template; `dept_ids` limits who sees it, empty meaning everyone."""

    id: str
    name: str
    report_code: str
    icon_url: str
    fields: tuple[TemplateField, ...]
    default_receivers: tuple[str, ...]
    default_convs: tuple[tuple[str, str], ...]  # (conversation_id, title)
    dept_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class ReportContent:
    key: str
    sort: str
    type: str
    value: str


@dataclass(frozen=True)
class ReportComment:
    userid: str
    content: str
    create_time: float


@dataclass
class Report:
    """One report (日志) and what its receivers did with it; times in epoch seconds."""

    id: str
    seq: int
    template_id: str
    creator: str
    contents: list[ReportContent]
    create_time: float
    modified_time: float
    to_userids: list[str]
    remark: str = ""
    readers: list[str] = field(default_factory=list)
    likers: list[str] = field(default_factory=list)
    comments: list[ReportComment] = field(default_factory=list)


@dataclass(frozen=True)
class Checkin:
    """One sign-in (签到); `checkin_time` in epoch milliseconds."""

    userid: str
    checkin_time: int
    place: str
    detail_place: str
    remark: str
    longitude: str
    latitude: str
    visit_user: str
    image_list: tuple[str, ...] = ()


@dataclass(frozen=True)
class CooperateSpace:
    """A cooperation space (合作空间) the company joined (status 1) or applied to (status 0)."""

    corp_id: str
    org_name: str
    belong_corp_id: str
    belong_org_name: str
    status: int


@dataclass(frozen=True)
class ServiceAccount:
    unionid: str
    name: str
    brief: str
    desc: str
    avatar_media_id: str
    preview_media_id: str
    status: str


@dataclass
class Tenant:
    """Everything `/__sandbox/reset` puts back: the directory and every object collection."""

    directory: Directory
    blackboards: dict[str, Blackboard] = field(default_factory=dict)
    templates: dict[str, ReportTemplate] = field(default_factory=dict)
    reports: dict[str, Report] = field(default_factory=dict)
    checkins: list[Checkin] = field(default_factory=list)
    employee_status: dict[str, int] = field(default_factory=dict)  # userid -> 2, 3, 5 or -1
    preentry: list[str] = field(default_factory=list)
    dismissed: list[str] = field(default_factory=list)
    spaces: list[CooperateSpace] = field(default_factory=list)
    service_accounts: list[ServiceAccount] = field(default_factory=list)
    auth_info: dict[str, Any] = field(default_factory=dict)  # the answer of service/get_auth_info

    def object_counts(self) -> dict[str, int]:
        return {
            "blackboard": len(self.blackboards),
            "report": len(self.reports),
            "report_template": len(self.templates),
            "checkin": len(self.checkins),
            "preentry": len(self.preentry),
            "dismission": len(self.dismissed),
            "cooperate_space": len(self.spaces),
            "service_account": len(self.service_accounts),
        }
