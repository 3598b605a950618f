"""Process task forms in the console browser test (console_test.py calls `task_form_checks` right
after `process_checks`; `--only processes` runs both).

Through the API (the admin key) the test makes the department `finance`, a finance agent with a
password, a customer, and deploys two processes: `loan_decision`, whose user task "Decide on the
loan" (candidateGroups finance) has a <rapport:form> with a required choice, a number with bounds
and an initial value from the instance, an integer, a date, a checkbox, a text with a pattern and a
textarea labelled `Reason <b>x</b>` (escaped in the XML), and `confirm_docs`, whose user task has no
form. The agent signs in in a browser of their own, then:

- on #/tasks?tab=department the loan's task has "Complete…" instead of Done; it opens the form in
  the row: heading "Loan decision: Decide on the loan", a link to the instance's page, one labelled
  control per field by type (select with an empty first option, number with min/max, integer with
  step 1, date, checkbox, text with pattern and maxlength, textarea), required ones marked
  (`required`, `aria-required`), the approved amount prefilled from the instance (25000), the label
  with markup as literal text (no <b> element), the focus in the first control;
- sent with the decision empty and an amount above the maximum: the server's 422 shows beside those
  two fields (aria-invalid, aria-describedby naming the message, the focus on the first) and nothing
  is completed (the API has the task open and the instance running);
- fixed and sent: the status line says the task is done, its row leaves the list, and the API has
  the task done and the instance completed with the typed variables (numbers as numbers, the date
  as YYYY-MM-DD, the checkbox as a boolean, the choice's value, the empty optional text left out);
- `confirm_docs`'s task opens a form with nothing to fill in and "Complete task", which completes
  it (the instance completed);
- a form sent after its instance was cancelled through the API (409): the task, read again, is
  cancelled and leaves the list;
- Chinese: a new loan task's button is 办理… and its form's button 完成任务; 375 px with the form
  open; axe-core on each page state.

Everything waits for what it checks (`b.wait`), never a fixed time.
"""

from __future__ import annotations

import json
import time

from selenium.webdriver.common.by import By

import colleagues
from colleagues import SET_VALUE, WAIT, expected

PASSWORD = "forms for finance 1234"
AGENT = {"email": "fiona.finance@example.com", "name": "Fiona Finance"}
CUSTOMER = "Mia Loan 米娅"
LOAN_KEY = "loan_decision"
DOCS_KEY = "confirm_docs"
LOAN_TASK = "Decide on the loan"
DOCS_TASK = "Check the documents"
REASON_LABEL = "Reason <b>x</b>"
NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:rapport="urn:rapport:bpmn:1.0"'
LOAN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="defs_loan" targetNamespace="http://example.org/rapport-tests">
  <bpmn:process id="{LOAN_KEY}" name="Loan decision" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:userTask id="decide" name="{LOAN_TASK}">
      <bpmn:extensionElements>
        <rapport:assignment candidateGroups="finance" dueAfter="P2D"/>
        <rapport:form>
          <rapport:field key="decision" label="Decision" type="choice" required="true">
            <rapport:option value="approve" label="Approve"/><rapport:option value="decline" label="Decline"/>
          </rapport:field>
          <rapport:field key="approved_amount" label="Approved amount" type="number" min="0" max="50000" value="amount"/>
          <rapport:field key="term_months" label="Term in months" type="integer" min="6" max="360" value="term"/>
          <rapport:field key="pay_out_on" label="Pay out on" type="date"/>
          <rapport:field key="notify_customer" label="Tell the customer" type="boolean" value="true"/>
          <rapport:field key="reference" label="Reference" type="text" pattern="[A-Z]{{2}}-[0-9]{{4}}" maxLength="7"/>
          <rapport:field key="reason" label="Reason &lt;b&gt;x&lt;/b&gt;" type="textarea" maxLength="200"/>
        </rapport:form>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="decide"/>
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>
"""
DOCS = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="defs_docs" targetNamespace="http://example.org/rapport-tests">
  <bpmn:process id="{DOCS_KEY}" name="Confirm the documents" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:userTask id="check" name="{DOCS_TASK}">
      <bpmn:extensionElements><rapport:assignment candidateGroups="finance"/></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="check"/>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>
"""

