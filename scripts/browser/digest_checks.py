"""The customer writing where a colleague follows, and email digests, in the console browser test
(notes_checks.py calls `digest_checks` after its own checks, with the salesperson who follows the
customer by then; `--only notes` runs them too).

- the customer writes (an inbound email through the API whose text has `<img onerror>` markup): the
  follower's bell counts it live and says "A customer wrote where you follow." (reply_on_followed,
  made by the router's pass: waited for, bounded); the notifications page says what it is and shows
  the customer's text as text (no element made, `window.__pwned` undefined), with links to the
  customer and the conversation; the customer link opens the Customer 360;
- the preferences form has the kind's checkbox and the email digest: "Every day at" 07:00 is saved
  (GET /v1/notification-preferences has it) and shown again after a reload; an hour the server
  refuses (422 `digest.hour`) is shown beside the hour;
- in Chinese the digest and the kind have their labels (邮件摘要, 每天，时间);
- an admin (a browser of their own) sets the digest channel and the console's address in
  Administration · Settings (the address suggested as this console's own): the server has both; a
  web channel is refused (422 `channel_id`) with words beside the channel; the section in Chinese;
- the administration's messages load with it, not with the Customer 360 (the first load's budget);
- axe-core on each page state. The digest settings are put back as they were at the end.

Everything waits for what it checks (`b.wait`), never a fixed time.
"""

from __future__ import annotations

import json
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import colleagues
from colleagues import BELL, FIRST_LOAD_BUDGET, NOTIFICATIONS, WAIT, UserSession

ROUTER_WAIT = 30.0  # the router's pass makes the notification: the longest it may take to arrive
ADMIN = {"email": "nora.notify@example.com", "name": "Nora Notify"}
MAILBOX = {"kind": "email", "name": "Digest mailbox", "settings": {"address": "digests@notes.example"}}
WEBSITE = {"kind": "web", "name": "Digest website"}
PROBE = '<img src=x onerror="window.__pwned=1">'
MESSAGE = f"Is my order on its way? {PROBE} 我的订单发货了吗？"
REPLY_SAID = "A customer wrote where you follow."
PREFS = "[data-form=notification-preferences]"
DIGEST = "[data-form=notification-digest]"

# The digest part of the preferences form as the page shows it.
DIGEST_STATE = """
const set = document.querySelector('[data-form=notification-preferences] fieldset[data-field=digest]');
if (!set || set.hidden) return null;
const hour = set.querySelector('select[name="digest.hour"]');
const kind = document.querySelector('[data-form=notification-preferences] input[name="kinds.reply_on_followed"]');
return {
  legend: set.querySelector('legend')?.textContent ?? '',
  options: [...set.querySelectorAll('input[type=radio]')].map((r) => ({ value: r.value, checked: r.checked, label: r.labels[0]?.textContent ?? '' })),
  hour: hour?.value ?? null, hourLabel: hour?.getAttribute('aria-label') ?? '', hours: hour ? hour.options.length : 0,
  kind: kind ? { checked: kind.checked, label: kind.labels[0]?.textContent ?? '' } : null,
};
"""
# A control's error as its aria-describedby names it (shown), aria-invalid and focus.
DESCRIBED = """
const el = document.querySelector(arguments[0]);
if (!el) return null;
const errors = (el.getAttribute('aria-describedby') ?? '').split(/\\s+/).filter(Boolean).map((id) => document.getElementById(id))
  .filter((e) => e && e.classList.contains('field-error') && !e.hidden);
return { error: errors.map((e) => e.textContent).join(' '), invalid: el.getAttribute('aria-invalid'), focused: document.activeElement === el, value: el.value };
"""
DIGEST_FORM = """
const form = document.querySelector('[data-form=notification-digest]');
if (!form) return null;
const select = form.querySelector('select[name=channel_id]');
const url = form.querySelector('input[name=console_url]');
return {
  title: form.closest('section')?.querySelector('h2')?.textContent ?? '',
  channels: [...select.options].map((o) => ({ value: o.value, text: o.textContent })), channel: select.value,
  channelLabel: select.labels[0]?.textContent ?? '', url: url.value, urlLabel: url.labels[0]?.textContent ?? '',
  message: form.querySelector('.form-message:not([hidden])')?.textContent ?? '',
};
"""
# Puts an option for `id` into the channel select and chooses it (a channel the list did not offer).
OFFER = """
const select = document.querySelector('[data-form=notification-digest] select[name=channel_id]');
select.append(new Option(arguments[1], arguments[0]));
select.value = arguments[0];
select.dispatchEvent(new Event('change', { bubbles: true }));
"""
SIZES = """
const nav = performance.getEntriesByType('navigation')[0];
const own = performance.getEntriesByType('resource').filter(r => new URL(r.name).pathname.startsWith('/console/'));
return { total: (nav ? nav.decodedBodySize : 0) + own.reduce((n, r) => n + r.decodedBodySize, 0), files: own.length + 1,
  parts: own.map((r) => new URL(r.name).pathname.match(/\\/i18n\\/([^/]+)\\/[^/]+\\.js$/)?.[1]).filter(Boolean) };
"""


