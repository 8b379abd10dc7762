"""The tenant's data: a fixed directory of people, and the mutable objects the API creates and reads."""

from dataclasses import dataclass, field


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


@dataclass
class Tenant:
    """Everything `/__sandbox/reset` puts back: the directory and every object collection."""

    directory: Directory
    blackboards: dict[str, Blackboard] = field(default_factory=dict)

    def object_counts(self) -> dict[str, int]:
        return {"blackboard": len(self.blackboards)}
