"""BPMN processes in the console browser test (console_test.py calls `process_checks`; `--only
processes` runs them alone; in the whole suite on a server of their own).

Through the API (the admin key) the test makes an admin and a viewer with passwords, each signed in
in a browser of their own. Three BPMN files are written to a temp folder: `call_back.bpmn` (start →
service task "Call the customer" with a zeebe:taskDefinition of type `call` → end, drawn with BPMN DI:
shapes with dc:Bounds, edges with di:waypoint), `markup.bpmn` (a process named `<b>x</b>` and a task
named `<img src=x onerror=alert(1)>`, no diagram), `call.bpmn` (a bpmn:complexGateway between two
flows, which Rapport does not run) and `claim.bpmn` (CLAIM: drawn with DI, an expanded subprocess
with a service task, boundary events, an event-based gateway and events of every marker). Then:

- #/processes is in the main navigation (Processes, current), says no process is deployed, and
  offers the admin "Deploy a process" with a file input;
- the admin deploys call_back.bpmn through the form: the answer says version 1, the process is
  listed (key as a link, name, version 1, when); the same file again is "unchanged" (no version 2);
- call.bpmn is refused: every problem shown as text with its line (the complexGateway's line in the
  file) and element (`other`), the message naming <bpmn:complexGateway> literally; nothing deployed;
- markup.bpmn: its name `<b>x</b>` is text in the list and as its page's heading, the task's
  `<img …>` name text in the nodes' table; no element made from them, no alert;
- #/processes/call_back draws an SVG: one shape per node (circle, rounded rect, circle), a polyline
  with an arrow per flow, names as SVG text, the table of nodes beside it; markup.bpmn's page lists
  nodes and flows instead (no diagram);
- the start form: variables that are not a JSON object are refused beside the box, a customer id
  no customer has beside its field (nothing started); started with variables, a customer and a
  business key, the task shows 1 active token (badge and
  table) without a reload, the instances list shows it running there;
- the instance's page: status, variables as formatted JSON text, its token, the history (start
  reached and completed, the task reached), the path (start completed, task active); "Change
  variables" merges a value;
- an incident made through the API (a job activated and failed with retries 0): the task's badge
  counts 1 incident; #/processes lists it with Retry for the admin, without for the viewer (who has
  no deploy form either); Retry clears it (the API has no open incident, the token waits again);
- Cancel (after a confirmation) ends the instance: Cancelled, no tokens, the history's last step
  withdrawn; the viewer's pages have no start form, Cancel or variables form;
- claim.bpmn deploys through the form; its drawing paints the subprocess's <g> before its inner
  nodes (data-parent, inside its rectangle) and the flows, its name at the top left; each event has
  `data-event` and a marker element of that kind, filled when thrown, outlined when caught; the
  non-interrupting boundary event has data-interrupting=false and is dashed, the interrupting ones
  are solid; the event-based gateway has its pentagon in a double circle; tasks their icon; the
  titles and the nodes' table say the markers in words ("Timer boundary event"); starting an
  instance puts the active token badge on the task inside the subprocess;
- Chinese: the processes page's headings (流程, 部署流程, 已部署的流程, 未解决的故障), the diagram's
  titles (定时边界事件, …); 375 px; the
  first load of #/processes (its messages and processes.css come with it); axe-core on each page state.

Everything waits for what it checks (`b.wait`), never a fixed time.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time

from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By

import colleagues
from colleagues import FIRST_LOAD_BUDGET, WAIT, expected

PASSWORD = "processes in order 1234"
ADMIN = {"email": "paula.processes@example.com", "name": "Paula Processes"}
VIEWER = {"email": "vera.viewer@example.com", "name": "Vera Viewer"}
KEY = "call_back"
TASK = "Call the customer"
MARKUP_NAME = "<b>x</b>"
MARKUP_TASK = "<img src=x onerror=alert(1)>"
NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
      'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
      'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"')
CALL_BACK = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="defs_call_back" targetNamespace="http://example.org/rapport-tests">
  <bpmn:process id="{KEY}" name="Call back" isExecutable="true">
    <bpmn:startEvent id="start" name="Asked"/>
    <bpmn:sequenceFlow id="to_call" sourceRef="start" targetRef="call"/>
    <bpmn:serviceTask id="call" name="{TASK}">
      <bpmn:extensionElements><zeebe:taskDefinition type="call"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="to_end" sourceRef="call" targetRef="end"/>
    <bpmn:endEvent id="end" name="Done"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram">
    <bpmndi:BPMNPlane id="plane" bpmnElement="{KEY}">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="152" y="102" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="call_di" bpmnElement="call"><dc:Bounds x="250" y="80" width="100" height="80"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="412" y="102" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="to_call_di" bpmnElement="to_call"><di:waypoint x="188" y="120"/><di:waypoint x="250" y="120"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="to_end_di" bpmnElement="to_end"><di:waypoint x="350" y="120"/><di:waypoint x="412" y="120"/></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
MARKUP = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="defs_markup" targetNamespace="http://example.org/rapport-tests">
  <bpmn:process id="markup_name" name="&lt;b&gt;x&lt;/b&gt;" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="look"/>
    <bpmn:task id="look" name="&lt;img src=x onerror=alert(1)&gt;"/>
    <bpmn:sequenceFlow id="f2" sourceRef="look" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
CALL = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="defs_call" targetNamespace="http://example.org/rapport-tests">
  <bpmn:process id="with_call" name="With a complex gateway" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="other"/>
    <bpmn:complexGateway id="other"/>
    <bpmn:sequenceFlow id="f2" sourceRef="other" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
CALL_LINE = next(i for i, line in enumerate(CALL.splitlines(), start=1) if "<bpmn:complexGateway" in line)

CLAIM_KEY = "claim"
CLAIM_SUB = "Check the claim"
# A process drawn with BPMN DI that uses what a modeler draws beyond plain tasks: an expanded
# subprocess (a service task, a gateway, a none and an error end event inside), an interrupting timer,
# a non-interrupting message and an error boundary event on it, an event-based gateway racing a
# message and a timer catch event, signal, terminate and error end events, a signal throw event, a
# send task and a business rule task.
CLAIM = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="defs_claim" targetNamespace="http://example.org/rapport-tests">
  <bpmn:message id="Message_update" name="claim-update">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=claim_id"/></bpmn:extensionElements>
  </bpmn:message>
  <bpmn:message id="Message_answer" name="customer-answered">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=claim_id"/></bpmn:extensionElements>
  </bpmn:message>
  <bpmn:signal id="Signal_late" name="claim-late"/>
  <bpmn:signal id="Signal_refused" name="claim-refused"/>
  <bpmn:error id="Error_rejected" name="Rejected" errorCode="rejected"/>
  <bpmn:process id="{CLAIM_KEY}" name="Handle a claim" isExecutable="true">
    <bpmn:startEvent id="start" name="Claim in"/>
    <bpmn:sequenceFlow id="f_in" sourceRef="start" targetRef="handle"/>
    <bpmn:subProcess id="handle" name="{CLAIM_SUB}">
      <bpmn:startEvent id="in_start"/>
      <bpmn:sequenceFlow id="i1" sourceRef="in_start" targetRef="review"/>
      <bpmn:serviceTask id="review" name="Review the claim">
        <bpmn:extensionElements><zeebe:taskDefinition type="review-claim"/></bpmn:extensionElements>
      </bpmn:serviceTask>
      <bpmn:sequenceFlow id="i2" sourceRef="review" targetRef="decide"/>
      <bpmn:exclusiveGateway id="decide" name="Approved?" default="i4"/>
      <bpmn:sequenceFlow id="i3" name="yes" sourceRef="decide" targetRef="in_done">
        <bpmn:conditionExpression>approved == true</bpmn:conditionExpression>
      </bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="i4" sourceRef="decide" targetRef="rejected"/>
      <bpmn:endEvent id="in_done" name="Approved"/>
      <bpmn:endEvent id="rejected" name="Rejected"><bpmn:errorEventDefinition errorRef="Error_rejected"/></bpmn:endEvent>
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="sla" name="4 hours" attachedToRef="handle">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT4H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:boundaryEvent id="update" name="Update" attachedToRef="handle" cancelActivity="false">
      <bpmn:messageEventDefinition messageRef="Message_update"/>
    </bpmn:boundaryEvent>
    <bpmn:boundaryEvent id="failed" name="Rejected" attachedToRef="handle">
      <bpmn:errorEventDefinition errorRef="Error_rejected"/>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f_out" sourceRef="handle" targetRef="wait"/>
    <bpmn:eventBasedGateway id="wait" name="Wait for the customer"/>
    <bpmn:sequenceFlow id="g1" sourceRef="wait" targetRef="answered"/>
    <bpmn:sequenceFlow id="g2" sourceRef="wait" targetRef="a_day"/>
    <bpmn:intermediateCatchEvent id="answered" name="Answered"><bpmn:messageEventDefinition messageRef="Message_answer"/></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="a_day" name="A day later">
      <bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f_reply" sourceRef="answered" targetRef="reply"/>
    <bpmn:sendTask id="reply" name="Send the answer">
      <bpmn:extensionElements><zeebe:taskDefinition type="reply"/></bpmn:extensionElements>
    </bpmn:sendTask>
    <bpmn:sequenceFlow id="f_done" sourceRef="reply" targetRef="done"/>
    <bpmn:endEvent id="done" name="Answered"/>
    <bpmn:sequenceFlow id="f_close" sourceRef="a_day" targetRef="closed"/>
    <bpmn:endEvent id="closed" name="Closed"><bpmn:terminateEventDefinition/></bpmn:endEvent>
    <bpmn:sequenceFlow id="f_late" sourceRef="sla" targetRef="escalate"/>
    <bpmn:endEvent id="escalate" name="Too late"><bpmn:signalEventDefinition signalRef="Signal_late"/></bpmn:endEvent>
    <bpmn:sequenceFlow id="f_update" sourceRef="update" targetRef="score"/>
    <bpmn:businessRuleTask id="score" name="Score the update">
      <bpmn:extensionElements><zeebe:taskDefinition type="score"/></bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="f_scored" sourceRef="score" targetRef="scored"/>
    <bpmn:endEvent id="scored" name="Scored"/>
    <bpmn:sequenceFlow id="f_failed" sourceRef="failed" targetRef="announce"/>
    <bpmn:intermediateThrowEvent id="announce" name="Announce"><bpmn:signalEventDefinition signalRef="Signal_refused"/></bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="f_refused" sourceRef="announce" targetRef="refused"/>
    <bpmn:endEvent id="refused" name="Refused"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="claim_diagram">
    <bpmndi:BPMNPlane id="claim_plane" bpmnElement="{CLAIM_KEY}">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="152" y="182" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="handle_di" bpmnElement="handle" isExpanded="true"><dc:Bounds x="240" y="80" width="520" height="300"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="in_start_di" bpmnElement="in_start"><dc:Bounds x="270" y="182" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="review_di" bpmnElement="review"><dc:Bounds x="340" y="160" width="100" height="80"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="decide_di" bpmnElement="decide" isMarkerVisible="true"><dc:Bounds x="480" y="175" width="50" height="50"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="in_done_di" bpmnElement="in_done"><dc:Bounds x="592" y="182" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="rejected_di" bpmnElement="rejected"><dc:Bounds x="592" y="262" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="sla_di" bpmnElement="sla"><dc:Bounds x="402" y="362" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="update_di" bpmnElement="update"><dc:Bounds x="522" y="362" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="failed_di" bpmnElement="failed"><dc:Bounds x="742" y="302" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="wait_di" bpmnElement="wait"><dc:Bounds x="830" y="175" width="50" height="50"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="answered_di" bpmnElement="answered"><dc:Bounds x="942" y="122" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="a_day_di" bpmnElement="a_day"><dc:Bounds x="942" y="222" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="reply_di" bpmnElement="reply"><dc:Bounds x="1030" y="100" width="100" height="80"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="done_di" bpmnElement="done"><dc:Bounds x="1192" y="122" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="closed_di" bpmnElement="closed"><dc:Bounds x="1192" y="222" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="escalate_di" bpmnElement="escalate"><dc:Bounds x="402" y="462" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="score_di" bpmnElement="score"><dc:Bounds x="590" y="440" width="100" height="80"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="scored_di" bpmnElement="scored"><dc:Bounds x="742" y="462" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="announce_di" bpmnElement="announce"><dc:Bounds x="842" y="302" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="refused_di" bpmnElement="refused"><dc:Bounds x="942" y="302" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f_in_di" bpmnElement="f_in"><di:waypoint x="188" y="200"/><di:waypoint x="240" y="200"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="i1_di" bpmnElement="i1"><di:waypoint x="306" y="200"/><di:waypoint x="340" y="200"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="i2_di" bpmnElement="i2"><di:waypoint x="440" y="200"/><di:waypoint x="480" y="200"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="i3_di" bpmnElement="i3"><di:waypoint x="530" y="200"/><di:waypoint x="592" y="200"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="i4_di" bpmnElement="i4"><di:waypoint x="505" y="225"/><di:waypoint x="505" y="280"/><di:waypoint x="592" y="280"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f_out_di" bpmnElement="f_out"><di:waypoint x="760" y="200"/><di:waypoint x="830" y="200"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="g1_di" bpmnElement="g1"><di:waypoint x="855" y="175"/><di:waypoint x="855" y="140"/><di:waypoint x="942" y="140"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="g2_di" bpmnElement="g2"><di:waypoint x="880" y="200"/><di:waypoint x="911" y="200"/><di:waypoint x="911" y="240"/><di:waypoint x="942" y="240"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f_reply_di" bpmnElement="f_reply"><di:waypoint x="978" y="140"/><di:waypoint x="1030" y="140"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f_done_di" bpmnElement="f_done"><di:waypoint x="1130" y="140"/><di:waypoint x="1192" y="140"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f_close_di" bpmnElement="f_close"><di:waypoint x="978" y="240"/><di:waypoint x="1192" y="240"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f_late_di" bpmnElement="f_late"><di:waypoint x="420" y="398"/><di:waypoint x="420" y="462"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f_update_di" bpmnElement="f_update"><di:waypoint x="540" y="398"/><di:waypoint x="540" y="480"/><di:waypoint x="590" y="480"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f_scored_di" bpmnElement="f_scored"><di:waypoint x="690" y="480"/><di:waypoint x="742" y="480"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f_failed_di" bpmnElement="f_failed"><di:waypoint x="778" y="320"/><di:waypoint x="842" y="320"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f_refused_di" bpmnElement="f_refused"><di:waypoint x="878" y="320"/><di:waypoint x="942" y="320"/></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
# The nodes of CLAIM inside its subprocess, and each event's marker: (event, filled: thrown).
CLAIM_INNER = ["in_start", "review", "decide", "in_done", "rejected"]
CLAIM_MARKERS = {"sla": ("timer", False), "update": ("message", False), "failed": ("error", False), "rejected": ("error", True),
                 "answered": ("message", False), "a_day": ("timer", False), "closed": ("terminate", True), "escalate": ("signal", True),
                 "announce": ("signal", True)}
CLAIM_PLAIN_EVENTS = ["start", "in_start", "in_done", "done", "scored", "refused"]

# The processes page: the list, the deploy form and its answer, the incidents, the nav.
LIST = """
const view = document.querySelector('main .view');
if (!view) return null;
const problems = view.querySelector('[data-field=deploy-problems]');
const result = view.querySelector('[data-field=deploy-result]');
const incidents = view.querySelector('[data-card=incidents]');
const nav = document.querySelector('[data-nav=processes]');
return { h1: view.querySelector('h1')?.textContent ?? '', heads: [...view.querySelectorAll('h2')].map((h) => h.textContent),
  deploy: !!view.querySelector('[data-form=deploy-process]'), deployBusy: !!view.querySelector('[data-form=deploy-process][aria-busy]'),
  fileLabel: view.querySelector('[data-form=deploy-process] input[type=file]')?.labels?.[0]?.textContent ?? null,
  fileError: [...view.querySelectorAll('[data-form=deploy-process] .field-error')].filter((e) => !e.hidden).map((e) => e.textContent).join(' '),
  busy: !!view.querySelector('[data-slot=processes][aria-busy]'), empty: view.querySelector('[data-field=no-processes]')?.textContent ?? null,
  rows: [...view.querySelectorAll('[data-table=processes] tbody tr')].map((tr) => ({ key: tr.dataset.key,
    keyText: tr.querySelector('[data-field=key]')?.textContent ?? '', href: tr.querySelector('a[data-action=open-process]')?.getAttribute('href') ?? null,
    name: tr.querySelector('[data-field=name]')?.textContent ?? '', version: tr.querySelector('[data-field=version]')?.textContent ?? '',
    deployed: tr.querySelector('[data-field=deployed_at] time')?.getAttribute('datetime') ?? null,
    deployedText: tr.querySelector('[data-field=deployed_at]')?.textContent ?? '' })),
  result: result ? { text: result.textContent, items: [...result.querySelectorAll('li')].map((li) => ({ key: li.dataset.key, created: li.dataset.created,
    text: li.textContent, href: li.querySelector('a')?.getAttribute('href') ?? null })) } : null,
  problems: problems ? { text: problems.textContent, role: problems.getAttribute('role'), items: [...problems.querySelectorAll('li')].map((li) => ({
    line: li.dataset.line, element: li.dataset.element, where: li.querySelector('[data-field=where]')?.textContent ?? '',
    message: li.querySelector('[data-field=message]')?.textContent ?? '' })) } : null,
  incidentsBusy: !!incidents?.querySelector('[aria-busy]'), noIncidents: incidents?.querySelector('[data-field=no-incidents]')?.textContent ?? null,
  incidents: [...(incidents?.querySelectorAll('tbody tr') ?? [])].map((tr) => ({ id: tr.dataset.id, instance: tr.dataset.instance,
    link: tr.querySelector('a[data-action=open-instance]')?.textContent ?? '', href: tr.querySelector('a[data-action=open-instance]')?.getAttribute('href') ?? null,
    node: tr.querySelector('[data-field=node]')?.textContent ?? '', message: tr.querySelector('[data-field=message]')?.textContent ?? '',
    retry: tr.querySelector('[data-action=retry-incident]')?.textContent ?? null })),
  incidentsStatus: incidents?.querySelector('[data-field=incidents-status]')?.textContent ?? '',
  markup: [...document.querySelectorAll('main *')].filter((e) => e.tagName.includes(':') || ['B', 'I', 'IMG', 'SCRIPT'].includes(e.tagName)).length,
  nav: nav ? { text: nav.textContent, current: nav.getAttribute('aria-current') } : null };
