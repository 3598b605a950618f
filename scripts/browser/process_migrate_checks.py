"""Moving a running process instance to another version in the console browser test
(console_test.py calls `process_migrate_checks` after the task forms; `--only processes` runs it).

Through the API (the admin key) the test deploys `claim_review` three times: version 1 (start →
user task `review` for the service department → end), version 2 (the same, and a task `archive`
after the review) and version 3 (the review renamed `assess`). It starts an instance on version 1.
An admin signs in in a browser of their own and opens the instance's page:

- the card "Move to another version" offers versions 3 (the newest) and 2, not 1 (the instance's);
- moving to version 3 (after the confirmation) is refused beside the form with the server's reason
  as text (the token waits at `review`, which version 3 does not have), and the API still has the
  instance on version 1;
- moving to version 2 draws the page again on version 2: a notice says so, the facts name version
  2, and the API has it on version 2 with its token still at `review`; the card now offers 3 and 1;
- axe-core on the page with the refusal shown.

Everything waits for what it checks (`b.wait`), never a fixed time.
"""

from __future__ import annotations

import time

from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.support.ui import Select

import colleagues
from colleagues import WAIT, expected

PASSWORD = "moves between versions 1234"
ADMIN = {"email": "mo.migrate@example.com", "name": "Mo Migrate"}
KEY = "claim_review"
NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:rapport="urn:rapport:bpmn:1.0"'


def _model(review_id: str, archive: bool) -> str:
    task = (f'<bpmn:userTask id="{review_id}" name="Review the claim"><bpmn:extensionElements>'
            '<rapport:assignment candidateGroups="service"/></bpmn:extensionElements></bpmn:userTask>')
    tail = ('<bpmn:task id="archive" name="Archive"/>'
            f'<bpmn:sequenceFlow id="f2" sourceRef="{review_id}" targetRef="archive"/>'
            '<bpmn:sequenceFlow id="f3" sourceRef="archive" targetRef="e"/>') if archive else \
        f'<bpmn:sequenceFlow id="f2" sourceRef="{review_id}" targetRef="e"/>'
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="defs_claim" targetNamespace="http://example.org/rapport-tests">
  <bpmn:process id="{KEY}" name="Claim review" isExecutable="true">
    <bpmn:startEvent id="s"/>{task}<bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="{review_id}"/>{tail}
  </bpmn:process>
</bpmn:definitions>
"""


MIGRATE = """
const card = document.querySelector('[data-card=migrate]');
return {
  card: Boolean(card),
  options: card ? [...card.querySelectorAll('select[data-field=migrate-version] option')].map((o) => o.value) : [],
  labels: card ? [...card.querySelectorAll('select[data-field=migrate-version] option')].map((o) => o.textContent) : [],
  error: card?.querySelector('[data-field=migrate-error]')?.hidden === false ? card.querySelector('[data-field=migrate-error]').textContent : '',
  invalid: card?.querySelector('select')?.getAttribute('aria-invalid') ?? null,
  notice: document.querySelector('[data-field=instance-notice]')?.textContent ?? '',
  process: document.querySelector('[data-field=process]')?.textContent ?? '',
};
"""


def _log(msg: str) -> None:
    print(f"[migrate {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _accept_alert(br) -> str:
    def alert():
        try:
            return br.d.switch_to.alert
        except NoAlertPresentException:
            return None
    found = br.wait(alert, WAIT)
    if not found:
        return ""
    text = found.text
    found.accept()
    return text


def process_migrate_checks(b, server, api, checks, audit, *, new_browser, abort) -> None:
    colleagues.user(api, server.base, ADMIN, None, PASSWORD, role="admin")
    api.post("/v1/processes", {"xml": _model("review", False)})
    instance = api.post("/v1/process-instances", {"process": KEY})
    for review, archive in (("review", True), ("assess", False)):
        api.post("/v1/processes", {"xml": _model(review, archive)})
    if instance.get("process_version") != 1:
        raise abort(f"the instance did not start on version 1 of {KEY}: {instance}")
    _log(f"instance {instance['id']} on version 1 of 3")
    with colleagues.own_browsers(b, new_browser, "migrate-admin") as (ad,):
        colleagues.sign_in_all(checks, abort, "migrate: the admin signs in in a browser of their own", [(ad, ADMIN)], PASSWORD)
        _run(ad, api, checks, audit, instance["id"])


def _run(ad, api, checks, audit, instance_id: str) -> None:
    def state() -> dict:
        return ad.d.execute_script(MIGRATE) or {}

    ad.step = "migrate"
    ad.go(f"/#/process-instances/{instance_id}")
    shown = ad.wait(lambda: (s := state()) and s["card"] and s["options"] and s, WAIT) or state()
    checks.check("migrate: a running instance's page offers the process's other versions (3, the newest, and 2), not its own",
                 shown.get("options") == ["3", "2"] and "3" in (shown.get("labels") or [""])[0], str(shown))

    with expected(ad, "migrate-409", "/migrate", 409):
        Select(ad.visible("[data-card=migrate] select")).select_by_value("3")
        ad.click("[data-action=migrate-instance]")
        confirm = _accept_alert(ad)
        refused = ad.wait(lambda: (s := state()) and s["error"] and s, WAIT) or state()
    still = api.get(f"/v1/process-instances/{instance_id}")
    checks.check("migrate: moving to version 3 (no node review) is refused beside the form with the server's reason as text; the instance stays on version 1",
                 "3" in confirm and "review" in refused.get("error", "") and refused.get("invalid") == "true"
                 and still.get("process_version") == 1, f"{confirm!r} {refused} {still.get('process_version')}")
    audit("migrate: a refused move", ad)

    Select(ad.visible("[data-card=migrate] select")).select_by_value("2")
    ad.click("[data-action=migrate-instance]")
    _accept_alert(ad)
    moved = ad.wait(lambda: (s := state()) and "2" in s["notice"] and "2" in s["process"] and s, WAIT) or state()
    after = api.get(f"/v1/process-instances/{instance_id}")
    checks.check("migrate: moving to version 2 draws the page on version 2 with a notice and offers 3 and 1; the API has the instance there, its token still at review",
                 bool(moved.get("notice")) and after.get("process_version") == 2 and [t.get("node") for t in after.get("tokens", [])] == ["review"]
                 and moved.get("options") == ["3", "1"], f"{moved} {after.get('process_version')} {after.get('tokens')}")
