#!/usr/bin/env python3
"""End-to-end BPMN scenarios over HTTP, with an injected clock and a job worker written in Python.

Starts `rapport serve --test-clock --smtp-port …` on a fresh SQLite data directory (or a fresh
database on a given PostgreSQL server), installs the banking and service record templates, makes
three channels (web, mobile app, and an email channel with an address), five people in three
departments (signed in with their own sessions) and an agent API key for the job worker, deploys
docs/processes/loan_application.bpmn and docs/processes/complaint_escalation.bpmn (with the managers'
user ids put in for the placeholders), and runs a job worker: one thread per job type, each long
polling `POST /v1/jobs/activate` and doing its work through the API before it completes the job.

Complaint escalation ("a complaint with CSAT 1 opens a service case, and if not resolved in 4 hours
escalates to the service manager and tells sales"):

* a CSAT 5 and an NPS 1 start nothing;
* a CSAT 1 resolved in time: the worker opens a case, the service agent resolves it and completes
  the department's task; the instance ends at "Resolved in time" and the 4-hour timer goes with it
  (moving the clock past it later escalates nothing);
* a CSAT 1 left alone: the clock moves 4 h 1 min, the timer withdraws the service task (its Rapport
  task cancelled), the service manager gets a task of their own, the worker tells sales with a note
  mentioning @sales (a sales agent is notified), the manager completes their task and the instance
  ends at "Escalation handled".

Loan application ("a loan application that arrives on any channel is checked, documents are
requested by email, underwriting is a finance task with a 2-day SLA, the customer is told on the
channel they used"):

* a form that is not a loan application starts nothing;
* an application on the mobile app over the limit: checked, declined, and the customer is told on the
  mobile app;
* an application on the web: checked and filed as a loan_application record, documents requested by
  email; the customer's chat message on the web is not the documents (the process waits again); the
  customer's email with two PDFs, sent over SMTP to the channel's address, is; underwriting is a
  task for finance due in 2 days, its SLA two business days in finance's opening hours (the instance
  shows when it fires, checked against an oracle here); the clock moves 5 min past it: the
  non-interrupting SLA timer gives
  the finance manager a follow-up task while underwriting stays open (and overdue); the manager
  completes the follow-up through the tasks API; the underwriter fills in underwriting's form (a
  decision not offered and no note are refused naming both fields, then approved with a note),
  Rapport records the decision on the application (rapport.record.update), and the worker tells
  the customer on the web, where they applied.

Then across both: each instance started and completed exactly once (history and events), every job
completed once, no job left to fetch, no incident.

Python 3.11 standard library only. One PASS/FAIL line per check, then `N passed, N failed`; exit
status 1 when a check failed, with the tail of the server log.

    python3 scripts/process_scenarios.py --binary .build/debug/rapport
    python3 scripts/process_scenarios.py --binary .build/debug/rapport \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import os
import shutil
import smtplib
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
import uuid
from dataclasses import dataclass
from email.message import EmailMessage

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from crash_test import Api, Server, TestAbort  # noqa: E402
from testkit import Checks, drop_database, free_port, fresh_database, redact, sample  # noqa: E402

PROCESSES = os.path.join(os.path.dirname(HERE), "docs", "processes")
LOAN_MODEL = os.path.join(PROCESSES, "loan_application.bpmn")
COMPLAINT_MODEL = os.path.join(PROCESSES, "complaint_escalation.bpmn")
WAIT = 20.0                 # seconds to wait for a state the API should reach
NOTICE_WAIT = 45.0          # overdue notices: the deadline watcher looks every 15 s
POLL = 0.05
JOB_LOCK_SECONDS = 60
LOAN_LIMIT = 100_000        # what loan.check approves at most
CLIENT_NAME = "scenarios.example"  # our EHLO name (smtplib would otherwise look up the FQDN)
LOAN_MAILBOX = "loans@bank.example"


def log(msg: str) -> None:
    print(f"[process-scenarios {time.strftime('%H:%M:%S')}] {msg}", flush=True)


class ScenarioServer(Server):
    """crash_test's server, served with some more flags (`keys create` does not take them)."""

    def __init__(self, binary: str, storage_args: list[str], port: int, log_path: str, serve_args: list[str]) -> None:
        super().__init__(binary, storage_args, port, log_path)
        self.serve_args = serve_args

    def start(self) -> None:
        storage = self.storage_args
        self.storage_args = storage + self.serve_args
        try:
            super().start()
        finally:
            self.storage_args = storage


# --------------------------------------------------------------------------- #
# API helpers
# --------------------------------------------------------------------------- #

def call(api: Api, method: str, path: str, body=None, idempotency_key: str | None = None):
    """(status, JSON) of one request; with an Idempotency-Key when given."""
    conn = api.connection()
    try:
        headers = api.headers()
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        conn.request(method, path, body=json.dumps(body).encode() if body is not None else None, headers=headers)
        resp = conn.getresponse()
        text = resp.read().decode("utf-8", errors="replace")
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = None
        return resp.status, parsed, text
    finally:
        conn.close()


def need(api: Api, method: str, path: str, body=None, expect: tuple[int, ...] = (200, 201), idempotency_key: str | None = None) -> dict:
    """The JSON answer of a request that must succeed (setup steps); anything else aborts the run."""
    status, parsed, text = call(api, method, path, body, idempotency_key)
    if status not in expect or not isinstance(parsed, dict):
        raise TestAbort(f"{method} {path} -> HTTP {status}: {text[:400]}")
    return parsed


def list_all(api: Api, path: str, query: dict | None = None) -> list[dict]:
    items: list[dict] = []
    cursor = None
    for _ in range(1000):
        q = dict(query or {})
        q.setdefault("limit", "200")
        if cursor:
            q["cursor"] = cursor
        page = api.get_json(f"{path}?{urllib.parse.urlencode(q)}")
        items.extend(page["data"])
        cursor = page.get("next_cursor")
        if not cursor:
            return items
    raise TestAbort(f"{path}: pagination did not end")


def wait_for(probe, timeout: float = WAIT):
    """Polls `probe` until it answers something truthy or the deadline passes: (reached, last answer)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return True, value
        if time.monotonic() > deadline:
            return False, value
        time.sleep(POLL)


def instance(api: Api, instance_id: str) -> dict:
    return api.get_json(f"/v1/process-instances/{instance_id}")


def history(api: Api, instance_id: str) -> list[dict]:
    return list_all(api, f"/v1/process-instances/{instance_id}/history", {"limit": "500"})


def completed_nodes(steps: list[dict]) -> list[str]:
    return [s["node"] for s in steps if s["kind"] == "completed"]


def count_steps(steps: list[dict], kind: str, node: str) -> int:
    return sum(1 for s in steps if s["kind"] == kind and s["node"] == node)


def token_nodes(found: dict) -> list[str]:
    return sorted(t["node"] for t in found.get("tokens", []))


def waiting_at(api: Api, instance_id: str, nodes: list[str]):
    """A probe: the instance once its waiting tokens are exactly at `nodes`."""
    def probe():
        found = instance(api, instance_id)
        waiting = sorted(t["node"] for t in found["tokens"] if t.get("state") == "waiting")
        return found if waiting == sorted(nodes) and len(found["tokens"]) == len(nodes) else None
    return probe


def ended(api: Api, instance_id: str):
    def probe():
        found = instance(api, instance_id)
        return found if found["status"] != "running" else None
    return probe


def instances_about(api: Api, process: str, customer_id: str) -> list[dict]:
    return list_all(api, "/v1/process-instances", {"process": process, "customer_id": customer_id})


def process_tasks(api: Api, instance_id: str) -> list[dict]:
    """The Rapport tasks the instance's user tasks opened, oldest first."""
    found = [t for t in list_all(api, "/v1/tasks", {"view": "all", "status": "any"}) if t["source"] == f"process:{instance_id}"]
    return sorted(found, key=lambda t: t["created_at"])


