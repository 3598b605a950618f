"""Tasks in the console browser test (console_test.py calls `tasks_checks`; `--only tasks` runs them
alone).

Through the API (the admin key) the test makes a salesperson (department `sales`), an email
channel, a customer and a routing rule "Upgrade leads" whose `create_task` action gives the
salesperson "Call about the upgrade", due in 240 minutes. The salesperson signs in in a browser of
their own, opens Tasks from the main navigation, then:

- an inbound email with "upgrade" is posted for the customer: the rule's task shows in "Mine"
  (the page is reloaded until it does, within a bounded time) with its due time, "For you", the
  customer's link and "Made by a routing rule"; the bell counts the assignment live, and the
  notification links to #/tasks?task=… (opening it brings the task into view) and the customer;
- the Customer 360's "Tasks" card lists the open task; its "New task" opens the form with the
  customer filled in: a task for the salesperson due two hours ago is listed in the card marked
  overdue and under "Overdue" on the Tasks page, its due time red;
- the "New task" form on the Tasks page: an empty title is refused beside it, a checklist line over
  500 characters by the server (its 422 `checklist[1].text` beside the checklist), then a task with
  two checklist lines is created; ticking the first is kept by the server (If-Match); a task for
  the sales department chosen in the picker (GET /v1/mentionables, listbox, Enter) shows under
  "My department";
- "Done" on the rule's task takes it from "Mine" and lists it under "Done" with "Reopen";
- a title `<img src=x onerror=…>` is text (window.__pwned stays undefined);
- Chinese (任务), 375 px, the first load of the Customer 360 under the budget; axe-core audits each
  page state.

Everything waits for what it checks (`b.wait`, or reloads in a bounded loop), never a fixed time.
"""

from __future__ import annotations

import json
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

import colleagues
from colleagues import BELL, FIRST_LOAD_BUDGET, LIVE_WAIT, WAIT, UserSession

RULE_WAIT = 30.0      # the longest the rule's task may take to show
PASSWORD = "tasks and checklists 1234"
SELLER = {"email": "tariq.tasks@example.com", "name": "Tariq Tasks"}
CUSTOMER = "Uma Upgrade 乌玛"
RULE_TITLE = "Call about the upgrade"
FORM_TITLE = "Prepare the upgrade quote"
CARD_TITLE = "Send the signed contract"
DEPT_TITLE = "Sales: review the upgrade pricing"
XSS_TITLE = '<img src=x onerror="window.__pwned=1">'
CHECKLIST = ["Check the invoice", "Send the quote 报价"]

TASKS = """
return [...document.querySelectorAll(arguments[0] || '.task-list > li')].map((li) => ({
  id: li.dataset.taskId, status: li.dataset.status, title: li.querySelector('[data-field=title], .task-title')?.textContent ?? '',
  due: li.querySelector('.task-due')?.textContent ?? '', overdue: !!li.querySelector('.task-due.overdue'),
  dueColor: li.querySelector('.task-due') ? getComputedStyle(li.querySelector('.task-due')).color : '',
  assignee: li.querySelector('[data-field=assignee]')?.textContent ?? '', priority: li.querySelector('[data-field=priority]')?.textContent ?? '',
  meta: li.querySelector('.task-meta')?.textContent ?? '',
  links: [...li.querySelectorAll('a')].map((a) => ({ action: a.dataset.action, href: a.getAttribute('href'), text: a.textContent })),
  checks: [...li.querySelectorAll('.task-checklist input')].map((c) => ({ checked: c.checked, label: c.labels[0]?.textContent ?? '', focused: document.activeElement === c })),
  actions: [...li.querySelectorAll('.task-actions button')].map((b) => b.dataset.action),
  markup: li.querySelectorAll('img, script').length, target: li.classList.contains('task-target'),
  focused: li.contains(document.activeElement),
}));
"""
FIELD = """
const el = document.querySelector(arguments[0]);
const error = el?.closest('.field, fieldset')?.querySelector('.field-error');
return el ? { error: error && !error.hidden ? error.textContent : '', invalid: (el.closest('fieldset') ?? el).getAttribute('aria-invalid'),
  focused: document.activeElement === el } : null;
"""
PICKER = """
const input = document.querySelector(arguments[0]);
const list = input && document.getElementById(input.getAttribute('aria-controls'));
return input && list ? { open: !list.hidden, expanded: input.closest('[role=combobox]')?.getAttribute('aria-expanded'), active: input.getAttribute('aria-activedescendant'),
  options: [...list.querySelectorAll('[role=option]')].map((o) => ({ id: o.id, kind: o.dataset.kind, ref: o.dataset.id, text: o.textContent })),
  chosen: input.closest('.task-assignee-field')?.querySelector('[data-field=assignee-chosen]')?.textContent ?? '' } : null;
"""
# A datetime-local value `minutes` from now, in the page's time zone, set as a person would type it.
SET_LOCAL = """
const [selector, minutes] = arguments;
const d = new Date(Date.now() + minutes * 60000);
const pad = (n) => String(n).padStart(2, '0');
const el = document.querySelector(selector);
el.value = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
el.dispatchEvent(new Event('input', { bubbles: true }));
return el.value;
"""
SIZES = """
const nav = performance.getEntriesByType('navigation')[0];
const own = performance.getEntriesByType('resource').filter(r => new URL(r.name).pathname.startsWith('/console/'));
return { page: nav ? nav.decodedBodySize : 0, assets: own.reduce((n, r) => n + r.decodedBodySize, 0), files: own.length,
  tasksView: own.some((r) => r.name.includes('/views/tasks.js')), taskForm: own.some((r) => r.name.includes('/task-form.js')) };
"""

