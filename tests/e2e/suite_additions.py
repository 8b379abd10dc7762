"""Cases the end-to-end tests add to a copy of the project, as a user would write them."""

ADDED_BY_A_USER = """
  - id: added-by-a-user
    title: 用户新加的用例
    severity: minor
    request:
      path: /topapi/blackboard/category/list
      json: {operation_userid: "${profile.admin_userid}"}
"""

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
"""Looks for what it just created in a window of twenty minutes: a window rendered in the machine's zone instead
of China time always misses (the shipped cases use windows of a day or more, where an eight-hour error only
shows when a parallel case's announcement lands in the wrong window)."""

CREATE_REQUEST = """
      path: /topapi/blackboard/create
      json:
        create_request:
          operation_userid: ${profile.admin_userid}
          title: apitest ${uid}
          content: apitest ${uid} an announcement
          ding: false
          push_top: false
          blackboard_receiver: {userid_list: "${profile.test_userids}"}
"""
"""The request of a case that creates an announcement within the live rules."""

FORGETS_WRITES_ID = "create-without-writes-key"
FORGETS_WRITES = f"""
  - id: {FORGETS_WRITES_ID}
    title: creates an announcement but does not say it writes
    request:{CREATE_REQUEST}"""
"""A create case without `writes:`: the endpoint spec says it writes all the same."""

TYPO_CASE = """
  - id: typo
    title: a typo
    reqest: {path: /topapi/x}
"""

BROKEN_FILE = "epic: x\nfeature: y\ncases:\n  - id: a\n    title: [\n"
"""A new data file with a YAML error on its line 6."""

_CRUD_COPY = """
  - id: crud-copy-{n}
    title: parallel copy {n} of the announcement life cycle
    writes: true
    steps:
      - request:
          path: /topapi/blackboard/create
          json:
            create_request:
              operation_userid: ${{profile.admin_userid}}
              title: apitest ${{uid}} copy
              content: parallel copy {n}
              ding: false
              push_top: false
              blackboard_receiver: {{userid_list: "${{profile.test_userids}}"}}
      - request:
          path: /topapi/blackboard/listids
          json:
            query_request: {{operation_userid: "${{profile.admin_userid}}", page: 1, page_size: 30,
                             start_time: "${{datetime(-1d)}}", end_time: "${{datetime(+1d)}}"}}
        save: {{ids: result}}
      - for_each: ${{ids}}
        request:
          path: /topapi/blackboard/get
          json: {{blackboard_id: "${{item}}", operation_userid: "${{profile.admin_userid}}"}}
        until: {{result.title: "apitest ${{uid}} copy"}}
        save: {{bb_id: result.id}}
    teardown:
      - request:
          path: /topapi/blackboard/delete
          json: {{blackboard_id: "${{bb_id}}", operation_userid: "${{profile.admin_userid}}"}}
"""

PARALLEL_COPIES = 8
PARALLEL_FLOWS = "".join(_CRUD_COPY.format(n=n) for n in range(PARALLEL_COPIES))
"""Copies of one announcement life cycle, each finding what it created by its own ``${uid}`` among the others'."""