def parse_time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def seconds_between(earlier: str, later: str) -> float:
    return (parse_time(later) - parse_time(earlier)).total_seconds()


# Finance's opening hours in the scenarios: weekday → (opens, closes) in hours, UTC.
FINANCE_HOURS = {weekday: (9, 17) for weekday in range(5)}


def business_days_later(start: datetime.datetime, days: int, hours: dict[int, tuple[int, int]]) -> datetime.datetime:
    """The same time of day `days` open dates after the first open moment at or after `start` (an
    oracle for the server's business days, written separately from it)."""
    moment = start
    while True:
        opens, closes = hours.get(moment.weekday(), (0, 0))
        day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        if opens < closes and moment < day + datetime.timedelta(hours=closes):
            moment = max(moment, day + datetime.timedelta(hours=opens))
            break
        moment = day + datetime.timedelta(days=1)
    found = moment
    while days > 0:
        found += datetime.timedelta(days=1)
        if found.weekday() in hours:
            days -= 1
    return found


def advance_clock(api: Api, checks: Checks, seconds: int, why: str) -> None:
    before = datetime.datetime.now(datetime.timezone.utc)
    status, body, text = call(api, "POST", "/v1/test-clock", {"advance_seconds": seconds})
    ok = status == 200 and isinstance(body, dict) and "now" in body
    moved = (parse_time(body["now"]) - before).total_seconds() if ok else None
    checks.check(f"the test clock moves {seconds} s forward ({why})", ok and moved is not None and moved >= seconds - 1,
                 f"now {body.get('now') if isinstance(body, dict) else text[:200]}, {moved:.0f} s ahead of real time"
                 if moved is not None else f"HTTP {status} {text[:200]}")
    log(f"clock moved {seconds} s: {why}")


@dataclass
class Person:
    id: str
    name: str
    email: str
    department: str
    password: str
    api: Api

    def sign_in(self, admin: Api) -> None:
        """A new session (one lasts 12 hours of the server's clock)."""
        session = need(admin, "POST", "/v1/session", {"email": self.email, "password": self.password, "cookie": False})
        self.api = Api(admin.port, session["token"])


def make_person(admin: Api, departments: dict[str, str], name: str, email: str, role: str, department: str) -> Person:
    """A user in a department, with a password (one-time setup link) and a signed-in session."""
    user = need(admin, "POST", "/v1/users", {"email": email, "name": name, "role": role, "department_id": departments[department]})
    setup = need(admin, "POST", "/v1/password-setups", {"user_id": user["id"]})
    password = f"a long enough password for {name}"
    need(admin, "POST", "/v1/password-setups/complete", {"token": setup["token"], "password": password}, expect=(200, 201))
    person = Person(user["id"], name, email, department, password, admin)
    person.sign_in(admin)
    return person


# --------------------------------------------------------------------------- #
# The job worker
# --------------------------------------------------------------------------- #

@dataclass
class Context:
    """What the job handlers need to know about this installation."""
    web: str
    app: str
    email: str
    departments: dict[str, str]


class JobWorker:
    """A job worker written against the API: a thread per job type fetches jobs (long polling),
    does the work through the API and completes the job with variables; a handler that raises
    fails the job with its message."""

    def __init__(self, api: Api, context: Context) -> None:
        self.api = api
        self.context = context
        self.lock = threading.Lock()
        self.completed: list[dict] = []   # {"type", "job", "instance", "node", "variables"}
        self.problems: list[str] = []
        self.stop = threading.Event()
        self.handlers = {
            "loan.check": self.check_application,
            "loan.request_documents": self.request_documents,
            "loan.notify": self.notify_decision,
            "complaint.open_case": self.open_case,
            "complaint.tell_sales": self.tell_sales,
        }
        self.threads = [threading.Thread(target=self.run, args=(kind,), name=f"worker-{kind}", daemon=True) for kind in self.handlers]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=10)

    def jobs_done(self, kind: str, instance_id: str) -> list[dict]:
        with self.lock:
            return [c for c in self.completed if c["type"] == kind and c["instance"] == instance_id]

    def run(self, kind: str) -> None:
        handler = self.handlers[kind]
        while not self.stop.is_set():
            try:
                status, body, text = call(self.api, "POST", "/v1/jobs/activate",
                                          {"type": kind, "worker": f"py-{kind}", "max_jobs": 5,
                                           "lock_seconds": JOB_LOCK_SECONDS, "wait_seconds": 1})
            except OSError as e:
                if not self.stop.is_set():
                    self.problem(f"{kind}: activate: {type(e).__name__}: {e}")
                time.sleep(0.2)
                continue
            if status != 200 or not isinstance(body, dict):
                self.problem(f"{kind}: activate -> HTTP {status}: {text[:200]}")
                time.sleep(0.2)
                continue
            for job in body.get("jobs", []):
                self.work(kind, handler, job)

    def work(self, kind: str, handler, job: dict) -> None:
        try:
            variables = handler(job)
        except Exception as e:  # noqa: BLE001 - the job fails with the reason, the run goes on
            self.problem(f"{kind} job {job['id']} ({job['instance_id']}): {type(e).__name__}: {e}")
            call(self.api, "POST", f"/v1/jobs/{job['id']}/fail",
                 {"message": f"{type(e).__name__}: {e}"[:3000], "retries": max(job.get("retries", 1) - 1, 0)})
            return
        status, done, text = call(self.api, "POST", f"/v1/jobs/{job['id']}/complete", {"variables": variables})
        if status != 200 or not isinstance(done, dict):
            self.problem(f"{kind} job {job['id']}: complete -> HTTP {status}: {text[:200]}")
            return
        with self.lock:
            self.completed.append({"type": kind, "job": job["id"], "instance": job["instance_id"], "node": job["node"],
                                   "variables": variables, "worker": job.get("worker")})

    def problem(self, text: str) -> None:
        log(f"worker problem: {text}")
        with self.lock:
            self.problems.append(text)

    # -- the handlers: each does its work through the API, with the job's id as idempotency key --

    def check_application(self, job: dict) -> dict:
        """Checks the application the form carried, files it as a loan_application record."""
        event = job["variables"]["event"]
        interaction = event["data"]["interaction"]
        form = interaction["metadata"]
        amount, term, purpose = int(form["amount"]), int(form["term_months"]), form["purpose"]
        currency = form.get("currency", "EUR")
        channel = need(self.api, "GET", f"/v1/channels/{interaction['channel_id']}")
        applied_through = {"web": "web", "mobile_app": "app", "phone": "phone", "store": "branch"}.get(channel["kind"])
        problems = []
        if amount > LOAN_LIMIT:
            problems.append(f"the amount is over our limit of {LOAN_LIMIT} {currency}")
        if not 6 <= term <= 120:
            problems.append("the term must be 6 to 120 months")
        eligible = not problems
        fields = {"amount": {"amount": str(amount), "currency": currency}, "purpose": purpose, "term_months": term}
        if applied_through:
            fields["channel"] = applied_through
        if not eligible:
            fields["decision_note"] = "Declined at the first check: " + "; ".join(problems) + "."
        record = need(self.api, "POST", "/v1/records/loan_application",
                      {"customer_id": job["customer_id"], "fields": fields, "stage": "applied" if eligible else "declined"},
                      idempotency_key=f"{job['id']}-record")
        return {"application": {"record_id": record["id"], "amount": amount, "currency": currency, "term_months": term, "purpose": purpose},
                "eligible": eligible, "check_problems": problems,
                "applied_channel_id": interaction["channel_id"], "application_interaction_id": interaction["id"]}

    def request_documents(self, job: dict) -> dict:
        """Moves the application to its documents stage and asks the customer by email."""
        application = job["variables"]["application"]
        need(self.api, "PATCH", f"/v1/records/loan_application/{application['record_id']}", {"stage": "documents"})
        sent = need(self.api, "POST", "/v1/interactions", {
            "channel_id": self.context.email, "customer_id": job["customer_id"], "direction": "outbound", "kind": "email",
            "subject": f"Documents for your loan application {application['record_id']}",
            "body": "Thank you for your application. Please reply to this email with your last three payslips and a copy of your ID.",
            "external_id": f"documents-request-{job['id']}",
        })
        return {"documents_requested_interaction_id": sent["id"]}

    def notify_decision(self, job: dict) -> dict:
        """Tells the customer the decision the application record holds, on the channel they applied on."""
        variables = job["variables"]
        application = variables["application"]
        record = need(self.api, "GET", f"/v1/records/loan_application/{application['record_id']}")
        decision = record["stage"]
        if decision not in ("approved", "declined"):
            raise RuntimeError(f"the application {record['id']} is at stage {decision!r}, not decided")
        note = record["fields"].get("decision_note") or ""
        amount = f"{application['amount']} {application['currency']}"
        text = (f"Good news: your loan application for {amount} was approved. {note}" if decision == "approved"
                else f"We are sorry: your loan application for {amount} was declined. {note}")
        told = need(self.api, "POST", "/v1/interactions", {
            "channel_id": variables["applied_channel_id"], "customer_id": job["customer_id"], "direction": "outbound",
            "kind": "message", "subject": "Your loan application", "body": text.strip(),
            "external_id": f"loan-decision-{job['id']}",
        })
        return {"decision": decision, "notified_interaction_id": told["id"], "notified_channel_id": variables["applied_channel_id"]}

    def open_case(self, job: dict) -> dict:
        """Opens a service case about the customer's complaint."""
        response = job["variables"]["event"]["data"]["record"]
        comment = response["fields"].get("comment")
        fields = {"subject": f"Complaint after a CSAT of {response['fields']['score']}", "priority": "high", "category": "complaint"}
        if comment:
            fields["description"] = comment
        case = need(self.api, "POST", "/v1/records/case", {"customer_id": job["customer_id"], "fields": fields},
                    idempotency_key=f"{job['id']}-case")
        return {"case_id": case["id"], "satisfaction_id": response["id"]}

    def tell_sales(self, job: dict) -> dict:
        """Tells sales with a note on the customer that mentions the department."""
        variables = job["variables"]
        comment = variables["event"]["data"]["record"]["fields"].get("comment") or "no comment"
        note = need(self.api, "POST", "/v1/notes", {
            "customer_id": job["customer_id"],
            "body": (f"@sales heads-up: the complaint in case {variables['case_id']} (CSAT 1: \"{comment}\") was not resolved "
                     "within 4 hours and went to the service manager. Please hold any sales contact until it is settled."),
        }, idempotency_key=f"{job['id']}-note")
        return {"sales_note_id": note["id"]}


