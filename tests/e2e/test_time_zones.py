"""The API suite passes whatever the machine's time zone: DingTalk reads `yyyy-MM-dd HH:mm:ss` as China time.

`${datetime(...)}` renders in the tenant's zone (Asia/Shanghai unless the profile says otherwise) and the
built-in sandbox keeps China time too, so a CI machine on UTC, or a laptop in Auckland or Los Angeles, sends
the same time windows as one in Shanghai. The shipped cases use windows of a day or more, where an eight-hour
error only shows when a parallel case's announcement lands in the wrong window; the case added here looks for
what it just created in a window of twenty minutes, so a window rendered in the machine's zone always misses.
"""

from __future__ import annotations

import pytest

from tests.e2e.harness import Project

NARROW_WINDOW = """
  - id: found-in-a-narrow-window
    title: an announcement created now is in the listids window of ten minutes either side of now
    writes: true
    steps:
      - request:
          path: /topapi/blackboard/create
          json:
            create_request:
              operation_userid: ${profile.admin_userid}
              title: now ${uid}
              content: created to be found in a window of twenty minutes
              ding: false
              push_top: false
              blackboard_receiver: {userid_list: "${profile.test_userids}"}
      - request:
          path: /topapi/blackboard/listids
          json:
            query_request: {operation_userid: "${profile.admin_userid}", page: 1, page_size: 30,
                            start_time: "${datetime(-10m)}", end_time: "${datetime(+10m)}"}
        save: {ids: result}
      - for_each: ${ids}
        request:
          path: /topapi/blackboard/get
          json: {blackboard_id: "${item}", operation_userid: "${profile.admin_userid}"}
        until: {result.title: "now ${uid}"}
        save: {bb_id: result.id}
    teardown:
      - request:
          path: /topapi/blackboard/delete
          json: {blackboard_id: "${bb_id}", operation_userid: "${profile.admin_userid}"}
"""


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "Pacific/Auckland", "America/Los_Angeles"])
def test_the_suite_passes_in_every_machine_time_zone(project: Project, zone: str) -> None:
    project.add_cases("blackboard.yaml", NARROW_WINDOW)
    run = project.run("-n", "2", "-q", env={"TZ": zone})
    assert run.returncode == 0, f"TZ={zone}\n{run.output[-6000:]}"
    assert " passed" in run.output and " failed" not in run.output