"""
# A process's page: the drawing (nodes, flows, badges), the nodes' table, the start form, the instances.
PROCESS = """
const view = document.querySelector('main .view');
if (!view || !view.dataset.processKey) return null;
const picture = view.querySelector('svg[data-chart=process]');
const described = (el) => (el?.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean)
  .map((id) => document.getElementById(id)).filter((e) => e && e.classList.contains('field-error') && !e.hidden).map((e) => e.textContent).join(' ');
const started = view.querySelector('[data-field=instance-started]');
const markers = picture ? [...picture.querySelectorAll('marker')].map((m) => m.id) : [];
return { key: view.dataset.processKey, version: view.dataset.version, h1: view.querySelector('h1')?.textContent ?? '',
  heads: [...view.querySelectorAll('h2')].map((h) => h.textContent),
  busy: !!view.querySelector('[data-slot=diagram][aria-busy]'), running: view.querySelector('[data-slot=diagram]')?.dataset.running ?? null,
  kind: view.querySelector('[data-diagram]')?.dataset.diagram ?? null, label: picture?.getAttribute('aria-label') ?? null, role: picture?.getAttribute('role') ?? null,
  nodes: picture ? [...picture.querySelectorAll('g[data-node]')].map((g) => ({ id: g.dataset.node, shape: g.dataset.shape, state: g.dataset.state,
    element: g.querySelector('.diagram-shape')?.tagName ?? null, active: g.dataset.active, incidents: g.dataset.incidents,
    name: [...g.querySelectorAll('text.diagram-name tspan')].map((t) => t.textContent).join(' '),
    badges: [...g.querySelectorAll('[data-badge]')].map((b) => [b.dataset.badge, b.textContent]) })) : [],
  flows: picture ? [...picture.querySelectorAll('g[data-flow]')].map((g) => { const line = g.querySelector('polyline');
    return { id: g.dataset.flow, points: line?.getAttribute('points') ?? '', arrow: markers.some((id) => line?.getAttribute('marker-end') === `url(#${id})`) }; }) : [],
  table: [...view.querySelectorAll('[data-table=process-nodes] tbody tr')].map((tr) => ({ id: tr.dataset.node,
    name: tr.querySelector('[data-field=name]')?.textContent ?? '', type: tr.querySelector('[data-field=type]')?.textContent ?? '',
    active: tr.querySelector('[data-field=active]')?.textContent ?? '', incidents: tr.querySelector('[data-field=incidents]')?.textContent ?? '' })),
  flowList: [...view.querySelectorAll('[data-list=process-flows] li')].map((li) => li.textContent),
  start: !!view.querySelector('[data-form=start-instance]'), startBusy: !!view.querySelector('[data-form=start-instance][aria-busy]'),
  variablesError: described(view.querySelector('[data-form=start-instance] [name=variables]')),
  customerError: described(view.querySelector('[data-form=start-instance] [name=customer_id]')),
  started: started ? { text: started.textContent, href: started.querySelector('a')?.getAttribute('href') ?? null } : null,
  instancesBusy: !!view.querySelector('[data-slot=instances][aria-busy]'),
  instances: [...view.querySelectorAll('[data-table=instances] tbody tr')].map((tr) => ({ id: tr.dataset.id, status: tr.dataset.status,
    statusText: tr.querySelector('[data-field=status]')?.textContent ?? '', businessKey: tr.querySelector('[data-field=business_key]')?.textContent ?? '',
    waits: tr.querySelector('[data-field=waits]')?.textContent ?? '', customer: tr.querySelector('[data-field=customer] a')?.getAttribute('href') ?? null, started: tr.querySelector('[data-field=started] time')?.getAttribute('datetime') ?? null })),
  markup: [...document.querySelectorAll('main *')].filter((e) => ['B', 'IMG', 'SCRIPT'].includes(e.tagName)).length };