# The tasks listed: id, title, the actions' names and texts, and whether the row holds a form.
ROWS = """
return [...document.querySelectorAll('.task-list > li')].map((li) => ({
  id: li.dataset.taskId, title: li.querySelector('.task-title')?.textContent ?? '',
  actions: [...li.querySelectorAll('.task-actions button')].map((b) => [b.dataset.action, b.textContent, b.getAttribute('aria-expanded')]),
  form: !!li.querySelector('[data-form=process-task]'),
}));
"""
# The open form of the task with id arguments[0]: heading, link, notes, alert, and each field's
# control as the browser has it (labels, types, bounds, values, errors and how they are wired).
FORM = """
const panel = document.querySelector(`.task-list > li[data-task-id="${arguments[0]}"] [data-form=process-task]`);
if (!panel) return null;
const alert = panel.querySelector('.form-message');
return {
  busy: panel.getAttribute('aria-busy') === 'true' || panel.querySelector('form')?.getAttribute('aria-busy') === 'true',
  heading: panel.querySelector('h4')?.textContent ?? '', labelledBy: panel.getAttribute('aria-labelledby') === panel.querySelector('h4')?.id,
  link: panel.querySelector('a[data-action=open-process-instance]')?.getAttribute('href') ?? null,
  notes: [...panel.querySelectorAll('form > p.field-hint')].map((p) => p.textContent),
  alert: alert && !alert.hidden ? alert.textContent : '', alertRole: alert?.getAttribute('role') ?? '',
  submit: panel.querySelector('[data-action=process-form-submit]')?.textContent ?? null,
  markup: panel.querySelectorAll('b, img, script').length,
  fields: [...panel.querySelectorAll('[data-field-key]')].map((f) => {
    const c = f.querySelector('input, select, textarea');
    const error = f.querySelector('.field-error');
    const described = (c.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
    return { key: f.dataset.fieldKey, label: c.labels[0]?.textContent ?? '', labels: c.labels.length, tag: c.tagName.toLowerCase(), type: c.type,
      value: c.value, checked: c.checked, required: c.required, ariaRequired: c.getAttribute('aria-required'),
      min: c.getAttribute('min'), max: c.getAttribute('max'), step: c.getAttribute('step'), pattern: c.getAttribute('pattern'),
      maxlength: c.getAttribute('maxlength'), hint: f.querySelector('.field-hint')?.textContent ?? '',
      options: c.tagName === 'SELECT' ? [...c.options].map((o) => [o.value, o.textContent]) : null,
      error: error && !error.hidden ? error.textContent : '', invalid: c.getAttribute('aria-invalid'),
      errorDescribes: !!error && described.includes(error.id), focused: document.activeElement === c };
  }),
};
"""