# --------------------------------------------------------------------------- #
# The scenarios
# --------------------------------------------------------------------------- #

class Scenarios:
    def __init__(self, checks: Checks, admin: Api, worker: JobWorker, context: Context, people: dict[str, Person],
                 smtp_port: int, run_id: str) -> None:
        self.checks = checks
        self.admin = admin
        self.worker = worker
        self.context = context
        self.people = people
        self.smtp_port = smtp_port
        self.run_id = run_id
        self.instances: dict[str, str] = {}   # label -> instance id
        self.worker_key_id = ""

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        return self.checks.check(name, ok, detail)

    def customer(self, name: str, email: str) -> str:
        return need(self.admin, "POST", "/v1/customers", {"name": name, "identities": [f"email:{email}"]})["id"]

    def started(self, label: str, process: str, customer_id: str) -> dict | None:
        """Waits for the one instance of `process` about the customer that a CRM event started."""
        reached, found = wait_for(lambda: instances_about(self.admin, process, customer_id))
        self.check(f"{label}: the CRM event starts a {process} instance about the customer", reached and len(found) == 1,
                   f"{len(found or [])} instances")
        if not reached:
            return None
        self.instances[label] = found[0]["id"]
        self.check(f"{label}: started by the process triggers", found[0].get("started_by", {}).get("id") == "process-triggers",
                   str(found[0].get("started_by")))
        return found[0]

    def user_task(self, label: str, instance_id: str, title: str):
        """The open Rapport task the instance's user task opened, by title."""
        def probe():
            return [t for t in process_tasks(self.admin, instance_id) if t["title"] == title and t["status"] == "open"]
        reached, tasks = wait_for(probe)
        self.check(f"{label}: the user task is one open Rapport task \"{title}\"", reached and len(tasks) == 1,
                   f"{len(tasks or [])} open")
        return tasks[0] if reached else None

    # ---- complaint escalation -------------------------------------------------

    def complaints(self) -> None:
        print("--- complaint escalation: CSAT 1 in time, CSAT 1 escalated, CSAT 5 and NPS 1 start nothing", flush=True)
        sam, sofia, sally = self.people["sam"], self.people["sofia"], self.people["sally"]
        carl = self.customer("Carl Content", f"carl.{self.run_id}@example.com")
        ana = self.customer("Ana Kowalski", f"ana.{self.run_id}@example.com")
        ben = self.customer("Ben Okafor", f"ben.{self.run_id}@example.com")

        # Carl is happy (CSAT 5) and unhappy only on NPS (kind nps, score 1): neither is a CSAT 1.
        need(self.admin, "POST", "/v1/records/satisfaction", {"customer_id": carl, "fields": {"kind": "csat", "score": 5, "comment": "Great"}})
        need(self.admin, "POST", "/v1/records/satisfaction", {"customer_id": carl, "fields": {"kind": "nps", "score": 1}})
        csat_a = need(self.admin, "POST", "/v1/records/satisfaction",
                      {"customer_id": ana, "fields": {"kind": "csat", "score": 1, "comment": "My card was charged twice"}})
        first = self.started("complaint A", "complaint_escalation", ana)
        # The triggers read the log in order: Ana's start means Carl's events were read before it.
        carl_instances = list_all(self.admin, "/v1/process-instances", {"customer_id": carl})
        self.check("complaint: a CSAT 5 and an NPS 1 start nothing", carl_instances == [], sample(i["id"] for i in carl_instances))
        if first is None:
            raise TestAbort("the complaint process did not start on a CSAT 1")
        a = first["id"]
        self.check("complaint A: the instance's event is the CSAT 1 response",
                   first["variables"].get("event", {}).get("data", {}).get("record", {}).get("id") == csat_a["id"]
                   and first["variables"]["event"]["type"] == "rapport.record.created", str(first["variables"].get("event", {}).get("type")))
        handoffs = list_all(self.admin, "/v1/handoffs", {"department_id": self.context.departments["sales"], "direction": "in", "customer_id": ana})
        self.check("complaint A: the service template's own automation hands the CSAT 1 to sales (outside the process)",
                   [h["kind"] for h in handoffs] == ["feedback"] and handoffs[0]["requested_by"]["id"] == "automation:satisfaction.low_score_to_sales",
                   sample(f"{h['kind']} by {h['requested_by']['id']}" for h in handoffs))

        # The worker opens the case; the service department gets the task, due in 4 hours.
        reached, found = wait_for(waiting_at(self.admin, a, ["resolve_complaint"]))
        self.check("complaint A: after the worker opens the case, the token waits at resolve_complaint", reached,
                   str(token_nodes(found or instance(self.admin, a))))
        case_id = (found or instance(self.admin, a))["variables"].get("case_id", "")
        case = need(self.admin, "GET", f"/v1/records/case/{case_id}") if case_id.startswith("rec_") else {}
        self.check("complaint A: the worker opened a high-priority complaint case about the customer",
                   case.get("customer_id") == ana and case.get("fields", {}).get("category") == "complaint"
                   and case.get("fields", {}).get("priority") == "high" and case.get("stage") == "new"
                   and case.get("fields", {}).get("description") == "My card was charged twice",
                   json.dumps({k: case.get(k) for k in ("id", "customer_id", "stage", "fields")})[:300])
        task_a = self.user_task("complaint A", a, "Resolve the complaint")
        if task_a is None:
            raise TestAbort("no service task for complaint A")
        self.check("complaint A: the task is customer service's, about the customer, due 4 hours after it opened",
                   task_a["assignee"] == {"kind": "department", "id": self.context.departments["service"]}
                   and task_a["customer_id"] == ana and task_a["due_at"] is not None
                   and abs(seconds_between(task_a["created_at"], task_a["due_at"]) - 4 * 3600) < 5,
                   f"assignee {task_a['assignee']}, due {task_a['due_at']}, created {task_a['created_at']}")
        mine = [t["id"] for t in list_all(sam.api, "/v1/tasks", {"view": "department"})]
        self.check("complaint A: the service agent finds it in their department's tasks", task_a["id"] in mine, sample(mine))

        # Resolved in time: the agent resolves the case and completes the task.
        need(sam.api, "PATCH", f"/v1/records/case/{case_id}",
             {"stage": "resolved", "fields": {"resolution": "Refunded the second charge and apologised."}})
        status, done, text = call(sam.api, "PATCH", f"/v1/tasks/{task_a['id']}", {"status": "done"})
        self.check("complaint A: the service agent completes the task through the tasks API",
                   status == 200 and isinstance(done, dict) and done["status"] == "done", f"HTTP {status} {text[:200]}")
        reached, found = wait_for(ended(self.admin, a))
        self.check("complaint A: the instance completes", reached and found["status"] == "completed" and found["tokens"] == [],
                   f"{(found or {}).get('status')} {token_nodes(found or {})}")
        steps_a = history(self.admin, a)
        self.check("complaint A: history: start, case, resolved, end (no timer, no escalation)",
                   completed_nodes(steps_a) == ["csat_one", "open_case", "resolve_complaint", "resolved_in_time"]
                   and not any(s["node"] in ("resolution_sla", "manager_review", "tell_sales") for s in steps_a),
                   str([(s["kind"], s["node"]) for s in steps_a]))
        self.check("complaint A: the task's completion is the agent's step in the history",
                   any(s["kind"] == "completed" and s["node"] == "resolve_complaint" and s["actor"].get("id") == sam.id for s in steps_a),
                   str([s["actor"] for s in steps_a if s["node"] == "resolve_complaint"]))

        # Complaint B: nobody resolves it.
        need(self.admin, "POST", "/v1/records/satisfaction",
             {"customer_id": ben, "fields": {"kind": "csat", "score": 1, "comment": "Nobody answers the phone"}})
        second = self.started("complaint B", "complaint_escalation", ben)
        if second is None:
            raise TestAbort("complaint B did not start")
        b = second["id"]
        reached, _ = wait_for(waiting_at(self.admin, b, ["resolve_complaint"]))
        self.check("complaint B: the token waits at resolve_complaint", reached, str(token_nodes(instance(self.admin, b))))
        task_b = self.user_task("complaint B", b, "Resolve the complaint")
        case_b = instance(self.admin, b)["variables"].get("case_id")
        steps_a_before = len(steps_a)

        advance_clock(self.admin, self.checks, 4 * 3600 + 60, "complaint B's 4-hour SLA lapses")
        # The worker may finish tell_sales at once: wait for the manager's task, then look at the rest.
        reached, found = wait_for(lambda: [t for t in process_tasks(self.admin, b) if t["title"] == "Escalated complaint: call the customer"])
        self.check("complaint B: the timer fires: the service manager gets a task", reached and len(found) == 1, f"{len(found or [])} tasks")
        manager_task = found[0] if reached else None
        if manager_task:
            self.check("complaint B: the manager's task is the named manager's, about the customer, due in 2 hours",
                       manager_task["assignee"] == {"kind": "user", "id": sofia.id} and manager_task["customer_id"] == ben
                       and abs(seconds_between(manager_task["created_at"], manager_task["due_at"]) - 2 * 3600) < 5,
                       f"{manager_task['assignee']}, due {manager_task['due_at']}")
            mine = [t["id"] for t in list_all(sofia.api, "/v1/tasks", {"view": "mine"})]
            self.check("complaint B: the service manager finds it in their own tasks", manager_task["id"] in mine, sample(mine))
            inbox = list_all(sofia.api, "/v1/notifications")
            self.check("complaint B: the service manager is notified of the assignment",
                       any(n["kind"] == "assignment" and n["task_id"] == manager_task["id"] for n in inbox),
                       sample((n["kind"], n["task_id"]) for n in inbox))
        if task_b:
            withdrawn = need(self.admin, "GET", f"/v1/tasks/{task_b['id']}")
            self.check("complaint B: the interrupted service task is cancelled", withdrawn["status"] == "cancelled", withdrawn["status"])
        reached, _ = wait_for(lambda: count_steps(history(self.admin, b), "completed", "tell_sales") == 1)
        steps_b = history(self.admin, b)
        self.check("complaint B: history: resolve_complaint withdrawn, the timer fired once, the fork ran both branches",
                   reached and count_steps(steps_b, "withdrawn", "resolve_complaint") == 1
                   and count_steps(steps_b, "completed", "resolve_complaint") == 0
                   and count_steps(steps_b, "completed", "resolution_sla") == 1
                   and count_steps(steps_b, "activated", "manager_review") == 1 and count_steps(steps_b, "activated", "tell_sales") == 1,
                   str([(s["kind"], s["node"]) for s in steps_b]))
        now_b = instance(self.admin, b)
        self.check("complaint B: once sales is told, the manager's task waits and the sales branch waits at the join",
                   sorted((t["node"], t["state"]) for t in now_b["tokens"]) == [("escalation_join", "joining"), ("manager_review", "waiting")],
                   str(now_b["tokens"]))

        # Sales is told: the worker's note mentions @sales; the sales agent is notified; not about Ana.
        _, told = wait_for(lambda: self.worker.jobs_done("complaint.tell_sales", b))
        told = told or []
        note_id = told[0]["variables"]["sales_note_id"] if len(told) == 1 else None
        notes = list_all(self.admin, "/v1/notes", {"customer_id": ben})
        note = next((n for n in notes if n["id"] == note_id), None)
        self.check("complaint B: the worker told sales once, with a note on the customer mentioning the sales department",
                   len(told) == 1 and note is not None
                   and [m["kind"] + ":" + m["id"] for m in note["mentions"]] == [f"department:{self.context.departments['sales']}"]
                   and case_b in note["body"],
                   f"{len(told)} jobs, note {json.dumps(note)[:300] if note else None}")
        inbox = list_all(sally.api, "/v1/notifications")
        mentions = [n for n in inbox if n["kind"] == "mention"]
        self.check("complaint B: the sales agent is notified of the mention, via the sales department",
                   [(n["note_id"], n["customer_id"], (n.get("via") or {}).get("kind")) for n in mentions] == [(note_id, ben, "department")],
                   sample((n["note_id"], n["customer_id"], n.get("via")) for n in mentions))
        self.check("complaint A: resolved in time, nothing told sales about it",
                   not any(n["customer_id"] == ana for n in mentions) and self.worker.jobs_done("complaint.tell_sales", a) == [])

        # The withdrawn timer of complaint A: moving the clock past it (above) escalated nothing.
        steps_a_after = history(self.admin, a)
        self.check("complaint A: the clock past its 4 hours fires no withdrawn timer (history unchanged, no manager task)",
                   len(steps_a_after) == steps_a_before and instance(self.admin, a)["status"] == "completed"
                   and [t["title"] for t in process_tasks(self.admin, a)] == ["Resolve the complaint"],
                   f"{steps_a_before} -> {len(steps_a_after)} steps")

        # A late completion of the withdrawn service task changes nothing.
        if task_b:
            status, late, text = call(sam.api, "PATCH", f"/v1/tasks/{task_b['id']}", {"status": "done"})
            still = instance(self.admin, b)
            self.check("complaint B: completing the withdrawn service task afterwards does not move the instance",
                       still["status"] == "running" and count_steps(history(self.admin, b), "completed", "resolve_complaint") == 0,
                       f"PATCH -> HTTP {status} ({(late or {}).get('status') if isinstance(late, dict) else text[:120]}), instance {still['status']}")

        # The manager calls the customer, resolves the case and completes the task.
        if manager_task:
            need(sofia.api, "PATCH", f"/v1/records/case/{case_b}",
                 {"stage": "resolved", "fields": {"resolution": "Called the customer, fixed the phone routing, credited a month."}})
            status, done, text = call(sofia.api, "PATCH", f"/v1/tasks/{manager_task['id']}", {"status": "done"})
            self.check("complaint B: the manager completes their task through the tasks API", status == 200 and done["status"] == "done",
                       f"HTTP {status} {text[:200]}")
        reached, found = wait_for(ended(self.admin, b))
        self.check("complaint B: the instance completes after the escalation", reached and found["status"] == "completed" and found["tokens"] == [],
                   f"{(found or {}).get('status')} {token_nodes(found or {})}")
        steps_b = history(self.admin, b)
        self.check("complaint B: it ends once, at Escalation handled, never at Resolved in time",
                   count_steps(steps_b, "completed", "escalation_handled") == 1 and count_steps(steps_b, "activated", "resolved_in_time") == 0
                   and completed_nodes(steps_b)[-1:] == ["escalation_handled"],
                   str(completed_nodes(steps_b)))
        self.check("complaint B: history shows the whole escalation path (each branch's token completes at the join)",
                   completed_nodes(steps_b) == ["csat_one", "open_case", "resolution_sla", "escalation_fork", "tell_sales", "manager_review",
                                                "escalation_join", "escalation_join", "escalation_handled"],
                   str(completed_nodes(steps_b)))

    # ---- loan application -----------------------------------------------------

    def send_documents(self, sender: str, name: str, subject: str) -> None:
        message = EmailMessage()
        message["From"] = f"{name} <{sender}>"
        message["To"] = LOAN_MAILBOX
        message["Subject"] = subject
        message["Message-ID"] = f"<documents-{self.run_id}@{CLIENT_NAME}>"
        message.set_content("Hello, here are my last three payslips and a copy of my ID.\n\nMia")
        message.add_attachment(b"%PDF-1.4\n% payslips\n", maintype="application", subtype="pdf", filename="payslips.pdf")
        message.add_attachment(b"%PDF-1.4\n% identity card\n", maintype="application", subtype="pdf", filename="id-card.pdf")
        with smtplib.SMTP("127.0.0.1", self.smtp_port, local_hostname=CLIENT_NAME, timeout=30) as client:
            refused = client.send_message(message)
        if refused:
            raise TestAbort(f"SMTP refused {refused}")

    def loans(self) -> None:
        print("--- loan application: declined on the mobile app, approved on the web with documents by email and an SLA of 2 business days", flush=True)
        fiona, frank = self.people["fiona"], self.people["frank"]
        c = self.context
        mia_email, omar_email = f"mia.{self.run_id}@example.com", f"omar.{self.run_id}@example.com"

        # Mia first fills in another form (not a loan application): nothing starts.
        newsletter = need(self.admin, "POST", "/v1/interactions", {
            "channel_id": c.web, "identity": f"email:{mia_email}", "customer_name": "Mia Schneider", "kind": "form_submission",
            "subject": "Newsletter", "metadata": {"form": "newsletter"}})
        mia = newsletter["customer_id"]
        applied_web = need(self.admin, "POST", "/v1/interactions", {
            "channel_id": c.web, "customer_id": mia, "kind": "form_submission", "subject": "Loan application",
            "body": "Car loan", "metadata": {"form": "loan_application", "amount": 25000, "currency": "EUR", "term_months": 48, "purpose": "car"}})
        applied_app = need(self.admin, "POST", "/v1/interactions", {
            "channel_id": c.app, "identity": f"email:{omar_email}", "customer_name": "Omar Haddad", "kind": "form_submission",
            "subject": "Loan application",
            "metadata": {"form": "loan_application", "amount": 900000, "currency": "EUR", "term_months": 360, "purpose": "home"}})
        omar = applied_app["customer_id"]

        web_instance = self.started("loan (web)", "loan_application", mia)
        app_instance = self.started("loan (mobile app)", "loan_application", omar)
        if web_instance is None or app_instance is None:
            raise TestAbort("the loan process did not start on the applications")
        self.check("loan: the newsletter form starts nothing, the application does (one instance for Mia)",
                   len(instances_about(self.admin, "loan_application", mia)) == 1
                   and web_instance["variables"]["event"]["data"]["interaction"]["id"] == applied_web["id"],
                   web_instance["variables"]["event"]["data"]["interaction"]["id"])
        w, m = web_instance["id"], app_instance["id"]

        # Omar: over the limit, declined, told on the mobile app.
        reached, found = wait_for(ended(self.admin, m))
        self.check("loan (mobile app): the instance completes", reached and found["status"] == "completed" and found["tokens"] == [],
                   f"{(found or {}).get('status')} {token_nodes(found or {})}")
        steps_m = history(self.admin, m)
        self.check("loan (mobile app): history: checked, not eligible, told, ended (no documents, no underwriting)",
                   completed_nodes(steps_m) == ["application_received", "check_application", "eligible_gateway", "notify_merge",
                                                "notify_customer", "customer_told"],
                   str(completed_nodes(steps_m)))
        found = found or instance(self.admin, m)
        record_m = need(self.admin, "GET", f"/v1/records/loan_application/{found['variables']['application']['record_id']}")
        self.check("loan (mobile app): the application is filed as declined, applied through the app",
                   found["variables"].get("eligible") is False and record_m["stage"] == "declined" and record_m["customer_id"] == omar
                   and record_m["fields"].get("channel") == "app" and record_m["fields"]["amount"] == {"amount": "900000.00", "currency": "EUR"},
                   json.dumps({k: record_m.get(k) for k in ("stage", "customer_id", "fields")})[:300])
        told_m = [i for i in list_all(self.admin, "/v1/interactions", {"customer_id": omar}) if i["direction"] == "outbound"]
        self.check("loan (mobile app): the customer is told on the mobile app, and only there",
                   [(i["channel_id"], i["kind"]) for i in told_m] == [(c.app, "message")] and "declined" in told_m[0]["body"]
                   and found["variables"].get("notified_interaction_id") == told_m[0]["id"],
                   sample((i["channel_id"], i["body"][:60]) for i in told_m))

        # Mia: eligible, documents requested by email.
        reached, found = wait_for(waiting_at(self.admin, w, ["wait_for_documents"]))
        self.check("loan (web): checked, eligible, documents requested: the token waits for the customer", reached,
                   str(token_nodes(found or instance(self.admin, w))))
        found = found or instance(self.admin, w)
        variables = found["variables"]
        record_id = variables.get("application", {}).get("record_id", "")
        record_w = need(self.admin, "GET", f"/v1/records/loan_application/{record_id}")
        self.check("loan (web): the application is filed, applied through the web, at its documents stage",
                   variables.get("eligible") is True and variables.get("applied_channel_id") == c.web
                   and record_w["stage"] == "documents" and record_w["customer_id"] == mia and record_w["fields"].get("channel") == "web"
                   and record_w["fields"]["amount"] == {"amount": "25000.00", "currency": "EUR"} and record_w["fields"]["term_months"] == 48,
                   json.dumps({k: record_w.get(k) for k in ("stage", "customer_id", "fields")})[:300])
        stages = [s["stage"] for s in self.admin.get_json(f"/v1/records/loan_application/{record_id}/stages")["data"]] if record_id else []
        self.check("loan (web): the record's stage history is applied, then documents", stages == ["applied", "documents"], str(stages))
        asked = [i for i in list_all(self.admin, "/v1/interactions", {"customer_id": mia}) if i["direction"] == "outbound"]
        self.check("loan (web): the documents are requested by email (an outbound email on the email channel)",
                   [(i["channel_id"], i["kind"]) for i in asked] == [(c.email, "email")]
                   and asked[0]["subject"] == f"Documents for your loan application {record_id}"
                   and variables.get("documents_requested_interaction_id") == asked[0]["id"],
                   sample((i["channel_id"], i["kind"], i["subject"]) for i in asked))

        # Mia asks on the web chat first: not the documents; the process waits again.
        chat = need(self.admin, "POST", "/v1/interactions", {"channel_id": c.web, "customer_id": mia, "kind": "message",
                                                             "body": "Hi, which documents do you need exactly?"})
        reached, _ = wait_for(lambda: count_steps(history(self.admin, w), "activated", "wait_for_documents") == 2)
        steps_w = history(self.admin, w)
        now_w = instance(self.admin, w)
        self.check("loan (web): a chat message on the web is delivered, is not the documents, and the token waits again",
                   reached and count_steps(steps_w, "completed", "wait_for_documents") == 1
                   and count_steps(steps_w, "completed", "documents_gateway") == 1 and count_steps(steps_w, "activated", "file_documents") == 0
                   and token_nodes(now_w) == ["wait_for_documents"]
                   and now_w["variables"]["event"]["data"]["interaction"]["id"] == chat["id"],
                   str([(s["kind"], s["node"]) for s in steps_w][-6:]))

        # The documents arrive by email, over SMTP to the loans mailbox.
        self.send_documents(mia_email, "Mia Schneider", f"Re: Documents for your loan application {record_id}")
        reached, found = wait_for(waiting_at(self.admin, w, ["underwriting"]))
        self.check("loan (web): the email with the documents moves the loan on to underwriting", reached,
                   str(token_nodes(found or instance(self.admin, w))))
        found = found or instance(self.admin, w)
        variables = found["variables"]
        mail = need(self.admin, "GET", f"/v1/interactions/{variables.get('documents_interaction_id', 'missing')}", expect=(200,)) \
            if variables.get("documents_interaction_id") else {}
        self.check("loan (web): the documents are the customer's inbound email on the email channel, with both PDFs",
                   variables.get("documents_count") == 2 and variables.get("documents_channel_id") == c.email
                   and mail.get("customer_id") == mia and mail.get("kind") == "email" and mail.get("direction") == "inbound"
                   and sorted(a["filename"] for a in mail.get("metadata", {}).get("attachments", [])) == ["id-card.pdf", "payslips.pdf"],
                   f"count {variables.get('documents_count')}, channel {variables.get('documents_channel_id')}, "
                   f"mail {json.dumps({k: mail.get(k) for k in ('customer_id', 'kind', 'direction', 'channel_id')})}")

        underwriting = self.user_task("loan (web)", w, "Underwrite the loan")
        if underwriting is None:
            raise TestAbort("no underwriting task")
        self.check("loan (web): underwriting is finance's task about the customer, due in 2 days",
                   underwriting["assignee"] == {"kind": "department", "id": c.departments["finance"]} and underwriting["customer_id"] == mia
                   and abs(seconds_between(underwriting["created_at"], underwriting["due_at"]) - 2 * 86400) < 5
                   and underwriting["overdue"] is False,
                   f"{underwriting['assignee']}, due {underwriting['due_at']}, overdue {underwriting['overdue']}")
        theirs = [t["id"] for t in list_all(fiona.api, "/v1/tasks", {"view": "department"})]
        self.check("loan (web): the finance agent finds it in their department's tasks", underwriting["id"] in theirs, sample(theirs))

        # The SLA counts two business days in finance's opening hours (Monday to Friday, 09:00-17:00 UTC).
        sla = [timer for timer in instance(self.admin, w).get("timers", []) if timer["node"] == "underwriting_sla"]
        expected = business_days_later(parse_time(underwriting["created_at"]), 2, FINANCE_HOURS)
        self.check("loan (web): the SLA is due two business days after underwriting began, in finance's opening hours",
                   len(sla) == 1 and parse_time(sla[0]["due_at"]) == expected,
                   f"timers {sla}, expected {expected.isoformat()} (began {underwriting['created_at']})")
        if not sla:
            raise TestAbort("no underwriting SLA timer")
        # The business days pass: the non-interrupting SLA gives the finance manager a follow-up; underwriting stays.
        status, clock, text = call(self.admin, "POST", "/v1/test-clock", {"advance_seconds": 1})
        if status != 200:
            raise TestAbort(f"the test clock: HTTP {status} {text[:200]}")
        wait = int((parse_time(sla[0]["due_at"]) - parse_time(clock["now"])).total_seconds()) + 300
        advance_clock(self.admin, self.checks, wait, "the underwriting SLA of 2 business days lapses")
        # Two days later everyone signs in again: a session lasts 12 hours of the server's clock.
        for person in self.people.values():
            person.sign_in(self.admin)
        reached, found = wait_for(lambda: [t for t in process_tasks(self.admin, w) if t["title"] == "Underwriting overdue: follow up"])
        self.check("loan (web): the SLA timer fires: the finance manager gets a follow-up task", reached and len(found) == 1,
                   f"{len(found or [])} tasks")
        follow_up = found[0] if reached else None
        if follow_up:
            self.check("loan (web): the follow-up is the named finance manager's, about the customer",
                       follow_up["assignee"] == {"kind": "user", "id": frank.id} and follow_up["customer_id"] == mia, str(follow_up["assignee"]))
            mine = [t["id"] for t in list_all(frank.api, "/v1/tasks", {"view": "mine"})]
            self.check("loan (web): the finance manager finds it in their own tasks", follow_up["id"] in mine, sample(mine))
        still = need(self.admin, "GET", f"/v1/tasks/{underwriting['id']}")
        now_w = instance(self.admin, w)
        self.check("loan (web): underwriting is not interrupted: its task is open and now overdue, both tokens wait",
                   still["status"] == "open" and still["overdue"] is True and token_nodes(now_w) == ["escalate_underwriting", "underwriting"],
                   f"task {still['status']} overdue {still['overdue']}, tokens {token_nodes(now_w)}")
        reached, inbox = wait_for(lambda: [n for n in list_all(fiona.api, "/v1/notifications")
                                           if n["kind"] == "task_overdue" and n["task_id"] == underwriting["id"]], NOTICE_WAIT)
        self.check("loan (web): the finance agent is told the underwriting task is overdue", reached and len(inbox) == 1,
                   f"{len(inbox or [])} overdue notices")
        steps_w = history(self.admin, w)
        self.check("loan (web): history: the SLA timer fired once and withdrew nothing",
                   count_steps(steps_w, "completed", "underwriting_sla") == 1 and count_steps(steps_w, "withdrawn", "underwriting") == 0,
                   str([(s["kind"], s["node"]) for s in steps_w][-5:]))

        # The manager follows up; the underwriter approves and completes the task.
        if follow_up:
            status, done, text = call(frank.api, "PATCH", f"/v1/tasks/{follow_up['id']}", {"status": "done"})
            self.check("loan (web): the finance manager completes the follow-up through the tasks API",
                       status == 200 and done["status"] == "done", f"HTTP {status} {text[:200]}")
            reached, found = wait_for(waiting_at(self.admin, w, ["underwriting"]))
            self.check("loan (web): the escalation branch ends; underwriting still waits", reached and found["status"] == "running",
                       str(token_nodes(found or instance(self.admin, w))))
        shown = need(fiona.api, "GET", f"/v1/tasks/{underwriting['id']}/form")
        self.check("loan (web): underwriting's form asks for the decision (approve or decline) and a note to the customer",
                   [(f["key"], f["type"], f["required"]) for f in shown["fields"]]
                   == [("underwriting_decision", "choice", True), ("decision_note", "textarea", True)]
                   and [o["value"] for o in shown["fields"][0]["options"]] == ["approved", "declined"], sample(shown["fields"]))
        status, refused, text = call(fiona.api, "POST", f"/v1/tasks/{underwriting['id']}/complete",
                                     {"variables": {"underwriting_decision": "maybe"}})
        fields = sorted(e["field"] for e in (refused or {}).get("errors", []))
        self.check("loan (web): a decision not offered and no note are refused naming both fields; the task stays open",
                   status == 422 and fields == ["variables.decision_note", "variables.underwriting_decision"]
                   and need(self.admin, "GET", f"/v1/tasks/{underwriting['id']}")["status"] == "open", f"HTTP {status} {fields} {text[:200]}")
        status, done, text = call(fiona.api, "POST", f"/v1/tasks/{underwriting['id']}/complete",
                                  {"variables": {"underwriting_decision": "approved", "decision_note": "Approved at 4.9% APR over 48 months."}})
        self.check("loan (web): the finance agent completes underwriting with its form", status == 200 and done["status"] == "done",
                   f"HTTP {status} {text[:200]}")
        reached, found = wait_for(ended(self.admin, w))
        self.check("loan (web): the instance completes", reached and found["status"] == "completed" and found["tokens"] == [],
                   f"{(found or {}).get('status')} {token_nodes(found or {})}")
        found = found or instance(self.admin, w)
        decided = need(self.admin, "GET", f"/v1/records/loan_application/{record_id}")
        self.check("loan (web): Rapport recorded the decision on the application (rapport.record.update): approved, documents received, the note",
                   decided["stage"] == "approved" and decided["fields"].get("documents_received") is True
                   and decided["fields"].get("decision_note") == "Approved at 4.9% APR over 48 months.",
                   f"{decided['stage']} {sample(decided['fields'])}")

        told = [i for i in list_all(self.admin, "/v1/interactions", {"customer_id": mia}) if i["direction"] == "outbound" and i["kind"] == "message"]
        self.check("loan (web): the customer is told on the web, where they applied (not by email, where the documents came)",
                   [(i["channel_id"]) for i in told] == [c.web] and "approved" in told[0]["body"] and "4.9% APR" in told[0]["body"]
                   and found["variables"].get("notified_interaction_id") == told[0]["id"] and found["variables"].get("decision") == "approved",
                   sample((i["channel_id"], i["body"][:70]) for i in told))
        steps_w = history(self.admin, w)
        self.check("loan (web): history: the whole path, the wait twice, the follow-up, then the customer told once",
                   completed_nodes(steps_w) == ["application_received", "check_application", "eligible_gateway", "request_documents",
                                                "documents_wait_merge", "wait_for_documents", "documents_gateway", "documents_wait_merge",
                                                "wait_for_documents", "documents_gateway", "file_documents", "underwriting_sla",
                                                "escalate_underwriting", "escalation_followed_up", "underwriting", "record_decision", "notify_merge",
                                                "notify_customer", "customer_told"],
                   str(completed_nodes(steps_w)))
        self.check("loan (web): each job was done by the worker's key (history actors)",
                   all(s["actor"].get("id") == self.worker_key_id for s in steps_w
                       if s["kind"] == "completed" and s["node"] in ("check_application", "request_documents", "notify_customer")),
                   str({s["node"]: s["actor"].get("id") for s in steps_w if s["kind"] == "completed"
                        and s["node"] in ("check_application", "request_documents", "notify_customer")}))
        self.check("loan (web): the tasks were completed by the people (history actors)",
                   any(s["kind"] == "completed" and s["node"] == "underwriting" and s["actor"].get("id") == fiona.id for s in steps_w)
                   and any(s["kind"] == "completed" and s["node"] == "escalate_underwriting" and s["actor"].get("id") == frank.id for s in steps_w),
                   str({s["node"]: s["actor"] for s in steps_w if s["node"] in ("underwriting", "escalate_underwriting")}))

    # ---- across both --------------------------------------------------------------

    def overall(self) -> None:
        print("--- across both: exactly once", flush=True)
        ids = set(self.instances.values())
        expected_jobs = {
            "complaint A": {"complaint.open_case": 1},
            "complaint B": {"complaint.open_case": 1, "complaint.tell_sales": 1},
            "loan (mobile app)": {"loan.check": 1, "loan.notify": 1},
            "loan (web)": {"loan.check": 1, "loan.request_documents": 1, "loan.notify": 1},
        }
        def mismatches() -> list[str]:
            with self.worker.lock:
                done = collections.Counter((c["instance"], c["type"]) for c in self.worker.completed)
            wrong = []
            for label, jobs in expected_jobs.items():
                instance_id = self.instances.get(label)
                got = {kind: n for (inst, kind), n in done.items() if inst == instance_id}
                if got != jobs:
                    wrong.append(f"{label}: {got}")
            return wrong
        # The worker notes a completion once its answer is back: the last one may still be on its way.
        _, _ = wait_for(lambda: not mismatches(), 5.0)
        wrong = mismatches()
        self.check("every job was fetched and completed exactly once by the Python worker", not wrong and len(self.instances) == 4, sample(wrong))
        self.check("the worker met no problem", not self.worker.problems, sample(self.worker.problems, 3))
        left = []
        for kind in self.worker.handlers:
            status, body, _ = call(self.admin, "POST", "/v1/jobs/activate", {"type": kind, "worker": "last-look"})
            if status != 200 or body.get("jobs") != []:
                left.append(kind)
        self.check("no job is left to fetch", not left, sample(left))
        incidents = list_all(self.admin, "/v1/incidents", {"status": "any"})
        self.check("no incident, open or resolved", not incidents, sample(i["message"] for i in incidents))
        running = list_all(self.admin, "/v1/process-instances", {"status": "running"})
        self.check("no instance is left running", not running, sample(i["id"] for i in running))

        events = self.admin.list_events()
        counts = collections.Counter()
        advanced = collections.Counter()
        for event in events:
            kind = event.get("type", "")
            if kind.startswith("rapport.process.") and isinstance(event.get("data"), dict):
                process_id = (event["data"].get("process") or {}).get("id")
                if kind == "rapport.process.advanced":
                    advanced[process_id] += 1
                else:
                    counts[(kind, process_id)] += 1
        wrong = [f"{label}: started {counts[('rapport.process.started', i)]}, completed {counts[('rapport.process.completed', i)]}"
                 for label, i in self.instances.items()
                 if counts[("rapport.process.started", i)] != 1 or counts[("rapport.process.completed", i)] != 1]
        self.check("the event log holds one rapport.process.started and one rapport.process.completed per instance", not wrong, sample(wrong))
        other = [k for k in counts if k[1] in ids and k[0] not in ("rapport.process.started", "rapport.process.completed")]
        self.check("no instance was terminated, cancelled or stopped by an incident on the log", not other, sample(other))
        self.check("every instance's steps are rapport.process.advanced events", all(advanced[i] > 0 for i in ids),
                   str({label: advanced[i] for label, i in self.instances.items()}))
        total = len(list_all(self.admin, "/v1/process-instances", {}))
        self.check("four instances in all (one per CSAT 1 and one per loan application)", total == 4, f"{total}")
        task_events = collections.Counter(e["type"] for e in events if e.get("type") in ("rapport.task.completed", "rapport.task.cancelled"))
        self.check("the tasks' events: one cancelled (B's service task, by its timer) and five completed (A's agent, B's manager, "
                   "the follow-up, underwriting, and the late completion of B's cancelled task)",
                   task_events == {"rapport.task.cancelled": 1, "rapport.task.completed": 5}, str(dict(task_events)))