"""
# An instance's page: status, facts, tokens, variables, history, path, actions.
INSTANCE = """
const view = document.querySelector('main .view');
if (!view || !view.dataset.instanceId) return null;
const cancel = view.querySelector('[data-action=cancel-instance]');
const form = view.querySelector('[data-form=variables]');
return { id: view.dataset.instanceId, status: view.dataset.status, h1: view.querySelector('h1')?.textContent ?? '',
  badge: view.querySelector('[data-slot=instance-status] [data-status]')?.textContent ?? '',
  fields: Object.fromEntries([...view.querySelectorAll('[data-list=instance-fields] dd')].map((dd) => [dd.dataset.field, dd.textContent])),
  variables: view.querySelector('pre[data-field=variables]')?.textContent ?? null,
  tokens: [...view.querySelectorAll('[data-list=tokens] li')].map((li) => ({ node: li.dataset.node, state: li.dataset.state, text: li.textContent,
    timers: [...li.querySelectorAll('[data-timer]')].map((s) => ({ node: s.dataset.timer, text: s.textContent,
      at: s.querySelector('time')?.getAttribute('datetime') ?? null })) })),
  noTokens: view.querySelector('[data-field=no-tokens]')?.textContent ?? null,
  history: [...view.querySelectorAll('[data-table=history] tbody tr')].map((tr) => ({ kind: tr.dataset.kind, node: tr.dataset.node,
    kindText: tr.querySelector('[data-field=kind]')?.textContent ?? '', nodeText: tr.querySelector('[data-field=node]')?.textContent ?? '',
    at: tr.querySelector('[data-field=at] time')?.getAttribute('datetime') ?? null })),
  path: Object.fromEntries([...view.querySelectorAll('svg[data-chart=process] g[data-node]')].map((g) => [g.dataset.node, g.dataset.state])),
  cancel: cancel && !cancel.hidden ? cancel.textContent : null, variablesForm: !!form,
  formMessage: form?.querySelector('.form-message:not([hidden])')?.textContent ?? null,
  notice: view.querySelector('[data-field=instance-notice]')?.textContent ?? '',
  incidents: [...view.querySelectorAll('[data-card=incidents] tbody tr')].map((tr) => tr.dataset.id),
  markup: [...document.querySelectorAll('main *')].filter((e) => ['B', 'IMG', 'SCRIPT'].includes(e.tagName)).length };