NEW = "[data-card=new-task]"
CARD = "[data-card=customer-tasks]"


def _log(msg: str) -> None:
    print(f"[tasks {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def tasks_checks(b, server, api, checks, audit, *, new_browser, abort) -> None:
    """`b`: the test's Browser (the salesperson gets a browser of their own from `new_browser()`,
    whose console is added to `b`'s at the end); `api`: the admin-key client; `audit(page,
    browser)` runs axe-core in that browser; `abort`: the exception that stops the test."""
    base = server.base
    sales = colleagues.department(api, "sales")
    seller = colleagues.user(api, base, SELLER, sales, PASSWORD)
    mail = next((c for c in api.get("/v1/channels")["data"] if c["kind"] == "email"), None) or api.post("/v1/channels", {"kind": "email", "name": "Tasks mailbox"})
    customer = api.post("/v1/customers", {"name": CUSTOMER, "emails": ["uma.upgrade@example.com"]})
    rule = api.post("/v1/rules", {
        "name": "Upgrade leads", "trigger": "interaction.created",
        "conditions": {"expression": 'interaction.body.contains("upgrade")'},
        "actions": {"department": "sales", "create_task": {"title": RULE_TITLE, "assignee": seller["id"], "due_in_minutes": 240}},
    })
    _log(f"salesperson {seller['id']}, customer {customer['id']}, rule {rule.get('id')}")
    with colleagues.own_browsers(b, new_browser, "tasks-sales") as (br,):
        colleagues.sign_in_all(checks, abort, "the salesperson (department sales) signs in in a browser of their own", [(br, SELLER)], PASSWORD)
        _run(br, base, api, checks, audit, seller=seller, sales=sales, mail=mail, customer=customer, abort=abort)


def _run(br, base, api, checks, audit, *, seller, sales, mail, customer, abort) -> None:
    cid = customer["id"]
    http = UserSession(base, SELLER["email"], PASSWORD)

    def tasks(scope: str = "") -> list:
        return br.d.execute_script(TASKS, scope) or []

    def task(title: str, scope: str = "") -> dict | None:
        return next((x for x in tasks(scope) if x["title"] == title), None)

    def bell() -> dict:
        return br.d.execute_script(BELL) or {}

    def server_tasks(**params) -> list:
        return http.get("/v1/tasks", **params).json().get("data", [])

    def tab(name: str) -> None:
        br.click(f"[data-card=tasks] button[data-tab={name}]")
        br.wait(lambda: br.css(f"[data-card=tasks] button[data-tab={name}][aria-pressed=true]")
                and br.css(".task-list:not([aria-busy])") and br.text(".tasks-status") or None, WAIT)

    def open_tasks(which: str = "mine") -> None:
        br.go(f"/#/tasks?tab={which}")
        br.d.refresh()
        br.h1("Tasks")
        br.wait(lambda: br.css(".task-list:not([aria-busy])") and br.text(".tasks-status") or None, WAIT)

    # --- The Tasks page from the main navigation; the bell follows the stream.
    br.go("/#/customers")
    br.wait(lambda: bell().get("state") == "live" or None, WAIT)
    br.click(".main-nav a[data-nav=tasks]")
    opened = br.wait(lambda: "#/tasks" in br.d.current_url and br.h1() == "Tasks" and br.css(".main-nav a[data-nav=tasks][aria-current=page]") or None, WAIT)
    pressed = [e.get_attribute("data-tab") for e in br.css("[data-card=tasks] button[aria-pressed=true]")]
    labels = [e.text for e in br.css("[data-card=tasks] .status-tabs button")]
    checks.check("'Tasks' in the main navigation opens #/tasks with the tabs Mine (pressed), My department, Overdue, Done",
                 bool(opened) and pressed == ["mine"] and labels == ["Mine", "My department", "Overdue", "Done"], f"{pressed} {labels}")
    unread_before = bell().get("unread")

    # --- An inbound email with "upgrade": the rule gives the salesperson a task.
    api.post("/v1/interactions", {"channel_id": mail["id"], "customer_id": cid, "kind": "email", "direction": "inbound",
                                  "subject": "Plan change", "body": "Hello, we would like to upgrade to the business plan."})
    t0 = time.monotonic()
    found = None
    while time.monotonic() - t0 < RULE_WAIT and found is None:
        open_tasks()
        found = br.wait(lambda: task(RULE_TITLE), 2)
    took = time.monotonic() - t0
    stored = next((x for x in server_tasks(view="mine") if x["title"] == RULE_TITLE), None)
    checks.check("the routing rule's task shows in the salesperson's 'Mine' (reloading until it does)",
                 found is not None and stored is not None, f"after {took:.1f}s" if found else f"not within {RULE_WAIT:.0f}s; server {stored}")
    if found is None or stored is None:
        raise abort("the rule made no task")
    customer_link = next((a for a in found["links"] if a["action"] == "open-customer"), None)
    checks.check("it shows its due time, 'For you', the customer's link (#/customers/{id}, named) and 'Made by a routing rule'",
                 found["due"].startswith("Due") and not found["overdue"] and found["assignee"] == "For you" and found["priority"] == "Normal"
                 and customer_link is not None and customer_link["href"] == f"#/customers/{cid}" and CUSTOMER in customer_link["text"]
                 and "Made by a routing rule" in found["meta"] and stored.get("source", "").startswith("rule:") and stored.get("customer_id") == cid,
                 json.dumps(found, ensure_ascii=False)[:400])
    counted = br.wait(lambda: (bell().get("unread") or 0) > (unread_before or 0) or None, LIVE_WAIT)
    newest = next(iter(http.get("/v1/notifications", limit=5).json().get("data", [])), {})
    checks.check("the salesperson's bell counts the assignment (kind assignment, naming the task)",
                 bool(counted) and newest.get("kind") == "assignment" and newest.get("task_id") == stored["id"] and bell().get("unread") == http.unread(),
                 f"bell {bell()}, server {http.unread()}, newest {newest.get('kind')} {newest.get('task_id')}")
    audit("tasks: Mine with the rule's task", br)

    # --- The notification links to the task (and the customer).
    br.go("/#/notifications")
    item = br.wait(lambda: next((n for n in (br.d.execute_script(
        "return [...document.querySelectorAll('.notification-list > li')].map((li) => ({ kind: li.dataset.kind, what: li.querySelector('[data-field=what]')?.textContent,"
        " links: [...li.querySelectorAll('a')].map((a) => [a.dataset.action, a.getAttribute('href')]) }))") or []) if n["kind"] == "assignment"), None), WAIT)
    links = dict(map(tuple, (item or {}).get("links", [])))
    checks.check("the assignment's notification links to the task (#/tasks?task=…) and the customer",
                 item is not None and links.get("open-task") == f"#/tasks?task={stored['id']}" and links.get("open-customer") == f"#/customers/{cid}",
                 json.dumps(item, ensure_ascii=False)[:300])
    if item is not None and "open-task" in links:
        br.click(".notification-list > li[data-kind=assignment] a[data-action=open-task]")
        landed = br.wait(lambda: "#/tasks?task=" in br.d.current_url and (x := task(RULE_TITLE)) and x["target"] and x["focused"] and x, WAIT)
        checks.check("opening it shows the task on the Tasks page, in view and focused", bool(landed), br.d.current_url)

    # --- The Customer 360's card: the open task; "New task" with the customer, due two hours ago.
    br.go(f"/#/customers/{cid}")
    br.d.refresh()
    br.h1(CUSTOMER)
    listed = br.wait(lambda: task(RULE_TITLE, f"{CARD} li[data-task-id]"), WAIT)
    checks.check("the Customer 360 has a 'Tasks' card listing the customer's open task with its due time",
                 listed is not None and listed["due"].startswith("Due"), str(tasks(f"{CARD} li")))
    sizes = br.d.execute_script(SIZES)
    total = sizes["page"] + sizes["assets"]
    checks.check(f"the Customer 360's first load with the Tasks card stays under {FIRST_LOAD_BUDGET // 1000} KB; "
                 "the Tasks page and the task form are not part of it",
                 0 < total < FIRST_LOAD_BUDGET and not sizes["tasksView"] and not sizes["taskForm"],
                 f"{total / 1000:.1f} KB in {sizes['files'] + 1} files, tasks view {sizes['tasksView']}, form {sizes['taskForm']}")
    br.click(f"{CARD} [data-action=new-task]")
    title = br.visible(f"{CARD} input[name=title]")
    if title is None:
        raise abort("'New task' on the Customer 360 opens no form")
    focused = br.d.execute_script(f"return document.activeElement === document.querySelector('{CARD} input[name=title]')")
    title.send_keys(CARD_TITLE)
    br.d.execute_script(SET_LOCAL, f"{CARD} input[name=due_at]", -120)
    audit("tasks: customer 360 with the task form", br)
    br.click(f"{CARD} [data-action=task-submit]")
    saved = br.wait(lambda: "Task created" in br.text(f"{CARD} .form-message") and task(CARD_TITLE, f"{CARD} li[data-task-id]"), WAIT)
    made = next((x for x in server_tasks(view="mine") if x["title"] == CARD_TITLE), None)
    checks.check("the card's 'New task' (focus in its title) creates a task about the customer for the salesperson, listed in the card as overdue",
                 bool(saved) and saved["overdue"] and focused and made is not None and made.get("customer_id") == cid
                 and made.get("assignee") == {"kind": "user", "id": seller["id"]} and made.get("overdue") is True,
                 f"card {saved}, server {json.dumps(made, ensure_ascii=False)[:300] if made else None}")
    open_tasks("overdue")
    late = br.wait(lambda: task(CARD_TITLE), WAIT)
    others = [x["title"] for x in tasks()]
    checks.check("under 'Overdue' the task's due time is red ('Overdue since …'), with the customer's link; the rule's task (due later) is not there",
                 late is not None and late["overdue"] and late["due"].startswith("Overdue since") and late["dueColor"] == "rgb(180, 35, 24)"
                 and any(a["href"] == f"#/customers/{cid}" for a in late["links"]) and RULE_TITLE not in others,
                 f"{json.dumps(late, ensure_ascii=False)[:300]}; listed {others}")
    audit("tasks: Overdue", br)

    # --- The form on the Tasks page: errors beside the fields, then a task with a checklist.
    open_tasks()
    br.click(f"{NEW} [data-action=task-submit]")
    empty = br.wait(lambda: (f := br.d.execute_script(FIELD, f"{NEW} input[name=title]")) and f["error"] and f, 3) or {}
    checks.check("an empty title is refused beside it (aria-invalid, focus there), before sending",
                 empty.get("error") == "Fill in this field." and empty.get("invalid") == "true" and empty.get("focused"), str(empty))
    br.visible(f"{NEW} input[name=title]").send_keys(FORM_TITLE)
    area = br.visible(f"{NEW} textarea[name=checklist]")
    area.send_keys(CHECKLIST[0] + "\n")
    br.d.execute_script("const a = document.querySelector(arguments[0]); a.value += 'x'.repeat(501); a.dispatchEvent(new Event('input', { bubbles: true }));",
                        f"{NEW} textarea[name=checklist]")
    br.drain()
    br.step = "tasks-422"  # the browser logs the server's 422: expected here, and only here
    br.click(f"{NEW} [data-action=task-submit]")
    server_error = br.wait(lambda: (f := br.d.execute_script(FIELD, f"{NEW} textarea[name=checklist]")) and f["error"] and f, WAIT) or {}
    br.drain()
    br.console = [e for e in br.console if not (e["step"] == "tasks-422" and "/v1/tasks" in e["message"] and "422" in e["message"])]
    br.step = "tasks-sales"
    title_state = br.d.execute_script(FIELD, f"{NEW} input[name=title]") or {}
    checks.check("a checklist line over 500 characters: the server's 422 (checklist[1].text) is shown beside the checklist, naming line 2",
                 server_error.get("error", "").startswith("Line 2") and server_error.get("invalid") == "true" and server_error.get("focused")
                 and not title_state.get("error"), f"{server_error} / title {title_state}")
    audit("tasks: the form with a field error", br)
    area = br.visible(f"{NEW} textarea[name=checklist]")
    area.send_keys(Keys.CONTROL, "a")
    area.send_keys(Keys.DELETE)
    area.send_keys("\n".join(CHECKLIST))
    br.css(f"{NEW} select[name=priority] option[value=high]")[0].click()
    br.click(f"{NEW} [data-action=task-submit]")
    created = br.wait(lambda: "Task created" in br.text(f"{NEW} .form-message") and (x := task(FORM_TITLE)) and x, WAIT)
    checks.check("'Create task' stores it (priority High, two checklist items) and lists it under 'Mine'; the form is empty again",
                 bool(created) and created["priority"] == "High" and [c["label"] for c in created["checks"]] == CHECKLIST
                 and not any(c["checked"] for c in created["checks"]) and br.visible(f"{NEW} input[name=title]").get_attribute("value") == "",
                 json.dumps(created, ensure_ascii=False)[:300] if created else br.text(f"{NEW} .form-message"))
    if created:
        br.click(f".task-list > li[data-task-id='{created['id']}'] .task-checklist input[data-index='0']")
        ticked = br.wait(lambda: (x := task(FORM_TITLE)) and x["checks"] and x["checks"][0]["checked"]
                         and (s := http.get(f"/v1/tasks/{created['id']}").json()) and s.get("version", 1) > 1 and s, WAIT)
        now = task(FORM_TITLE) or {}
        checks.check("ticking the first checklist item is kept by the server (PATCH checklist with If-Match); the box keeps the focus",
                     bool(ticked) and [i.get("done") for i in ticked.get("checklist", [])] == [True, False] and now.get("checks", [{}])[0].get("focused"),
                     f"{(ticked or {}).get('checklist')} focus {now.get('checks')}")

    # --- A task for the department, chosen in the picker.
    br.visible(f"{NEW} input[name=title]").send_keys(DEPT_TITLE)
    br.click(f"{NEW} input[data-assignee=other]")
    search_sel = f"{NEW} input[name=assignee-search]"
    search = br.visible(search_sel)
    search.send_keys("Sale")
    picked = br.wait(lambda: (p := br.d.execute_script(PICKER, search_sel)) and p["open"] and any(o["kind"] == "department" for o in p["options"]) and p, WAIT) or {}
    for _ in range(len(picked.get("options", []))):
        state = br.d.execute_script(PICKER, search_sel) or {}
        active = next((o for o in state.get("options", []) if o["id"] == state.get("active")), None)
        if active and active["kind"] == "department":
            break
        search.send_keys(Keys.ARROW_DOWN)
    audit("tasks: the assignee picker open", br)
    search.send_keys(Keys.ENTER)
    chosen = br.wait(lambda: (p := br.d.execute_script(PICKER, search_sel)) and not p["open"] and p["chosen"] and p, 3) or {}
    br.click(f"{NEW} [data-action=task-submit]")
    br.wait(lambda: "Task created" in br.text(f"{NEW} .form-message") or None, WAIT)
    dept_task = next((x for x in server_tasks(view="department") if x["title"] == DEPT_TITLE), None)
    tab("department")
    in_tab = br.wait(lambda: task(DEPT_TITLE), WAIT)
    checks.check("the picker (role=combobox, listbox from /v1/mentionables) chooses the Sales department with the keys; the task shows under 'My department'",
                 picked.get("expanded") == "true" and "Sales" in chosen.get("chosen", "") and dept_task is not None
                 and dept_task.get("assignee") == {"kind": "department", "id": sales["id"]} and in_tab is not None and in_tab["assignee"] == "For Sales",
                 f"picker {picked.get('options', [])[:3]}, chosen {chosen.get('chosen')!r}, server {dept_task and dept_task.get('assignee')}, shown {in_tab}")
    audit("tasks: My department", br)

    # --- Done: the rule's task leaves "Mine" and is listed under "Done".
    tab("mine")
    rule_task = br.wait(lambda: task(RULE_TITLE), WAIT)
    if rule_task is None:
        raise abort("the rule's task is not under Mine any more")
    br.click(f".task-list > li[data-task-id='{rule_task['id']}'] [data-action=task-done]")
    gone = br.wait(lambda: task(RULE_TITLE) is None and "is done" in br.text(".tasks-status") or None, WAIT)
    after = http.get(f"/v1/tasks/{rule_task['id']}").json()
    checks.check("'Done' takes the task from 'Mine' (said in the status line); the server has it done with completed_at",
                 bool(gone) and after.get("status") == "done" and after.get("completed_at"), f"{br.text('.tasks-status')!r} {after.get('status')}")
    tab("done")
    done = br.wait(lambda: task(RULE_TITLE), WAIT)
    checks.check("under 'Done' it is listed marked Done, with 'Reopen'",
                 done is not None and done["status"] == "done" and done["actions"] == ["task-reopen"], json.dumps(done, ensure_ascii=False)[:200])
    audit("tasks: Done", br)

    # --- Markup in a title is text.
    api.post("/v1/tasks", {"title": XSS_TITLE, "assignee": {"kind": "user", "id": seller["id"]}})
    open_tasks()
    xss = br.wait(lambda: task(XSS_TITLE), WAIT)
    pwned = br.d.execute_script("return typeof window.__pwned")
    images = br.d.execute_script("return document.querySelectorAll('main img').length")
    checks.check("a task titled <img src=x onerror=…> shows the title as text: no img element, window.__pwned undefined",
                 xss is not None and xss["markup"] == 0 and images == 0 and pwned == "undefined", f"{xss}, img {images}, __pwned {pwned}")

    # --- Chinese and a phone's width.
    language = br.visible("select[aria-label]")
    if language is not None:
        language.find_element(By.CSS_SELECTOR, "option[value='zh-CN']").click()
        zh = br.wait(lambda: br.h1() == "任务" and [e.text for e in br.css("[data-card=tasks] .status-tabs button")] == ["我的", "我的部门", "已逾期", "已完成"]
                     and (x := task(FORM_TITLE)) and x["priority"] == "高" and x, WAIT)
        nav = br.text(".main-nav a[data-nav=tasks]")
        checks.check("in Chinese the page is 任务 (tabs 我的, 我的部门, 已逾期, 已完成; priority 高), the navigation says 任务",
                     bool(zh) and nav == "任务", f"{br.h1()!r} nav {nav!r}")
        audit("tasks: Mine in Chinese", br)
        with colleagues.phone_width(br):
            colleagues.fits(br, checks, "the Tasks page (in Chinese)")
            audit("tasks: Mine at 375 px (zh-CN)", br)
        br.d.execute_script("localStorage.setItem('rapport.locale', 'en')")