def _log(msg: str) -> None:
    print(f"[task forms {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def task_form_checks(b, server, api, checks, audit, *, new_browser, abort) -> None:
    """`b`: the test's Browser (the finance agent gets a browser of their own from `new_browser()`,
    whose console is added to `b`'s at the end); `api`: the admin-key client; `audit(page,
    browser)` runs axe-core in that browser; `abort`: the exception that stops the test."""
    finance = colleagues.department(api, "finance")
    agent = colleagues.user(api, server.base, AGENT, finance, PASSWORD)
    for xml in (LOAN, DOCS):
        api.post("/v1/processes", {"xml": xml})
    customer = api.post("/v1/customers", {"name": CUSTOMER})
    _log(f"finance agent {agent['id']}, customer {customer['id']}")
    with colleagues.own_browsers(b, new_browser, "task-forms-finance") as (br,):
        colleagues.sign_in_all(checks, abort, "task forms: the finance agent signs in in a browser of their own", [(br, AGENT)], PASSWORD)
        _run(br, api, checks, audit, customer=customer, abort=abort)


def _run(br, api, checks, audit, *, customer, abort) -> None:  # noqa: PLR0915 - one story, told in order
    def start(key: str, variables: dict) -> tuple[str, str]:
        """Starts an instance of `key`; its id and the id of the task its user task opened."""
        instance = api.post("/v1/process-instances", {"process": key, "customer_id": customer["id"], "variables": variables})["id"]
        t0 = time.monotonic()
        while time.monotonic() - t0 < WAIT:
            listed = api.get("/v1/tasks", view="all", customer_id=customer["id"], limit=200).get("data", [])
            found = next((x for x in listed if x.get("source") == f"process:{instance}"), None)
            if found:
                return instance, found["id"]
            time.sleep(0.2)
        raise abort(f"the instance {instance} of {key} opened no task")

    def rows() -> list:
        return br.d.execute_script(ROWS) or []

    def row(task_id: str) -> dict | None:
        return next((r for r in rows() if r["id"] == task_id), None)

    def form(task_id: str) -> dict:
        return br.d.execute_script(FORM, task_id) or {}

    def fields(state: dict) -> dict:
        return {f["key"]: f for f in state.get("fields", [])}

    def open_department() -> None:
        br.go("/#/tasks?tab=department")
        br.d.refresh()
        br.wait(lambda: br.css(".task-list:not([aria-busy])") and br.text(".tasks-status") or None, WAIT)

    def open_form(task_id: str) -> dict:
        br.click(f".task-list > li[data-task-id='{task_id}'] [data-action=task-form]")
        return br.wait(lambda: (s := form(task_id)) and not s["busy"] and s.get("submit") and s, WAIT) or form(task_id)

    def field_sel(task_id: str, key: str, tag: str = "input") -> str:
        return f".task-list > li[data-task-id='{task_id}'] [data-form=process-task] {tag}[name={key}]"

    def put(selector: str, text: str) -> None:
        el = br.visible(selector)
        if el is None:
            raise abort(f"no {selector}")
        el.clear()
        if text:
            el.send_keys(text)

    loan, loan_task = start(LOAN_KEY, {"amount": 25000, "term": 24})
    _log(f"loan instance {loan}, task {loan_task}")

    # --- The task in "My department": "Complete…" instead of Done; its form in the row.
    br.step = "task-forms-list"
    open_department()
    listed = br.wait(lambda: row(loan_task), WAIT)
    actions = [a[0] for a in (listed or {}).get("actions", [])]
    checks.check("the finance agent sees the process's task under 'My department' with 'Complete…' instead of Done (and Cancel)",
                 listed is not None and listed["title"] == LOAN_TASK and actions == ["task-form", "task-cancel"]
                 and listed["actions"][0][1] == "Complete…" and listed["actions"][0][2] == "false",
                 json.dumps(listed, ensure_ascii=False)[:300] if listed else str([r["title"] for r in rows()]))
    if listed is None:
        raise abort("the loan's task is not listed")
    state = open_form(loan_task)
    by_key = fields(state)
    expanded = (row(loan_task) or {}).get("actions", [[None, None, None]])[0][2]
    checks.check("'Complete…' opens the form in the task's row: heading 'Loan decision: Decide on the loan', a link to the instance's page",
                 state.get("heading") == f"Loan decision: {LOAN_TASK}" and state.get("labelledBy") and state.get("link") == f"#/process-instances/{loan}"
                 and expanded == "true" and state.get("submit") == "Complete task",
                 json.dumps({k: state.get(k) for k in ("heading", "link", "submit")}, ensure_ascii=False) + f" expanded {expanded}")
    labels = [f["label"].removesuffix(" *") for f in state.get("fields", [])]
    checks.check("one labelled control per field, in the form's order, labels as the process names them",
                 labels == ["Decision", "Approved amount", "Term in months", "Pay out on", "Tell the customer", "Reference", REASON_LABEL]
                 and all(f["labels"] == 1 for f in state.get("fields", [])), str(labels))
    decision, amount, term = by_key.get("decision", {}), by_key.get("approved_amount", {}), by_key.get("term_months", {})
    pay, notify, ref, reason = by_key.get("pay_out_on", {}), by_key.get("notify_customer", {}), by_key.get("reference", {}), by_key.get("reason", {})
    checks.check("controls by type: a select (empty first option, then Approve, Decline), numbers with min/max (step any; 1 for the integer), "
                 "a date, a checkbox, a text with pattern and maxlength, a textarea",
                 decision.get("tag") == "select" and decision.get("options") == [["", "Choose…"], ["approve", "Approve"], ["decline", "Decline"]]
                 and amount.get("type") == "number" and amount.get("min") == "0" and amount.get("max") == "50000" and amount.get("step") == "any"
                 and term.get("type") == "number" and term.get("step") == "1" and term.get("min") == "6" and term.get("max") == "360"
                 and pay.get("type") == "date" and notify.get("type") == "checkbox"
                 and ref.get("type") == "text" and ref.get("pattern") == "[A-Z]{2}-[0-9]{4}" and ref.get("maxlength") == "7"
                 and reason.get("tag") == "textarea" and reason.get("maxlength") == "200",
                 json.dumps(state.get("fields"), ensure_ascii=False)[:600])
    checks.check("the required field is marked (*, required, aria-required) and the form says what * means; the others are not",
                 decision.get("required") and decision.get("ariaRequired") == "true" and decision.get("label", "").endswith(" *")
                 and not any(f["required"] or f["ariaRequired"] for k, f in by_key.items() if k != "decision")
                 and state.get("notes") == ["Fields marked * are required."],
                 json.dumps({k: [f["required"], f["ariaRequired"], f["label"]] for k, f in by_key.items()}, ensure_ascii=False))
    checks.check("values from the instance are filled in: the approved amount 25000 (the amount asked for), the term 24, the checkbox ticked; "
                 "the amount's bounds as a hint; the focus in the first control",
                 amount.get("value") == "25000" and term.get("value") == "24" and notify.get("checked") is True and decision.get("value") == ""
                 and amount.get("hint") == "From 0 to 50,000." and decision.get("focused"),
                 json.dumps({k: by_key.get(k, {}).get("value") for k in by_key}) + f" hint {amount.get('hint')!r}")
    pwned = br.d.execute_script("return document.querySelectorAll('main b').length")
    checks.check("a field labelled <b>x</b> (escaped in the BPMN) shows the markup as literal text: no <b> element in the page",
                 reason.get("label") == REASON_LABEL and state.get("markup") == 0 and pwned == 0, f"{reason.get('label')!r}, {pwned} b elements")
    audit("task forms: the process task's form open", br)

    # --- Wrong values: the server's 422 beside the fields, nothing completed.
    put(field_sel(loan_task, "approved_amount"), "90000")
    with expected(br, "task-forms-422", "/complete", 422):
        br.click(f".task-list > li[data-task-id='{loan_task}'] [data-action=process-form-submit]")
        refused = br.wait(lambda: (s := form(loan_task)) and not s["busy"] and fields(s).get("approved_amount", {}).get("error") and s, WAIT) or form(loan_task)
    by_key = fields(refused)
    decision, amount = by_key.get("decision", {}), by_key.get("approved_amount", {})
    others = [k for k, f in by_key.items() if k not in ("decision", "approved_amount") and (f["error"] or f["invalid"])]
    task_now = api.get(f"/v1/tasks/{loan_task}")
    instance_now = api.get(f"/v1/process-instances/{loan}")
    checks.check("sent with the decision empty and 90000 (over 50,000): the errors show beside those two fields "
                 "(aria-invalid, aria-describedby naming the message), the focus on the first",
                 decision.get("error") == "Fill in this field." and amount.get("error") == "Enter 50,000 or less."
                 and decision.get("invalid") == "true" and amount.get("invalid") == "true"
                 and decision.get("errorDescribes") and amount.get("errorDescribes") and decision.get("focused")
                 and not others and not refused.get("alert"),
                 json.dumps({k: [f["error"], f["invalid"], f["errorDescribes"], f["focused"]] for k, f in by_key.items()}, ensure_ascii=False))
    checks.check("nothing was completed: the API has the task open and the instance running; the row and its form stay",
                 task_now.get("status") == "open" and instance_now.get("status") == "running" and (row(loan_task) or {}).get("form"),
                 f"task {task_now.get('status')}, instance {instance_now.get('status')}")
    audit("task forms: the form with the server's errors", br)

    # --- Fixed: completed, the row leaves the list, the process goes on with typed values.
    br.css(f"{field_sel(loan_task, 'decision', 'select')} option[value=approve]")[0].click()
    put(field_sel(loan_task, "approved_amount"), "20000")
    put(field_sel(loan_task, "term_months"), "36")
    br.d.execute_script(SET_VALUE, field_sel(loan_task, "pay_out_on"), "2027-01-15")
    br.click(field_sel(loan_task, "notify_customer"))
    put(field_sel(loan_task, "reason", "textarea"), "Payslips fine 工资单")
    br.click(f".task-list > li[data-task-id='{loan_task}'] [data-action=process-form-submit]")
    gone = br.wait(lambda: row(loan_task) is None and "is done: the process goes on" in br.text(".tasks-status") or None, WAIT)
    said = br.text(".tasks-status")
    done = api.get(f"/v1/tasks/{loan_task}")
    after = api.get(f"/v1/process-instances/{loan}")
    variables = after.get("variables") or {}
    checks.check("fixed and sent: the status line says the task is done, its row leaves the open list",
                 bool(gone) and said == f"“{LOAN_TASK}” is done: the process goes on.", f"{said!r}, row {row(loan_task)}")
    checks.check("the API has the task done and the instance completed with the typed variables (numbers, date, boolean, the choice's value; "
                 "the empty reference left out)",
                 done.get("status") == "done" and after.get("status") == "completed"
                 and variables.get("decision") == "approve" and variables.get("approved_amount") == 20000 and variables.get("term_months") == 36
                 and variables.get("pay_out_on") == "2027-01-15" and variables.get("notify_customer") is False
                 and variables.get("reason") == "Payslips fine 工资单" and "reference" not in variables,
                 f"task {done.get('status')}, instance {after.get('status')}, variables {json.dumps(variables, ensure_ascii=False)}")
    audit("task forms: after completing the form", br)

    # --- A user task without a form: "Complete task" alone.
    docs, docs_task = start(DOCS_KEY, {})
    open_department()
    br.wait(lambda: row(docs_task), WAIT)
    state = open_form(docs_task)
    checks.check("a process task without fields opens with nothing to fill in and 'Complete task' alone",
                 state.get("heading") == f"Confirm the documents: {DOCS_TASK}" and state.get("fields") == []
                 and state.get("notes") == ["This step asks for nothing: complete it and the process goes on."] and state.get("submit") == "Complete task",
                 json.dumps(state, ensure_ascii=False)[:300])
    br.click(f".task-list > li[data-task-id='{docs_task}'] [data-action=process-form-submit]")
    docs_gone = br.wait(lambda: row(docs_task) is None or None, WAIT)
    docs_after = api.get(f"/v1/process-instances/{docs}")
    checks.check("'Complete task' completes it: the row leaves, the instance is completed",
                 bool(docs_gone) and api.get(f"/v1/tasks/{docs_task}").get("status") == "done" and docs_after.get("status") == "completed",
                 f"instance {docs_after.get('status')}")

    # --- The instance cancelled while the form is open: the task was withdrawn, and the page says so.
    withdrawn, withdrawn_task = start(LOAN_KEY, {"amount": 500})
    open_department()
    br.wait(lambda: row(withdrawn_task), WAIT)
    open_form(withdrawn_task)
    api.post(f"/v1/process-instances/{withdrawn}/cancel", {})
    br.css(f"{field_sel(withdrawn_task, 'decision', 'select')} option[value=decline]")[0].click()
    with expected(br, "task-forms-409", "/complete", 409):
        br.click(f".task-list > li[data-task-id='{withdrawn_task}'] [data-action=process-form-submit]")
        left = br.wait(lambda: row(withdrawn_task) is None and "was cancelled" in br.text(".tasks-status") or None, WAIT)
    checks.check("sent after the instance was cancelled (409: no process waits): the task, read again, is cancelled and leaves the list, said in the status line",
                 bool(left) and br.text(".tasks-status") == f"“{LOAN_TASK}” was cancelled."
                 and api.get(f"/v1/tasks/{withdrawn_task}").get("status") == "cancelled",
                 f"{br.text('.tasks-status')!r}, row {row(withdrawn_task)}")

    # --- Chinese and a phone's width.
    br.step = "task-forms-zh-CN"
    _, zh_task = start(LOAN_KEY, {"amount": 1000})
    open_department()
    br.wait(lambda: row(zh_task), WAIT)
    language = br.visible(".lang-switch select")
    if language is None:
        raise abort("no language switch")
    language.find_element(By.CSS_SELECTOR, "option[value='zh-CN']").click()
    zh_row = br.wait(lambda: br.h1() == "任务" and (r := row(zh_task)) and r["actions"] and r["actions"][0][1] == "办理…" and r, WAIT)
    zh_form = open_form(zh_task) if zh_row else {}
    zh_fields = fields(zh_form)
    checks.check("in Chinese the task's button is 办理…, its form's button 完成任务, the note and the empty option Chinese",
                 bool(zh_row) and zh_form.get("submit") == "完成任务" and zh_form.get("notes") == ["标有 * 的字段为必填项。"]
                 and (zh_fields.get("decision", {}).get("options") or [[None, None]])[0] == ["", "请选择…"],
                 json.dumps({"row": zh_row, "submit": zh_form.get("submit"), "notes": zh_form.get("notes")}, ensure_ascii=False)[:300])
    audit("task forms: the form in Chinese", br)
    with colleagues.phone_width(br):
        colleagues.fits(br, checks, "the Tasks page with a process task's form open (in Chinese)")
        audit("task forms: the form at 375 px (zh-CN)", br)
    br.d.execute_script("localStorage.setItem('rapport.locale', 'en')")