def _log(msg: str) -> None:
    print(f"[digest {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _forget_refusals(br, step: str, path: str) -> None:
    """Drops the console's report of the 422 that `step` was about (the point of it)."""
    br.drain()
    br.console = [e for e in br.console if not (e["step"] == step and path in e["message"] and "422" in e["message"])]


def _language(br, locale: str) -> None:
    br.visible(".lang-switch select").find_element(By.CSS_SELECTOR, f"option[value='{locale}']").click()


def digest_checks(b, base, api, checks, audit, *, new_browser, follower, who: dict, password: str, customer: dict, abort) -> None:
    """`follower`: the browser of `who`, signed in, who follows `customer`; `b`: the test's Browser
    (the admin gets a browser of their own from `new_browser()`, whose console is added to `b`'s)."""
    cid = customer["id"]
    http = UserSession(base, who["email"], password)
    channels = api.get("/v1/channels")["data"]
    mailbox = next((c for c in channels if c["name"] == MAILBOX["name"]), None) or api.post("/v1/channels", MAILBOX)
    website = next((c for c in channels if c["kind"] == "web"), None) or api.post("/v1/channels", WEBSITE)
    before = api.get("/v1/settings/notification-digest")
    admin = colleagues.user(api, base, ADMIN, None, password, role="admin")
    _log(f"follower {who['email']}, customer {cid}, mailbox {mailbox['id']}, website {website['id']}, admin {admin['id']}")
    try:
        _follower(follower, api, checks, audit, http=http, customer=customer, mailbox=mailbox, abort=abort)
        with colleagues.own_browsers(b, new_browser, "digest-admin") as (a_b,):
            colleagues.sign_in_all(checks, abort, "an admin of no department signs in in a browser of their own", [(a_b, ADMIN)], password)
            _admin(a_b, base, api, checks, audit, mailbox=mailbox, website=website)
    finally:
        api.put("/v1/settings/notification-digest", {"channel_id": before.get("channel_id"), "console_url": before.get("console_url")})


def _follower(br, api, checks, audit, *, http, customer, mailbox, abort) -> None:
    cid = customer["id"]

    def bell() -> dict:
        return br.d.execute_script(BELL) or {}

    # --- The customer writes; the follower's bell hears of it.
    br.go("/#/customers")
    br.d.refresh()  # in English again (the notes' checks end in Chinese)
    br.wait(lambda: bell().get("state") == "live" or None, WAIT)
    count = bell().get("unread") or 0
    message = api.post("/v1/interactions", {"channel_id": mailbox["id"], "customer_id": cid, "direction": "inbound", "kind": "email",
                                            "subject": "Where is my order?", "body": MESSAGE})
    heard = br.wait(lambda: (n := bell()) and (n.get("unread") or 0) > count and n.get("said") == REPLY_SAID and n, ROUTER_WAIT) or bell()
    newest = next(iter(http.get("/v1/notifications", limit=1).json().get("data", [])), {})
    checks.check("the customer writing (an inbound email) on a followed customer notifies the follower live: the bell counts it and says "
                 f"{REPLY_SAID!r} (reply_on_followed, with the customer's text)",
                 (heard.get("unread") or 0) > count and heard.get("said") == REPLY_SAID and newest.get("kind") == "reply_on_followed"
                 and newest.get("customer_id") == cid and bool(newest.get("conversation_id")) and PROBE in (newest.get("excerpt") or ""),
                 f"bell {count} -> {heard}, newest {json.dumps(newest, ensure_ascii=False)[:300]}, message {message.get('id')}")
    conversation_id = newest.get("conversation_id")

    # --- The notifications page: what it is, the text as text, the links.
    br.go("/#/notifications")
    item = br.wait(lambda: next((i for i in (br.d.execute_script(NOTIFICATIONS) or []) if i["kind"] == "reply_on_followed"), None), WAIT)
    links = {link["action"]: link["href"] for link in (item or {}).get("links", [])}
    checks.check("the notifications page lists it: 'The customer wrote in a conversation you follow', the customer's message as text "
                 "(the markup shown as written, no element made), links to the customer and the conversation",
                 item is not None and item["what"] == "The customer wrote in a conversation you follow" and PROBE in item["excerpt"]
                 and item["markup"] == 0 and links.get("open-customer") == f"#/customers/{cid}"
                 and links.get("open-conversation") == f"#/inbox/{conversation_id}"
                 and br.d.execute_script("return typeof window.__pwned") == "undefined",
                 json.dumps(item, ensure_ascii=False)[:400] if item else "no reply_on_followed on the page")
    audit("digest: notifications page with the customer's message", br)
    if item is None:
        raise abort("no reply_on_followed notification to open")
    br.click(f".notification-list > li[data-notification-id='{item['id']}'] a[data-action=open-customer]")
    landed = br.wait(lambda: f"#/customers/{cid}" in br.d.current_url and br.h1(customer["name"], 1) == customer["name"] or None, WAIT)
    checks.check("its customer link opens the Customer 360 (marking it read); nothing of the customer's text ran",
                 bool(landed) and br.d.execute_script("return typeof window.__pwned") == "undefined"
                 and next((n for n in http.get("/v1/notifications", limit=5).json().get("data", []) if n["id"] == item["id"]), {}).get("read_at"),
                 br.d.current_url)

    # --- The email digest: every day at 07:00.
    br.go("/#/notifications")
    state = br.wait(lambda: br.d.execute_script(DIGEST_STATE), WAIT) or {}
    checks.check("the preferences form has 'When the customer writes on a customer or conversation I follow' (on) and the email digest: "
                 "Off (as the server has it), Every hour, Every day at an hour (24 of them)",
                 (state.get("kind") or {}).get("label") == "When the customer writes on a customer or conversation I follow"
                 and (state.get("kind") or {}).get("checked") and state.get("legend") == "Email digest"
                 and [(o["value"], o["label"], o["checked"]) for o in state.get("options", [])]
                 == [("off", "Off", True), ("hourly", "Every hour", False), ("daily", "Every day at", False)]
                 and state.get("hours") == 24 and state.get("hourLabel") == "Hour of the daily digest",
                 json.dumps(state, ensure_ascii=False)[:400])
    br.click(f"{PREFS} input[data-digest=daily]")
    Select(br.visible(f"{PREFS} select[name='digest.hour']")).select_by_value("7")
    br.click(f"{PREFS} button[type=submit]")
    said = br.wait(lambda: "Settings saved" in br.text(f"{PREFS} .form-message") or None, WAIT)
    prefs = http.get("/v1/notification-preferences").json()
    checks.check("'Every day at' 7:00 is saved: the server has digest {frequency: daily, hour: 7}, the kinds as they were",
                 bool(said) and prefs.get("digest") == {"frequency": "daily", "hour": 7}
                 and prefs.get("kinds", {}).get("note_on_followed") is False and prefs.get("kinds", {}).get("reply_on_followed") is True,
                 json.dumps(prefs))
    br.d.refresh()
    again = br.wait(lambda: (s := br.d.execute_script(DIGEST_STATE)) and s, WAIT) or {}
    checks.check("after a reload the form shows the daily digest at 7:00",
                 any(o["value"] == "daily" and o["checked"] for o in again.get("options", [])) and again.get("hour") == "7", json.dumps(again)[:300])

    # --- An hour the server refuses: beside the hour.
    step = br.step
    br.step = "digest-bad-hour"
    br.d.execute_script("const s = document.querySelector(arguments[0]); s.options[7].value = '24'; s.value = '24';", f"{PREFS} select[name='digest.hour']")
    br.click(f"{PREFS} button[type=submit]")
    refused = br.wait(lambda: (f := br.d.execute_script(DESCRIBED, f"{PREFS} select[name='digest.hour']")) and f["error"] and f, WAIT) or {}
    kept = http.get("/v1/notification-preferences").json().get("digest")
    checks.check("an hour the server refuses (422 digest.hour) is shown beside the hour (aria-invalid, focus there); the server keeps 7",
                 refused.get("error") == "Choose an hour from 0 to 23." and refused.get("invalid") == "true" and refused.get("focused")
                 and kept == {"frequency": "daily", "hour": 7}, f"{refused}, server {kept}")
    audit("digest: preferences with the hour refused", br)
    _forget_refusals(br, "digest-bad-hour", "/v1/notification-preferences")
    br.step = step

    # --- In Chinese.
    br.d.refresh()
    br.wait(lambda: br.d.execute_script(DIGEST_STATE), WAIT)
    _language(br, "zh-CN")
    zh = br.wait(lambda: (s := br.d.execute_script(DIGEST_STATE)) and s["legend"] == "邮件摘要" and s, WAIT) or {}
    zh_item = br.wait(lambda: next((i for i in (br.d.execute_script(NOTIFICATIONS) or []) if i["kind"] == "reply_on_followed"), None), WAIT) or {}
    checks.check("in Chinese: 邮件摘要 with 关闭 / 每小时 / 每天，时间, the kind's label and the notification's line (客户在你关注的会话中发来了消息)",
                 [o["label"] for o in zh.get("options", [])] == ["关闭", "每小时", "每天，时间"]
                 and (zh.get("kind") or {}).get("label") == "当我关注的客户或会话有客户来信时"
                 and zh_item.get("what") == "客户在你关注的会话中发来了消息",
                 f"{json.dumps(zh, ensure_ascii=False)[:300]} / {zh_item.get('what')!r}")
    audit("digest: notifications page in Chinese", br)
    _language(br, "en")
    br.wait(lambda: (s := br.d.execute_script(DIGEST_STATE)) and s["legend"] == "Email digest" or None, WAIT)

    # --- The first load of the Customer 360 has neither the administration's messages nor the notifications page's.
    br.go(f"/#/customers/{cid}")
    br.d.refresh()
    br.h1(customer["name"])
    sizes = br.d.execute_script(SIZES) or {}
    checks.check(f"the Customer 360's first load stays under {FIRST_LOAD_BUDGET // 1000} KB and loads neither the administration's "
                 "messages nor the notifications page's (parts of their own)",
                 0 < sizes.get("total", 0) < FIRST_LOAD_BUDGET and not {"admin", "notifications"} & set(sizes.get("parts", [])),
                 f"{sizes.get('total', 0) / 1000:.1f} KB in {sizes.get('files')} files, parts {sizes.get('parts')}")


def _admin(br, base, api, checks, audit, *, mailbox, website) -> None:
    def form() -> dict:
        return br.d.execute_script(DIGEST_FORM) or {}

    br.go("/#/admin/settings")
    shown = br.wait(lambda: (f := form()) and f["channels"] and f, WAIT) or {}
    values = [c["value"] for c in shown.get("channels", [])]
    sizes = br.d.execute_script(SIZES) or {}
    checks.check("Administration · Settings has 'Email digests': a channel select of None and the email channels (not the web one), "
                 "the console's address suggested as this console's own; the administration's messages came with the page",
                 shown.get("title") == "Email digests" and values[:1] == [""] and mailbox["id"] in values and website["id"] not in values
                 and shown.get("channel") == "" and shown.get("url") == f"{base}/console" and "admin" in sizes.get("parts", []),
                 json.dumps(shown, ensure_ascii=False)[:400] + f" parts {sizes.get('parts')}")
    Select(br.visible(f"{DIGEST} select[name=channel_id]")).select_by_value(mailbox["id"])
    br.click(f"{DIGEST} button[type=submit]")
    saved = br.wait(lambda: form().get("message") == "Saved." or None, WAIT)
    stored = api.get("/v1/settings/notification-digest")
    checks.check("the admin chooses the mailbox and saves: the server has it as the digest channel, with the suggested console address",
                 bool(saved) and stored == {"channel_id": mailbox["id"], "console_url": f"{base}/console"}, json.dumps(stored))
    audit("digest: admin settings with the email digests", br)

    br.step = "digest-web-channel"
    br.d.execute_script(OFFER, website["id"], website["name"])
    br.click(f"{DIGEST} button[type=submit]")
    refused = br.wait(lambda: (f := br.d.execute_script(DESCRIBED, f"{DIGEST} select[name=channel_id]")) and f["error"] and f, WAIT) or {}
    stored = api.get("/v1/settings/notification-digest")
    checks.check("a web channel is refused (422 channel_id) with words beside the channel (aria-invalid, focus there); the mailbox stays",
                 refused.get("error") == "This channel cannot send digests: choose an email channel that has an address."
                 and refused.get("invalid") == "true" and refused.get("focused") and stored.get("channel_id") == mailbox["id"],
                 f"{refused}, server {stored}")
    audit("digest: admin settings with the channel refused", br)
    _forget_refusals(br, "digest-web-channel", "/v1/settings/notification-digest")
    br.step = "digest-admin"

    _language(br, "zh-CN")
    zh = br.wait(lambda: (f := form()) and f["title"] == "邮件摘要" and f, WAIT) or {}
    checks.check("the administration speaks Chinese (its part loaded for zh-CN): 设置, 邮件摘要, 摘要发件渠道, 控制台地址",
                 br.h1() == "设置" and zh.get("channelLabel") == "摘要发件渠道" and zh.get("urlLabel") == "控制台地址"
                 and zh.get("channel") == mailbox["id"],
                 f"{br.h1()!r} {json.dumps(zh, ensure_ascii=False)[:300]}")
    audit("digest: admin settings in Chinese", br)