# --------------------------------------------------------------------------- #
# The run
# --------------------------------------------------------------------------- #

def wait_smtp(server: Server, port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if not server.running():
            raise TestAbort("the server exited before its SMTP port opened")
        try:
            with smtplib.SMTP("127.0.0.1", port, local_hostname=CLIENT_NAME, timeout=3) as client:
                code, _ = client.noop()
                if code == 250:
                    return
                last = f"NOOP {code}"
        except (OSError, smtplib.SMTPException) as e:
            last = f"{type(e).__name__}: {e}"
        time.sleep(0.1)
    raise TestAbort(f"SMTP port {port} not answering after {timeout:.0f} s (last: {last})")


def deploy(admin: Api, checks: Checks, path: str, key: str, placeholders: dict[str, str], expected_nodes: int) -> None:
    with open(path, encoding="utf-8") as f:
        xml = f.read()
    for placeholder, value in placeholders.items():
        if placeholder not in xml:
            raise TestAbort(f"{os.path.basename(path)} has no {placeholder} to replace")
        xml = xml.replace(placeholder, value)
    status, body, text = call(admin, "POST", "/v1/processes", {"xml": xml})
    deployed = (body or {}).get("processes", []) if isinstance(body, dict) else []
    checks.check(f"{key}: deployed as version 1", status == 201 and [(p["key"], p["version"], p["created"]) for p in deployed] == [(key, 1, True)],
                 f"HTTP {status} {text[:300]}")
    model = need(admin, "GET", f"/v1/processes/{key}")
    nodes, flows = model.get("nodes", []), model.get("flows", [])
    undrawn = [n["id"] for n in nodes if not n.get("bounds")] + [f["id"] for f in flows if not f.get("waypoints")]
    checks.check(f"{key}: {expected_nodes} nodes, every node and flow drawn (the console can show it)",
                 len(nodes) == expected_nodes and not undrawn, f"{len(nodes)} nodes, undrawn {sample(undrawn)}")


def run(args: argparse.Namespace, checks: Checks, box: list) -> None:
    tmp = box[1]
    if args.database_url:
        url, name = fresh_database(args.database_url, "rapport_scenarios_")
        box[2] = (args.database_url, name)
        storage = ["--database-url", url]
        log(f"storage: PostgreSQL, fresh database {name} ({redact(args.database_url)})")
    else:
        storage = ["--data-dir", os.path.join(tmp, "data")]
        log(f"storage: SQLite in {tmp}")
    port, smtp_port = free_port(), free_port()
    server = ScenarioServer(os.path.abspath(args.binary), storage, port, os.path.join(tmp, "server.log"),
                            ["--test-clock", "--smtp-port", str(smtp_port), "--password-hash-cost", "4"])
    box[0] = server
    key = server.create_key()
    server.start()
    log(f"server ready in {server.wait_ready():.1f} s")
    wait_smtp(server, smtp_port)
    admin = Api(port, key)
    run_id = uuid.uuid4().hex[:8]

    print("--- setup: templates, channels, people, the worker's key, the two processes", flush=True)
    installed = need(admin, "POST", "/v1/templates/banking/install", {})["installed"] + need(admin, "POST", "/v1/templates/service/install", {})["installed"]
    checks.check("the banking and service templates install loan_application, case and satisfaction",
                 {"loan_application", "case", "satisfaction"} <= set(installed), sample(installed))
    web = need(admin, "POST", "/v1/channels", {"kind": "web", "name": "Website"})["id"]
    app = need(admin, "POST", "/v1/channels", {"kind": "mobile_app", "name": "Mobile app"})["id"]
    mail = need(admin, "POST", "/v1/channels", {"kind": "email", "name": "Loans", "settings": {"address": LOAN_MAILBOX}})["id"]
    departments = {d["key"]: d["id"] for d in admin.get_json("/v1/departments")["data"]}
    checks.check("the sales, customer service and finance departments exist", {"sales", "service", "finance"} <= set(departments),
                 sample(departments))
    people = {
        "fiona": make_person(admin, departments, "Fiona Fischer", f"fiona.{run_id}@bank.example", "agent", "finance"),
        "frank": make_person(admin, departments, "Frank Moreau", f"frank.{run_id}@bank.example", "manager", "finance"),
        "sam": make_person(admin, departments, "Sam Osei", f"sam.{run_id}@bank.example", "agent", "service"),
        "sofia": make_person(admin, departments, "Sofia Rossi", f"sofia.{run_id}@bank.example", "manager", "service"),
        "sally": make_person(admin, departments, "Sally Park", f"sally.{run_id}@bank.example", "agent", "sales"),
    }
    need(admin, "PUT", f"/v1/departments/{departments['finance']}/business-hours", {"business_hours": {
        "time_zone": "UTC", "days": {name: ["09:00-17:00"] for name in ("mon", "tue", "wed", "thu", "fri")}}})
    worker_key = need(admin, "POST", "/v1/api-keys", {"name": "python job worker", "role": "agent"})
    context = Context(web=web, app=app, email=mail, departments=departments)
    deploy(admin, checks, COMPLAINT_MODEL, "complaint_escalation", {"usr_SERVICE_MANAGER": people["sofia"].id}, 10)
    deploy(admin, checks, LOAN_MODEL, "loan_application", {"usr_FINANCE_MANAGER": people["frank"].id}, 16)

    worker = JobWorker(Api(port, worker_key["secret"]), context)
    box[3] = worker
    worker.start()
    scenarios = Scenarios(checks, admin, worker, context, people, smtp_port, run_id)
    scenarios.worker_key_id = worker_key["id"]
    t0 = time.monotonic()
    scenarios.complaints()
    scenarios.loans()
    scenarios.overall()
    log(f"scenarios took {time.monotonic() - t0:.1f} s")
    worker.close()


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Rapport BPMN scenarios over HTTP with a test clock and a Python job worker")
    ap.add_argument("--binary", required=True, help="path to the rapport executable")
    ap.add_argument("--database-url", default=None,
                    help="a PostgreSQL server (a fresh database is made on it for the run, with psql, and dropped after); "
                         "default: SQLite in a fresh temp --data-dir")
    ap.add_argument("--keep-temp", action="store_true", help="keep the temp dir (data, server log) and the database")
    args = ap.parse_args(argv)
    if not (os.path.isfile(args.binary) and os.access(args.binary, os.X_OK)):
        ap.error(f"--binary {args.binary!r} is not an executable file")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    checks = Checks()
    tmp = tempfile.mkdtemp(prefix="rapport-scenarios-")
    box: list = [None, tmp, None, None]   # server, temp dir, (server URL, database), worker
    crashed = False
    started = time.monotonic()
    try:
        run(args, checks, box)
    except Exception as e:  # noqa: BLE001 - report anything unexpected as a failure
        crashed = True
        traceback.print_exc()
        checks.check("scenarios completed without unexpected errors", False, f"{type(e).__name__}: {e}")
    finally:
        if box[3] is not None:
            box[3].close()
        if box[0] is not None:
            box[0].cleanup()
    if (checks.failed or crashed) and box[0] is not None:
        print(f"--- server log tail ({box[0].log_path}) ---", flush=True)
        print(box[0].log_tail(), flush=True)
    if checks.failed or args.keep_temp:
        print(f"temp dir kept: {tmp}" + (f", database kept: {box[2][1]}" if box[2] else ""), flush=True)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
        if box[2]:
            drop_database(*box[2])
    log(f"run took {time.monotonic() - started:.1f} s")
    print(f"process-scenarios: {checks.passed} passed, {checks.failed} failed", flush=True)
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