"""
# A drawing in detail: the order of what is painted, each node's attributes, boxes, marker and mark.
DRAWN = """
const picture = document.querySelector('main .view svg[data-chart=process]');
if (!picture) return null;
const box = (el) => { const b = el.getBBox(); return { x: b.x, y: b.y, w: b.width, h: b.height }; };
const style = (el, name) => (el ? getComputedStyle(el).getPropertyValue(name) : null);
const order = [...picture.children].filter((e) => e.matches('g[data-node], g[data-flow]'))
  .map((e) => (e.dataset.node ? `node:${e.dataset.node}` : `flow:${e.dataset.flow}`));
const nodes = Object.fromEntries([...picture.querySelectorAll('g[data-node]')].map((g) => {
  const shape = g.querySelector('.diagram-shape');
  const inner = g.querySelector('.diagram-inner');
  const name = g.querySelector('text.diagram-name');
  const marker = g.querySelector('.diagram-marker');
  const mark = g.querySelector('[data-mark]');
  return [g.dataset.node, { type: g.dataset.type, shape: g.dataset.shape, element: shape?.tagName ?? null, event: g.dataset.event ?? null,
    parent: g.dataset.parent ?? null, attachedTo: g.dataset.attachedTo ?? null, interrupting: g.dataset.interrupting ?? null,
    expanded: g.dataset.expanded ?? null, classes: g.getAttribute('class') ?? '', state: g.dataset.state,
    title: g.querySelector('title')?.textContent ?? '', box: shape ? box(shape) : null,
    name: [...g.querySelectorAll('text.diagram-name tspan')].map((t) => t.textContent).join(' '),
    nameBox: name ? box(name) : null, nameAnchor: name?.getAttribute('text-anchor') ?? null,
    markers: g.querySelectorAll('.diagram-marker').length,
    marker: marker ? { kind: marker.dataset.marker, filled: marker.classList.contains('glyph-filled'), parts: marker.children.length,
      fill: style(marker.querySelector('.glyph-body'), 'fill') } : null,
    dash: style(shape, 'stroke-dasharray'), innerDash: style(inner, 'stroke-dasharray'), strokeWidth: style(shape, 'stroke-width'),
    mark: mark?.dataset.mark ?? null,
    markParts: mark ? [...mark.children].map((e) => e.tagName + (e.tagName === 'polygon' ? `:${e.getAttribute('points').trim().split(/\\s+/).length}` : '')) : [],
    icon: g.querySelector('[data-icon]')?.dataset.icon ?? null,
    badges: [...g.querySelectorAll('[data-badge]')].map((b) => [b.dataset.badge, b.textContent]) }];
}));
const table = Object.fromEntries([...document.querySelectorAll('main .view [data-table=process-nodes] tbody tr')]
  .map((tr) => [tr.dataset.node, tr.querySelector('[data-field=type]')?.textContent ?? '']));
return { order, nodes, table };
"""
SIZES = """
const nav = performance.getEntriesByType('navigation')[0];
const own = performance.getEntriesByType('resource').filter(r => new URL(r.name).pathname.startsWith('/console/'));
return { page: nav ? nav.decodedBodySize : 0, assets: own.reduce((n, r) => n + r.decodedBodySize, 0), files: own.length,
  names: own.map((r) => new URL(r.name).pathname.split('/').slice(3).join('/')) };
"""


def _log(msg: str) -> None:
    print(f"[processes {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _alert(br):
    try:
        return br.d.switch_to.alert
    except NoAlertPresentException:
        return None


def _accept_alert(br) -> str:
    alert = br.wait(lambda: _alert(br), WAIT)
    if not alert:
        return ""
    text = alert.text
    alert.accept()
    return text


def process_checks(b, server, api, checks, audit, *, new_browser, abort) -> None:
    """`b`: the test's Browser (the admin and the viewer get browsers of their own from
    `new_browser()`, whose consoles are added to `b`'s at the end); `api`: the admin-key client;
    `audit(page, browser)` runs axe-core in that browser; `abort`: the exception that stops the test."""
    colleagues.user(api, server.base, ADMIN, None, PASSWORD, role="admin")
    colleagues.user(api, server.base, VIEWER, None, PASSWORD, role="viewer")
    folder = tempfile.mkdtemp(prefix="rapport-processes-")
    try:
        paths = {}
        for name, text in (("call_back", CALL_BACK), ("markup", MARKUP), ("call", CALL), ("claim", CLAIM)):
            paths[name] = os.path.join(folder, f"{name}.bpmn")
            with open(paths[name], "w", encoding="utf-8") as f:
                f.write(text)
        with colleagues.own_browsers(b, new_browser, "processes-admin", "processes-viewer") as (ad, vi):
            colleagues.sign_in_all(checks, abort, "processes: the admin and the viewer sign in in browsers of their own",
                                   [(ad, ADMIN), (vi, VIEWER)], PASSWORD)
            _run(ad, vi, server.base, api, checks, audit, paths=paths, abort=abort)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(ad, vi, base, api, checks, audit, *, paths, abort) -> None:  # noqa: PLR0915 - one story, told in order
    def listing(br) -> dict:
        return br.d.execute_script(LIST) or {}

    def process(br) -> dict:
        return br.d.execute_script(PROCESS) or {}

    def instance(br) -> dict:
        return br.d.execute_script(INSTANCE) or {}

    def open_list(br) -> dict:
        br.go("/#/processes")
        ready = br.wait(lambda: (s := listing(br)) and not s["busy"] and not s["incidentsBusy"] and (s["rows"] or s["empty"])
                        and (s["incidents"] or s["noIncidents"]) and s or None, WAIT)
        if not ready:
            raise abort(f"#/processes did not settle: {json.dumps(listing(br))[:300]}")
        return ready

    def open_process(br, key: str) -> dict:
        br.go(f"/#/processes/{key}")
        ready = br.wait(lambda: (s := process(br)) and s.get("key") == key and not s["busy"] and not s["instancesBusy"] and s.get("kind") and s or None, WAIT)
        if not ready:
            raise abort(f"the page of {key} did not settle: {json.dumps(process(br))[:300]}")
        return ready

    def open_instance(br, instance_id: str) -> dict:
        br.go(f"/#/process-instances/{instance_id}")
        ready = br.wait(lambda: (s := instance(br)) and s.get("id") == instance_id and s["history"] and s or None, WAIT)
        if not ready:
            raise abort(f"the instance's page did not settle: {json.dumps(instance(br))[:300]}")
        return ready

    def deploy(path: str) -> None:
        field = ad.visible("[data-form=deploy-process] input[type=file]")
        if field is None:
            raise abort("no file input in the deploy form")
        field.send_keys(path)
        ad.click("[data-form=deploy-process] [data-action=deploy-process]")

    def deployed_keys() -> set[str]:
        return {p["key"] for p in api.get("/v1/processes", limit=200)["data"]}

    def put(selector: str, text: str) -> None:
        el = ad.visible(selector)
        if el is None:
            raise abort(f"no {selector}")
        ad.d.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
        el.clear()
        if text:
            el.send_keys(text)

    # --- The page, empty, with the deploy form.
    ad.step = "processes-list"
    state = open_list(ad)
    checks.check("#/processes is in the main navigation (Processes, current), headed Processes, and says no process is deployed",
                 state.get("nav") == {"text": "Processes", "current": "page"} and state.get("h1") == "Processes"
                 and state.get("empty") == "No process is deployed yet." and state.get("noIncidents") == "No open incident.",
                 json.dumps(state)[:300])
    checks.check("an admin sees 'Deploy a process' with a labelled file input",
                 state.get("deploy") is True and state.get("fileLabel") == "BPMN file *" and "Deploy a process" in state.get("heads", []),
                 json.dumps({k: state.get(k) for k in ("deploy", "fileLabel", "heads")}))
    audit("processes: the empty list with the deploy form", ad)

    # --- Deploy through the form.
    ad.step = "processes-deploy"
    deploy(paths["call_back"])
    done = ad.wait(lambda: (s := listing(ad)) and s["result"] and s["rows"] and not s["busy"] and s or None, WAIT) or listing(ad)
    row = next((r for r in done.get("rows", []) if r["key"] == KEY), {})
    item = next(iter((done.get("result") or {}).get("items", [])), {})
    checks.check("deploying call_back.bpmn through the form says it is deployed as version 1, linking to its page",
                 item.get("key") == KEY and item.get("created") == "true" and "deployed as version 1." in item.get("text", "")
                 and item.get("href") == f"#/processes/{KEY}" and KEY in deployed_keys(),
                 json.dumps(done.get("result"))[:300])
    checks.check("the deployed process is listed: its key as a link, its name, version 1 and when it was deployed",
                 row.get("keyText") == KEY and row.get("href") == f"#/processes/{KEY}" and row.get("name") == "Call back"
                 and row.get("version") == "1" and bool(row.get("deployed")) and bool(row.get("deployedText")),
                 json.dumps(row))
    deploy(paths["call_back"])
    again = ad.wait(lambda: (s := listing(ad)) and s["result"] and (s["result"]["items"] or [{}])[0].get("created") == "false" and s or None, WAIT) or listing(ad)
    checks.check("the same file deployed again is 'unchanged' (still version 1, no new version)",
                 "unchanged: version 1 is already this file." in ((again.get("result") or {}).get("text") or "")
                 and api.get(f"/v1/processes/{KEY}").get("version") == 1, json.dumps(again.get("result"))[:300])

    # --- A file Rapport cannot run: every problem as text, with its line and element.
    ad.step = "processes-refused"
    with expected(ad, "processes-refused", "/v1/processes", 422):
        deploy(paths["call"])
        refused = ad.wait(lambda: (s := listing(ad)) and s["problems"] and not s["deployBusy"] and s or None, WAIT) or listing(ad)
    problem = next(iter((refused.get("problems") or {}).get("items", [])), {})
    checks.check(f"a file with a bpmn:complexGateway is refused: the problem is shown with its line ({CALL_LINE}) and element (other), "
                 "the message naming <bpmn:complexGateway> as text",
                 problem.get("line") == str(CALL_LINE) and problem.get("element") == "other" and problem.get("where") == f"Line {CALL_LINE}, element other:"
                 and "<bpmn:complexGateway> is not supported yet" in problem.get("message", "")
                 and (refused.get("problems") or {}).get("text", "").startswith("The file cannot run: 1 problem.")
                 and (refused.get("problems") or {}).get("role") == "alert" and refused.get("markup") == 0,
                 json.dumps(refused.get("problems"))[:400])
    checks.check("the refused file deploys nothing", "with_call" not in deployed_keys() and "with_call" not in {r["key"] for r in refused.get("rows", [])},
                 str(sorted(deployed_keys())))
    audit("processes: a file refused with its problems", ad)

    # --- Markup in a process's name and a node's name: text.
    ad.step = "processes-markup"
    deploy(paths["markup"])
    marked = ad.wait(lambda: (s := listing(ad)) and any(r["key"] == "markup_name" for r in s["rows"]) and s or None, WAIT) or listing(ad)
    row = next((r for r in marked.get("rows", []) if r["key"] == "markup_name"), {})
    checks.check("a process named &lt;b&gt;x&lt;/b&gt; in the XML is listed as the literal text <b>x</b>: no element made, no alert",
                 row.get("name") == MARKUP_NAME and marked.get("markup") == 0 and not ad.alert_present()
                 and MARKUP_NAME in (marked.get("result") or {}).get("text", ""), json.dumps(row))
    page = open_process(ad, "markup_name")
    look = next((r for r in page.get("table", []) if r["id"] == "look"), {})
    checks.check("its page shows <b>x</b> as the heading's text and the task's <img …> name as text; without a diagram the nodes and flows are listed",
                 page.get("h1") == MARKUP_NAME and look.get("name") == f"{MARKUP_TASK} look" and page.get("markup") == 0 and not ad.alert_present()
                 and page.get("kind") == "list" and not page.get("nodes") and len(page.get("table", [])) == 3
                 and f"start → {MARKUP_TASK}" in page.get("flowList", []) and len(page.get("flowList", [])) == 2,
                 json.dumps({k: page.get(k) for k in ("h1", "kind", "table", "flowList")}, ensure_ascii=False)[:500])
    audit("processes: a process without a diagram", ad)

    # --- The diagram.
    ad.step = "processes-diagram"
    page = open_process(ad, KEY)
    nodes = {n["id"]: n for n in page.get("nodes", [])}
    checks.check("the process with BPMN DI is drawn as SVG (role img, labelled): one shape per node — the events circles, the task a rounded rect — named in SVG text",
                 page.get("kind") == "drawn" and page.get("role") == "img" and "Call back" in (page.get("label") or "")
                 and set(nodes) == {"start", "call", "end"} and len(page.get("nodes", [])) == 3
                 and nodes["start"]["element"] == "circle" and nodes["end"]["element"] == "circle" and nodes["call"]["element"] == "rect"
                 and nodes["call"]["name"] == TASK and nodes["start"]["name"] == "Asked" and nodes["end"]["name"] == "Done",
                 json.dumps(page.get("nodes"))[:500])
    flows = {f["id"]: f for f in page.get("flows", [])}
    checks.check("each flow is a polyline along its waypoints with an arrow marker",
                 set(flows) == {"to_call", "to_end"} and flows["to_call"]["points"] == "188,120 250,120" and flows["to_end"]["points"] == "350,120 412,120"
                 and all(f["arrow"] for f in flows.values()), json.dumps(page.get("flows")))
    checks.check("no instance runs yet: no badge, the nodes' table counts 0 active tokens and 0 incidents",
                 page.get("running") == "0" and all(not n["badges"] for n in page.get("nodes", []))
                 and all(r["active"] == "0" and r["incidents"] == "0" for r in page.get("table", [])) and len(page.get("table", [])) == 3,
                 json.dumps(page.get("table")))
    audit("processes: a process's diagram and start form", ad)

    # --- Start an instance with the form.
    ad.step = "processes-start"
    customer = api.post("/v1/customers", {"name": "Carla Callback", "emails": ["carla.callback@example.com"]})
    before = len(api.get("/v1/process-instances", process=KEY)["data"])
    put("[data-form=start-instance] [name=variables]", "[1, 2]")
    ad.click("[data-form=start-instance] [data-action=start-instance]")
    bad = ad.wait(lambda: (s := process(ad)) and s["variablesError"] and s or None, WAIT) or process(ad)
    checks.check("variables that are not a JSON object are refused beside the box, and nothing is started",
                 bad.get("variablesError", "").startswith("This is not a JSON object")
                 and len(api.get("/v1/process-instances", process=KEY)["data"]) == before and not bad.get("started"),
                 json.dumps({k: bad.get(k) for k in ("variablesError", "started")}))
    put("[data-form=start-instance] [name=variables]", '{"amount": 1200, "note": "<b>x</b>"}')
    put("[data-form=start-instance] [name=business_key]", "ORD-42")
    with expected(ad, "processes-no-customer", "/v1/process-instances", 404):
        put("[data-form=start-instance] [name=customer_id]", "cus_nobody")
        ad.click("[data-form=start-instance] [data-action=start-instance]")
        nobody = ad.wait(lambda: (s := process(ad)) and s["customerError"] and not s["startBusy"] and s or None, WAIT) or process(ad)
    checks.check("a customer id no customer has is refused beside its field, and nothing is started",
                 nobody.get("customerError") == "No customer has this id." and not nobody.get("started")
                 and len(api.get("/v1/process-instances", process=KEY)["data"]) == before, json.dumps({k: nobody.get(k) for k in ("customerError", "started")}))
    put("[data-form=start-instance] [name=customer_id]", customer["id"])
    ad.click("[data-form=start-instance] [data-action=start-instance]")
    waiting = ad.wait(lambda: (s := process(ad)) and s["started"] and not s["busy"] and not s["instancesBusy"]
                      and next((n for n in s["nodes"] if n["id"] == "call"), {}).get("active") == "1" and s["instances"] and s or None, WAIT) or process(ad)
    call = next((n for n in waiting.get("nodes", []) if n["id"] == "call"), {})
    call_row = next((r for r in waiting.get("table", []) if r["id"] == "call"), {})
    stored = api.get("/v1/process-instances", process=KEY, status="running")["data"]
    started = (waiting.get("started") or {}).get("href") or ""
    instance_id = started.rsplit("/", 1)[-1]
    checks.check("the start form starts an instance (variables and business key sent) and says so, linking to it",
                 len(stored) == 1 and stored[0]["id"] == instance_id and stored[0]["variables"] == {"amount": 1200, "note": "<b>x</b>"}
                 and stored[0]["business_key"] == "ORD-42" and stored[0]["customer_id"] == customer["id"] and "The instance was started." in (waiting.get("started") or {}).get("text", "")
                 and f"It waits at: {TASK}." in (waiting.get("started") or {}).get("text", ""),
                 json.dumps({"started": waiting.get("started"), "stored": [(i["id"], i["variables"], i["business_key"]) for i in stored]})[:400])
    checks.check("without a reload the waiting task shows 1 active token (a badge on its shape, 1 in the nodes' table), the others none",
                 call.get("badges") == [["active", "1"]] and call.get("state") == "active" and call_row.get("active") == "1"
                 and all(not n["badges"] for n in waiting.get("nodes", []) if n["id"] != "call") and waiting.get("running") == "1",
                 json.dumps({"call": call, "row": call_row}))
    listed = next(iter(waiting.get("instances", [])), {})
    checks.check("the instances list shows it: running, its business key, its customer (a link), when it started and that it waits at the task",
                 listed.get("id") == instance_id and listed.get("customer") == f"#/customers/{customer['id']}" and listed.get("status") == "running" and listed.get("statusText") == "Running"
                 and listed.get("businessKey") == "ORD-42" and listed.get("waits") == TASK and bool(listed.get("started")),
                 json.dumps(listed))
    audit("processes: a process with a running instance", ad)

    # --- The instance's page.
    ad.step = "processes-instance"
    shown = open_instance(ad, instance_id)
    kinds = [(h["kind"], h["node"]) for h in shown.get("history", [])]
    checks.check("the instance's page: Running, the process and version, the business key, the token waiting at the task",
                 shown.get("status") == "running" and shown.get("badge") == "Running" and shown.get("h1") == "Instance of Call back"
                 and shown.get("fields", {}).get("process") == "Call back, version 1" and shown.get("fields", {}).get("business_key") == "ORD-42"
                 and [(t["node"], t["state"]) for t in shown.get("tokens", [])] == [("call", "waiting")] and TASK in shown["tokens"][0]["text"],
                 json.dumps({k: shown.get(k) for k in ("status", "badge", "h1", "fields", "tokens")})[:500])
    variables = shown.get("variables") or ""
    parsed = None
    try:
        parsed = json.loads(variables)
    except ValueError:
        pass
    checks.check("its variables are shown as formatted JSON text (the markup in a value as text)",
                 parsed == {"amount": 1200, "note": "<b>x</b>"} and '\n  "amount": 1200' in variables and shown.get("markup") == 0,
                 repr(variables)[:200])
    checks.check("the history lists the steps in order (start reached and completed, the task reached), with the nodes' names and times",
                 kinds == [("activated", "start"), ("completed", "start"), ("activated", "call")]
                 and [h["kindText"] for h in shown["history"]] == ["Reached", "Completed", "Reached"]
                 and [h["nodeText"] for h in shown["history"]] == ["Asked", "Asked", TASK] and all(h["at"] for h in shown["history"]),
                 json.dumps(shown.get("history"))[:400])
    checks.check("the diagram shows its path: the start completed, the task where it waits, the end not reached",
                 shown.get("path") == {"start": "completed", "call": "active", "end": "idle"}, json.dumps(shown.get("path")))
    checks.check("an admin may cancel it and change its variables", shown.get("cancel") == "Cancel instance" and shown.get("variablesForm") is True,
                 json.dumps({k: shown.get(k) for k in ("cancel", "variablesForm")}))
    audit("processes: an instance's page", ad)
    put("[data-form=variables] [name=variables]", '{"fixed": true}')
    ad.click("[data-form=variables] [data-action=save-variables]")
    merged = ad.wait(lambda: (s := instance(ad)) and '"fixed": true' in (s.get("variables") or "") and s or None, WAIT) or instance(ad)
    checks.check("'Change variables' merges a JSON object into them (shown at once, and so stored)",
                 merged.get("formMessage") == "The variables were saved."
                 and api.get(f"/v1/process-instances/{instance_id}")["variables"] == {"amount": 1200, "note": "<b>x</b>", "fixed": True},
                 json.dumps({k: merged.get(k) for k in ("variables", "formMessage")})[:300])

    # --- An incident, made through the API.
    ad.step = "processes-incident"
    jobs = api.post("/v1/jobs/activate", {"type": "call", "worker": "w"}).get("jobs", [])
    job = next((j for j in jobs if j.get("instance_id") == instance_id), None)
    if job is None:
        raise abort(f"no job of type call for the instance: {json.dumps(jobs)[:200]}")
    failed = api.post(f"/v1/jobs/{job['id']}/fail", {"message": "boom <i>no line</i>", "retries": 0})
    incidents = api.get("/v1/incidents")["data"]
    checks.check("a job failed through the API with no retries left makes an incident", failed.get("incident") is True and len(incidents) == 1,
                 json.dumps(failed))
    page = open_process(ad, KEY)
    call = next((n for n in page.get("nodes", []) if n["id"] == "call"), {})
    checks.check("the process's diagram marks the task with 1 incident (a badge; the nodes' table too) and no active token",
                 call.get("badges") == [["incident", "1"]] and call.get("state") == "incident"
                 and next((r for r in page.get("table", []) if r["id"] == "call"), {}).get("incidents") == "1", json.dumps(call))
    state = open_list(ad)
    listed = next(iter(state.get("incidents", [])), {})
    checks.check("#/processes lists the open incident: its instance (a link naming the process), the task by name, the message as text, with Retry",
                 len(state.get("incidents", [])) == 1 and listed.get("instance") == instance_id and listed.get("link") == f"An instance of {KEY}"
                 and listed.get("href") == f"#/process-instances/{instance_id}" and listed.get("node") == TASK
                 and listed.get("message") == "boom <i>no line</i>" and listed.get("retry") == "Retry" and state.get("markup") == 0,
                 json.dumps(state.get("incidents"))[:400])
    audit("processes: the list with an open incident", ad)

    vi.step = "processes-viewer"
    seen = open_list(vi)
    checks.check("the viewer sees the processes and the incident, but no deploy form and no Retry",
                 seen.get("deploy") is False and len(seen.get("incidents", [])) == 1 and seen["incidents"][0]["retry"] is None
                 and {r["key"] for r in seen.get("rows", [])} == {KEY, "markup_name"} and (seen.get("nav") or {}).get("text") == "Processes",
                 json.dumps({k: seen.get(k) for k in ("deploy", "incidents")})[:300])
    audit("processes: the list seen by a viewer", vi)

    ad.step = "processes-retry"
    ad.click("[data-card=incidents] [data-action=retry-incident]")
    cleared = ad.wait(lambda: (s := listing(ad)) and s["noIncidents"] and s or None, WAIT) or listing(ad)
    after = api.get(f"/v1/process-instances/{instance_id}")
    checks.check("Retry clears the incident: the list says none is open and why, the API has no open incident, the token waits again",
                 cleared.get("noIncidents") == "No open incident." and cleared.get("incidentsStatus") == f"Retried: the token at {TASK} goes on."
                 and not api.get("/v1/incidents")["data"] and [t["state"] for t in after.get("tokens", [])] == ["waiting"],
                 json.dumps({k: cleared.get(k) for k in ("noIncidents", "incidentsStatus")}) + json.dumps(after.get("tokens")))

    # --- The viewer's process and instance pages: no actions.
    vi.step = "processes-viewer-pages"
    viewed = open_process(vi, KEY)
    checks.check("the viewer's process page draws the diagram with its count but has no start form",
                 viewed.get("start") is False and viewed.get("kind") == "drawn"
                 and next((n for n in viewed.get("nodes", []) if n["id"] == "call"), {}).get("active") == "1", json.dumps({k: viewed.get(k) for k in ("start", "kind")}))
    watched = open_instance(vi, instance_id)
    checks.check("the viewer's instance page has neither Cancel nor the variables form",
                 watched.get("cancel") is None and watched.get("variablesForm") is False and watched.get("status") == "running",
                 json.dumps({k: watched.get(k) for k in ("cancel", "variablesForm", "status")}))
    audit("processes: an instance's page seen by a viewer", vi)

    # --- Cancel.
    ad.step = "processes-cancel"
    open_instance(ad, instance_id)
    ad.click("[data-action=cancel-instance]")
    asked = _accept_alert(ad)
    ended = ad.wait(lambda: (s := instance(ad)) and s.get("status") == "cancelled" and s.get("noTokens") and s or None, WAIT) or instance(ad)
    stored = api.get(f"/v1/process-instances/{instance_id}")
    checks.check("Cancel asks first, then ends the instance: Cancelled, no tokens, the last step withdrawn at the task, no Cancel left",
                 "Call back" in asked and stored.get("status") == "cancelled" and ended.get("badge") == "Cancelled"
                 and ended.get("notice") == "The instance was cancelled." and ended.get("noTokens") == "No tokens: the instance has ended."
                 and (ended.get("history") or [{}])[-1].get("kind") == "withdrawn" and (ended.get("history") or [{}])[-1].get("node") == "call"
                 and ended.get("cancel") is None and ended.get("variablesForm") is False and bool(ended.get("fields", {}).get("ended_at")),
                 f"asked {asked!r}, " + json.dumps({k: ended.get(k) for k in ("status", "badge", "notice", "noTokens", "cancel")}))
    audit("processes: a cancelled instance", ad)

    # --- A subprocess, boundary events, an event-based gateway and event markers, drawn.
    ad.step = "processes-events"
    open_list(ad)
    deploy(paths["claim"])
    claimed = ad.wait(lambda: (s := listing(ad)) and any(r["key"] == CLAIM_KEY for r in s["rows"]) and s["result"] and s or None, WAIT) or listing(ad)
    item = next((i for i in (claimed.get("result") or {}).get("items", []) if i.get("key") == CLAIM_KEY), {})
    checks.check("a file with an expanded subprocess, boundary events (timer, message, error), an event-based gateway and "
                 "error, signal and terminate end events deploys through the form as version 1",
                 item.get("created") == "true" and "deployed as version 1." in item.get("text", "") and CLAIM_KEY in deployed_keys()
                 and not claimed.get("problems"), json.dumps({k: claimed.get(k) for k in ("result", "problems")})[:400])

    def drawn(br) -> dict:
        return br.d.execute_script(DRAWN) or {}

    page = open_process(ad, CLAIM_KEY)
    shown = drawn(ad)
    parts = shown.get("nodes", {})
    order = shown.get("order", [])
    handle = parts.get("handle", {})
    place = {item: i for i, item in enumerate(order)}

    def inside(inner: dict, outer: dict) -> bool:
        return bool(inner and outer) and outer["x"] <= inner["x"] and outer["y"] <= inner["y"] \
            and inner["x"] + inner["w"] <= outer["x"] + outer["w"] and inner["y"] + inner["h"] <= outer["y"] + outer["h"]

    checks.check("the expanded subprocess is a rounded rectangle painted behind everything: its <g> comes before its inner nodes "
                 "(each marked data-parent=handle and drawn inside it) and before every flow",
                 page.get("kind") == "drawn" and handle.get("shape") == "subprocess" and handle.get("element") == "rect" and handle.get("expanded") == "true"
                 and "node:handle" in place and all(place.get(f"node:{n}", -1) > place["node:handle"] for n in CLAIM_INNER)
                 and all(place["node:handle"] < i for item, i in place.items() if item.startswith("flow:"))
                 and all(parts.get(n, {}).get("parent") == "handle" and inside(parts[n].get("box"), handle.get("box")) for n in CLAIM_INNER)
                 and parts.get("start", {}).get("parent") is None and parts.get("sla", {}).get("parent") is None,
                 json.dumps({"order": order, "handle": handle, "inner": {n: (parts.get(n) or {}).get("parent") for n in CLAIM_INNER}})[:600])
    box, name_box = handle.get("box") or {}, handle.get("nameBox") or {}
    checks.check("the subprocess's name is at its top left (anchored at the start, within 24 px of its left and 30 px of its top), not centred over its content",
                 handle.get("name") == CLAIM_SUB and handle.get("nameAnchor") == "start" and bool(box) and bool(name_box)
                 and 0 <= name_box["x"] - box["x"] <= 24 and 0 <= name_box["y"] - box["y"] <= 30
                 and name_box["x"] + name_box["w"] / 2 < box["x"] + box["w"] / 4,
                 json.dumps({"box": box, "name": handle.get("name"), "nameBox": name_box, "anchor": handle.get("nameAnchor")}))
    wrong = {n: {"event": (parts.get(n) or {}).get("event"), "marker": (parts.get(n) or {}).get("marker"), "markers": (parts.get(n) or {}).get("markers")}
             for n, (event, filled) in CLAIM_MARKERS.items()
             if (parts.get(n) or {}).get("event") != event or (parts.get(n) or {}).get("markers") != 1
             or ((parts.get(n) or {}).get("marker") or {}).get("kind") != event or ((parts.get(n) or {}).get("marker") or {}).get("filled") is not filled
             or not ((parts.get(n) or {}).get("marker") or {}).get("parts")}
    plain = {n: (parts.get(n) or {}).get("markers") for n in CLAIM_PLAIN_EVENTS if (parts.get(n) or {}).get("markers") != 0 or (parts.get(n) or {}).get("event")}
    fills = {filled: {((parts.get(n) or {}).get("marker") or {}).get("fill") for n, (_, f) in CLAIM_MARKERS.items() if f is filled} for filled in (True, False)}
    checks.check("each event has its marker (data-event and a marker element of that kind): timer, message and error boundaries, message and timer catches "
                 "outlined; error, signal and terminate end events and the signal throw filled; none events have none",
                 not wrong and not plain and len(fills[True]) == 1 and len(fills[False]) == 1 and fills[True] != fills[False],
                 json.dumps({"wrong": wrong, "plain": plain, "fills": {str(k): sorted(map(str, v)) for k, v in fills.items()}})[:600])
    update, sla, failed = parts.get("update", {}), parts.get("sla", {}), parts.get("failed", {})
    checks.check("the non-interrupting message boundary event is marked so (data-interrupting=false) and dashed (both circles); "
                 "the interrupting timer and error boundary events are solid; all three sit on the subprocess, painted after it",
                 update.get("interrupting") == "false" and "diagram-dashed" in update.get("classes", "").split()
                 and update.get("dash") not in (None, "", "none") and update.get("innerDash") not in (None, "", "none")
                 and all(b.get("interrupting") == "true" and "diagram-dashed" not in b.get("classes", "").split() and b.get("dash") == "none"
                         and b.get("innerDash") == "none" for b in (sla, failed))
                 and all(b.get("attachedTo") == "handle" and place.get(f"node:{n}", -1) > place.get("node:handle", 10**6)
                         for n, b in (("update", update), ("sla", sla), ("failed", failed))),
                 json.dumps({n: {k: b.get(k) for k in ("interrupting", "classes", "dash", "innerDash", "attachedTo")}
                             for n, b in (("update", update), ("sla", sla), ("failed", failed))}))
    wait = parts.get("wait", {})
    checks.check("the event-based gateway is a diamond with a pentagon in a double circle; end events have a thick border",
                 wait.get("shape") == "gateway" and wait.get("element") == "polygon" and wait.get("mark") == "eventBased"
                 and sorted(wait.get("markParts", [])) == ["circle", "circle", "polygon:5"]
                 and parts.get("decide", {}).get("mark") == "exclusive"
                 and float((parts.get("rejected", {}).get("strokeWidth") or "0px").rstrip("px")) >= 2 * float((sla.get("strokeWidth") or "99px").rstrip("px")),
                 json.dumps({"wait": {k: wait.get(k) for k in ("shape", "element", "mark", "markParts")},
                             "widths": [parts.get("rejected", {}).get("strokeWidth"), sla.get("strokeWidth")]}))
    checks.check("tasks carry a small icon of their kind (service, send, business rule)",
                 parts.get("review", {}).get("icon") == "serviceTask" and parts.get("reply", {}).get("icon") == "sendTask"
                 and parts.get("score", {}).get("icon") == "businessRuleTask",
                 json.dumps({n: parts.get(n, {}).get("icon") for n in ("review", "reply", "score")}))
    titles = {n: parts.get(n, {}).get("title", "") for n in ("sla", "update", "failed", "rejected", "handle", "wait", "review", "closed", "reply")}
    table = shown.get("table", {})
    checks.check("the titles say each marker in words ('Timer boundary event', non-interrupting, 'Error end event', …), where a boundary event "
                 "sits and which subprocess a node is in; the nodes' table says the same kind",
                 titles["sla"] == f"4 hours · Timer boundary event · on {CLAIM_SUB}"
                 and titles["update"] == f"Update · Message boundary event, non-interrupting · on {CLAIM_SUB}"
                 and titles["failed"].startswith("Rejected · Error boundary event · on ") and titles["rejected"] == f"Rejected · Error end event · in {CLAIM_SUB}"
                 and titles["handle"] == f"{CLAIM_SUB} · Subprocess" and titles["wait"] == "Wait for the customer · Event-based gateway"
                 and titles["review"] == f"Review the claim · Service task · in {CLAIM_SUB}" and titles["closed"] == "Closed · Terminate end event"
                 and titles["reply"] == "Send the answer · Send task"
                 and table.get("sla") == "Timer boundary event" and table.get("update") == "Message boundary event, non-interrupting"
                 and table.get("handle") == "Subprocess" and table.get("announce") == "Signal intermediate throw event",
                 json.dumps({"titles": titles, "table": {n: table.get(n) for n in ("sla", "update", "handle", "announce")}})[:700])
    audit("processes: a process with a subprocess and boundary events", ad)

    put("[data-form=start-instance] [name=variables]", '{"claim_id": "C-7"}')
    ad.click("[data-form=start-instance] [data-action=start-instance]")
    started = ad.wait(lambda: (s := process(ad)) and s["started"] and not s["busy"] and not s["instancesBusy"]
                      and next((n for n in s["nodes"] if n["id"] == "review"), {}).get("active") == "1" and s or None, WAIT) or process(ad)
    running = drawn(ad).get("nodes", {})
    claim_instances = api.get("/v1/process-instances", process=CLAIM_KEY, status="running")["data"]
    tokens = sorted((t["node"], t["state"]) for t in (claim_instances[0]["tokens"] if len(claim_instances) == 1 else []))
    review_row = next((r for r in started.get("table", []) if r["id"] == "review"), {})
    checks.check("starting an instance shows the active token badge on the service task inside the subprocess (and on the subprocess, which "
                 "holds it), in the nodes' table too; no other node has a badge",
                 running.get("review", {}).get("badges") == [["active", "1"]] and running.get("review", {}).get("state") == "active"
                 and running.get("handle", {}).get("badges") == [["active", "1"]] and review_row.get("active") == "1"
                 and all(not n.get("badges") for k, n in running.items() if k not in ("review", "handle"))
                 and tokens == [("handle", "waiting"), ("review", "waiting")],
                 json.dumps({"review": running.get("review", {}).get("badges"), "handle": running.get("handle", {}).get("badges"), "tokens": tokens}))
    audit("processes: a running instance inside a subprocess", ad)

    # The instance's page: when the subprocess's SLA fires, beside the token that waits for it.
    if len(claim_instances) == 1:
        claim_id = claim_instances[0]["id"]
        due = [timer["due_at"] for timer in api.get(f"/v1/process-instances/{claim_id}").get("timers", []) if timer["node"] == "sla"]
        page = open_instance(ad, claim_id)
        shown = next((token for token in page.get("tokens", []) if token["node"] == "handle"), {}).get("timers", [])
        checks.check("the instance's page shows when the SLA fires: the timer's name and time beside the subprocess's token, as the API gives them",
                     len(due) == 1 and [(s["node"], s["at"]) for s in shown] == [("sla", due[0])] and "4 hours" in shown[0]["text"],
                     json.dumps({"api": due, "shown": shown})[:400])

    # --- Chinese, 375 px.
    ad.step = "processes-zh-CN"
    open_list(ad)
    ad.visible(".lang-switch select").find_element(By.CSS_SELECTOR, "option[value='zh-CN']").click()
    zh = ad.wait(lambda: (s := listing(ad)) and s.get("h1") == "流程" and not s["busy"] and s or None, WAIT) or listing(ad)
    checks.check("in Chinese the processes page's headings are Chinese (流程, 部署流程, 已部署的流程, 未解决的故障; 流程 in the nav)",
                 zh.get("h1") == "流程" and zh.get("heads") == ["部署流程", "已部署的流程", "未解决的故障"]
                 and (zh.get("nav") or {}).get("text") == "流程" and zh.get("fileLabel") == "BPMN 文件 *",
                 json.dumps({k: zh.get(k) for k in ("h1", "heads", "nav", "fileLabel")}, ensure_ascii=False))
    audit("processes: the list (zh-CN)", ad)
    with colleagues.phone_width(ad):
        colleagues.fits(ad, checks, "the processes page (in Chinese)")
        audit("processes: the list at 375 px (zh-CN)", ad)
    open_process(ad, CLAIM_KEY)
    zh_titles = (ad.wait(lambda: (s := ad.d.execute_script(DRAWN)) and s.get("nodes", {}).get("sla", {}).get("title", "").startswith("4 hours · 定时") and s or None, WAIT)
                 or ad.d.execute_script(DRAWN) or {}).get("nodes", {})
    checks.check("in Chinese the diagram's titles say the markers in Chinese (定时边界事件, 消息边界事件（非中断）, 错误结束事件, 子流程)",
                 zh_titles.get("sla", {}).get("title") == f"4 hours · 定时边界事件 · 附加于 {CLAIM_SUB}"
                 and zh_titles.get("update", {}).get("title", "").startswith("Update · 消息边界事件（非中断）")
                 and zh_titles.get("rejected", {}).get("title", "").startswith("Rejected · 错误结束事件")
                 and zh_titles.get("handle", {}).get("title", "").startswith(f"{CLAIM_SUB} · 子流程"),
                 json.dumps({n: zh_titles.get(n, {}).get("title") for n in ("sla", "update", "rejected", "handle")}, ensure_ascii=False))
    ad.d.execute_script("localStorage.setItem('rapport.locale', 'en')")
    open_process(ad, KEY)
    with colleagues.phone_width(ad):
        colleagues.fits(ad, checks, "a process's page with its diagram")
        audit("processes: a process's page at 375 px", ad)

    # --- The first load.
    ad.go("/#/processes")
    ad.d.refresh()
    ad.wait(lambda: (s := listing(ad)) and not s["busy"] and s["rows"] or None, WAIT)
    sizes = ad.d.execute_script(SIZES)
    total = sizes["page"] + sizes["assets"]
    checks.check(f"the first load of #/processes is under {FIRST_LOAD_BUDGET // 1000} KB, the processes' messages and stylesheet loaded with the page only",
                 0 < total < FIRST_LOAD_BUDGET and "i18n/processes/en.js" in sizes["names"] and "processes.css" in sizes["names"]
                 and not any("records" in n for n in sizes["names"]),
                 f"{total / 1000:.1f} KB in {sizes['files'] + 1} files")
    _log(f"first load of #/processes: {total} bytes")
