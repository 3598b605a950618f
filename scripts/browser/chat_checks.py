"""The web chat in the console browser test (console_test.py calls `chat_checks`).

An admin creates a chat channel in the console with its "Chat widget" fields (a bad colour and
origin refused beside them, a greeting the server refuses shown beside it too, the identity secret
generated, shown once, kept by an edit without one); a "shop" on a second origin (a small HTTP server
in this process, at http://localhost:<port>, while Rapport is at http://127.0.0.1:<port>) embeds
the widget with the tag the console shows. In a second browser window the visitor chats with the
agent, who answers in the console's inbox; the visitor gives an email; files go both ways (the
widget's "+" and the reply form's file field, each side's link giving exactly the bytes); the
visitor reloads the page and sees the history; closes the window and the console says the visitor
is away. A page in Chinese, and a
page on an origin the channel does not allow (refused at the WebSocket handshake).

What the widget shows lives in an open shadow root: it is read with JavaScript
(`document.querySelector('[data-rapport-chat]').shadowRoot`), and its elements are handed to
Selenium from there. Everything waits for what it checks (`b.wait`, `wait_for`), never a fixed time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import json
import os
import re
import socket
import tempfile
import threading
import urllib.parse

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

WAIT = 10.0
MARKUP = "<img src=x onerror=alert(1)>"
VISITOR_MESSAGE = f"{MARKUP} 请问这款乌龙茶还有货吗？ Is the oolong in stock?"
AGENT_REPLY = "您好！有货 — in stock, <b>ships today</b>."
# White on it is 5.9:1 (like the default #0b5fff, 5.2:1): the audit is about how the widget uses it
# (a faded time under the visitor's message fell short of 4.5:1), not about the admin's choice.
COLOUR = "#c2185b"
COLOUR_RGB = "rgb(194, 24, 91)"
GREETING = "Hello! 你好！How can we help?"
CUSTOMER_NAME = "Lena Fischer"
CUSTOMER_EMAIL = "lena.fischer@example.de"
# Files both ways: names with markup and Chinese (no "/": they are files on disk first), bytes that are not all text.
# A file sent alone is a message whose text is its name.
VISITOR_FILE = "发票 <img src=x onerror=alert(1)> 1.txt"
VISITOR_BYTES = "发票 Invoice 1 — 乌龙茶 ×2\n".encode() + bytes([0, 1, 0x7F, 0xFE, 0xFF])
AGENT_FILE = "价目表 <b>2024.csv"
AGENT_BYTES = "tea,price\n乌龙,12.50\n普洱,18.00\n".encode()
AGENT_FILE_REPLY = "这是价目表 — the price list, <i>attached</i>."

# The widget's state, read from its shadow root in one round trip.
SNAPSHOT = """
const root = document.querySelector('[data-rapport-chat]')?.shadowRoot;
if (!root) return null;
const q = (s) => root.querySelector(s);
return {
  launcher: q('.launcher')?.textContent ?? '',
  expanded: q('.launcher')?.getAttribute('aria-expanded'),
  accent: q('.launcher') ? getComputedStyle(q('.launcher')).backgroundColor : '',
  panelHidden: q('section.panel')?.hidden ?? true,
  title: q('section.panel h2')?.textContent ?? '',
  placeholder: q('form.composer textarea')?.placeholder ?? '',
  status: q('.status')?.textContent ?? '',
  typing: q('.typing')?.textContent ?? '',
  emailHidden: q('form.email')?.hidden ?? true,
  lines: [...root.querySelectorAll('[role=log] ol > li')].map((li) => ({
    cls: li.className, id: li.dataset.id ?? null, text: li.firstChild?.textContent ?? '',
    files: [...li.querySelectorAll('a')].map((a) => ({ href: a.href, text: a.textContent, download: a.getAttribute('download'),
      target: a.target, rel: a.rel })) })),
  markup: root.querySelectorAll('[role=log] img, [role=log] b, [role=log] i').length + document.querySelectorAll('img').length,
};
"""
FORM = "form[data-form='admin.channels']"
# The channel form's chat widget fields: value, error beside it, aria-invalid/describedby, focus; the picker's colour.
FIELDS = """
const form = document.querySelector("form[data-form='admin.channels']");
const out = { picker: form.querySelector('fieldset.chat-settings input[type=color]')?.value ?? null };
for (const key of ['colour', 'greeting', 'allowed_origins', 'identity_secret']) {
  const input = form.querySelector(`[name="settings.widget.${key}"]`);
  const error = input?.closest('.field')?.querySelector('.field-error');
  out[`settings.widget.${key}`] = input ? {
    value: input.value, error: error && !error.hidden ? error.textContent : '', invalid: input.getAttribute('aria-invalid'),
    described: !!error && (input.getAttribute('aria-describedby') ?? '').split(' ').includes(error.id),
    focused: document.activeElement === input } : null;
}
return out;
"""
ELEMENT = "return document.querySelector('[data-rapport-chat]')?.shadowRoot?.querySelector(arguments[0]) ?? null"
# Each line as it was when added, and the data-id it got later: shows a line going from pending to acknowledged.
WATCH_LINES = """
const list = document.querySelector('[data-rapport-chat]').shadowRoot.querySelector('[role=log] ol');
window.__chatLines = [];
new MutationObserver((records) => {
  for (const r of records) {
    if (r.type === 'childList') for (const n of r.addedNodes) if (n.nodeName === 'LI') window.__chatLines.push({ cls: n.className, id: n.dataset.id ?? null, text: n.firstChild?.textContent ?? '' });
    if (r.type === 'attributes' && r.attributeName === 'data-id') window.__chatLines.push({ cls: r.target.className, id: r.target.dataset.id, text: r.target.firstChild?.textContent ?? '' });
  }
}).observe(list, { childList: true, attributes: true, subtree: true, attributeFilter: ['data-id'] });
"""
# A download with the console's session (same origin, its cookie): status, Content-Disposition, bytes.
FETCH = """
const [href, done] = [arguments[0], arguments[arguments.length - 1]];
fetch(href, { credentials: 'same-origin' })
  .then(async (r) => done({ status: r.status, disposition: r.headers.get('Content-Disposition') ?? '',
                            bytes: Array.from(new Uint8Array(await r.arrayBuffer())) }))
  .catch((e) => done({ status: 0, disposition: '', bytes: [], error: String(e) }));
"""


class Shop:
    """The site that embeds the widget: pages served by a thread of this process, on a free port.
    `/shop.html` (English) and `/shop-zh.html` (data-lang="zh"), each with the tag the console shows."""

    def __init__(self) -> None:
        self.tag = ""
        shop = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's hook
                page = {"/shop.html": ("en", "Tea shop", "Green tea, oolong and pu'er, shipped from Hangzhou."),
                        "/shop-zh.html": ("zh-CN", "茶叶店", "绿茶、乌龙茶和普洱茶，从杭州发货。")}.get(urllib.parse.urlsplit(self.path).path)
                if page is None:
                    self.send_error(404)
                    return
                lang, title, text = page
                tag = shop.tag if lang == "en" else shop.tag.replace(" async>", ' data-lang="zh" async>')
                body = (f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
                        f'<link rel="icon" href="data:,"></head>\n<body><header><h1>{title}</h1></header>'
                        f'<main><p>{text}</p></main>\n{tag}\n</body></html>\n').encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):  # noqa: A002, ARG002 - quiet
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="shop", daemon=True)

    @property
    def origin(self) -> str:
        """Where the shop is: an origin other than Rapport's (localhost, not 127.0.0.1)."""
        return f"http://localhost:{self.port}"

    @property
    def other_origin(self) -> str:
        """The same pages on an origin the chat channel does not allow."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def handshake(base: str, channel_id: str, origin: str) -> tuple[int, str]:
    """A WebSocket handshake for the channel's socket from a page at `origin`: the status and the body's start."""
    host = urllib.parse.urlsplit(base).netloc
    request = (f"GET /chat/{channel_id}/socket HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n")
    hostname, port = host.rsplit(":", 1)
    with socket.create_connection((hostname, int(port)), timeout=10) as s:
        s.sendall(request.encode())
        got = b""
        while b"\r\n\r\n" not in got:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
        head, _, rest = got.partition(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            try:
                s.settimeout(2)
                while len(rest) < 400:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    rest += chunk
            except OSError:
                pass
    status_line = head.split(b"\r\n", 1)[0].decode(errors="replace")
    parts = status_line.split(" ")
    return (int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0), rest.decode(errors="replace")[:400]


def hello(base: str, channel_id: str, origin: str, frame: dict) -> dict:
    """Opens the channel's socket from a page at `origin`, sends `frame` (a hello) and gives the first
    frame the server answers (JSON), or {"status": ...} when the handshake is refused."""
    host = urllib.parse.urlsplit(base).netloc
    request = (f"GET /chat/{channel_id}/socket HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\nSec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n")
    hostname, port = host.rsplit(":", 1)
    with socket.create_connection((hostname, int(port)), timeout=10) as s:
        s.sendall(request.encode())
        got = b""
        while b"\r\n\r\n" not in got:
            chunk = s.recv(4096)
            if not chunk:
                return {"status": 0}
            got += chunk
        head, _, buffer = got.partition(b"\r\n\r\n")
        status = head.split(b"\r\n", 1)[0].decode(errors="replace")
        if " 101 " not in status:
            return {"status": status}
        payload = json.dumps(frame).encode()
        mask = os.urandom(4)
        length = bytes([0x80 | len(payload)]) if len(payload) < 126 else bytes([0x80 | 126]) + len(payload).to_bytes(2, "big")
        s.sendall(bytes([0x81]) + length + mask + bytes(c ^ mask[i % 4] for i, c in enumerate(payload)))

        def need(n: int) -> None:
            nonlocal buffer
            while len(buffer) < n:
                chunk = s.recv(65536)
                if not chunk:
                    raise EOFError("the server closed the socket")
                buffer += chunk
        while True:
            need(2)
            opcode, n, at = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
            if n == 126:
                need(4)
                n, at = int.from_bytes(buffer[2:4], "big"), 4
            elif n == 127:
                need(10)
                n, at = int.from_bytes(buffer[2:10], "big"), 10
            need(at + n)
            data, buffer = buffer[at:at + n], buffer[at + n:]
            if opcode == 1:
                return json.loads(data)
            if opcode == 8:
                return {"closed": data[2:].decode(errors="replace")}


def chat_checks(b, base: str, api, checks, audit, *, wait_for, abort) -> None:
    """The issue's acceptance check for the web chat. `b` is the test's Browser (signed in as an
    admin, in the console); `api` its API client (admin key); `wait_for(fetch)` polls; `abort` is
    the exception that stops the test."""
    shop = Shop()
    shop.start()
    console = b.d.current_window_handle
    try:
        _chat(b, base, api, checks, audit, shop, console, wait_for, abort)
    finally:
        # Back to the console, the visitor's windows closed, for the checks that follow.
        for handle in b.d.window_handles:
            if handle != console:
                b.d.switch_to.window(handle)
                b.drain()
                b.d.close()
        b.d.switch_to.window(console)
        shop.stop()


def _chat(b, base, api, checks, audit, shop: Shop, console: str, wait_for, abort) -> None:
    def snap() -> dict:
        return b.d.execute_script(SNAPSHOT) or {}

    def widget(selector: str):
        return b.d.execute_script(ELEMENT, selector)

    def lines(cls: str) -> list[dict]:
        return [ln for ln in snap().get("lines", []) if cls in ln["cls"].split()]

    def fields() -> dict:
        return b.d.execute_script(FIELDS) or {}

    # 1. The channel, in Administration · Channels, with the chat widget's fields.
    b.step = "chat-admin"
    name = "Shop chat 网店咨询"
    b.go("/#/admin/channels")
    form = b.visible(FORM)
    if form is None:
        raise abort("no channel form on #/admin/channels")
    form.find_element(By.CSS_SELECTOR, "input[name=name]").send_keys(name)
    form.find_element(By.CSS_SELECTOR, "select[name=kind] option[value=chat]").click()
    fieldset = b.visible("fieldset.chat-settings", 3)
    if fieldset is None:
        raise abort("no chat widget fieldset in the channel form with the kind chat")
    legend = fieldset.find_element(By.CSS_SELECTOR, "legend").text

    def box(key: str):
        return form.find_element(By.CSS_SELECTOR, f"[name='settings.widget.{key}']")

    def channels_named() -> list[dict]:
        return [c for c in api.get("/v1/channels")["data"] if c["name"] == name]

    # Wrong on the page: a colour of five digits, an origin without its scheme. The greeting of
    # 1001 characters is the server's to refuse (it counts characters as it stores them).
    box("colour").send_keys("#12345")
    box("allowed_origins").send_keys(f"{shop.origin}\nshop.example")
    b.d.execute_script("arguments[0].value = arguments[1]", box("greeting"), "茶" * 1001)
    b.click("fieldset.chat-settings button[data-action=generate-identity-secret]")
    generated = b.wait(lambda: box("identity_secret").get_attribute("value") or None, 3) or ""
    b.click(f"{FORM} button[type=submit]")
    refused = b.wait(lambda: (f := fields()) and f["settings.widget.colour"]["error"] and f, WAIT) or fields()
    colour, origins, greeting = (refused.get(f"settings.widget.{k}") or {} for k in ("colour", "allowed_origins", "greeting"))
    checks.check("the channel form shows a 'Chat widget' fieldset for the kind chat; a colour '#12345' and an origin 'shop.example' "
                 "are refused on the page beside their fields (aria-invalid, described by the message), the colour focused, "
                 "nothing sent; Generate gave 32 random bytes in hex",
                 legend == "Chat widget" and colour.get("error") == "Enter a colour as # and 3 or 6 hex digits, such as #0b5fff."
                 and colour.get("invalid") == "true" and colour.get("described") is True and colour.get("focused") is True
                 and origins.get("error", "").startswith("“shop.example” is not an origin such as https://shop.example")
                 and shop.origin not in origins.get("error", "") and origins.get("invalid") == "true" and origins.get("described") is True
                 and greeting.get("error") == "" and not channels_named() and re.fullmatch(r"[0-9a-f]{64}", generated) is not None,
                 f"legend {legend!r}, colour {colour}, origins {origins}, greeting error {greeting.get('error')!r}, generated {generated!r}")
    audit("admin: channels, the chat widget's fields with their errors")

    # Put right (the colour typed sets the picker; an origin pasted with its "/"), the server refuses the greeting.
    box("colour").clear()
    box("colour").send_keys(COLOUR)
    box("allowed_origins").clear()
    box("allowed_origins").send_keys(f"{shop.origin}/")
    b.click(f"{FORM} button[type=submit]")
    server_said = b.wait(lambda: (f := fields()) and f["settings.widget.greeting"]["error"] and f, WAIT) or fields()
    greeting = server_said.get("settings.widget.greeting") or {}
    checks.check("a greeting of 1001 characters goes to the server, whose 422 (settings.widget.greeting) shows beside the greeting "
                 "(focused, aria-invalid); the other fields' errors are gone, the colour picker shows the colour typed, the "
                 "generated secret is still in its field, nothing created",
                 greeting.get("error") == "Use at most 1000 characters." and greeting.get("invalid") == "true" and greeting.get("focused") is True
                 and greeting.get("described") is True
                 and all((server_said.get(f"settings.widget.{k}") or {}).get("error") == "" for k in ("colour", "allowed_origins", "identity_secret"))
                 and server_said.get("picker") == COLOUR and (server_said.get("settings.widget.identity_secret") or {}).get("value") == generated
                 and not channels_named(), str(server_said))
    # The browser logs the refused request (422): the point of this step.
    b.drain()
    b.console = [e for e in b.console if not (e["step"] == "chat-admin" and "/v1/channels" in e["message"] and "422" in e["message"])]

    box("greeting").clear()
    box("greeting").send_keys(GREETING)
    b.click(f"{FORM} button[type=submit]")
    tag_input = b.wait(lambda: next((i for i in b.css("main [data-result=chat-channel] input") if "/chat/widget.js" in (i.get_attribute("value") or "")), None), WAIT)
    tag = tag_input.get_attribute("value") if tag_input else ""
    once = [i.get_attribute("value") for i in b.css("main [data-result=chat-channel] [data-field=identity-secret] input")]
    copy_buttons = len(b.css("main [data-result=chat-channel] [data-field=identity-secret] button[data-action=copy]"))
    hint = b.text("main [data-result=chat-channel] [data-field=identity-secret]").replace("\n", " ")
    channel = wait_for(lambda: next(iter(channels_named()), None)) or {}
    stored = channel.get("settings") or {}
    expected_tag = f'<script src="{base}/chat/widget.js" data-channel="{channel.get("id")}" async></script>'
    expected = {"colour": COLOUR, "greeting": GREETING, "allowed_origins": [shop.origin], "identity_secret_set": True}
    emptied = (fields().get("settings.widget.identity_secret") or {}).get("value")
    checks.check("saved with the fieldset: settings.widget is the colour, greeting, the shop's origin (its '/' dropped) and the "
                 "generated identity secret (write-only: identity_secret_set); saving shows the tag with the channel's id and the "
                 "secret once, with a copy button and how the site computes user_hash (hex HMAC-SHA256 of the user's id)",
                 bool(channel) and channel.get("kind") == "chat" and tag == expected_tag and stored == {"widget": expected}
                 and once == [generated] and copy_buttons == 1 and "not be shown again" in hint and "data-user-hash" in hint
                 and "HMAC-SHA256" in hint and emptied == "",
                 f"tag {tag!r}, stored {stored}, shown once {once}, hint {hint[:200]!r}, secret field after {emptied!r}")
    audit("admin: channels with a new chat channel and its tag")
    if not channel or not tag:
        raise abort("no chat channel with its tag")

    # Edited without a secret: the form shows one is set, saving keeps it.
    b.click(f"main tr[data-id={channel['id']}] button[data-action=edit]")
    state = b.wait(lambda: (t := b.text("fieldset.chat-settings [data-field=identity-secret-state]")) and t, WAIT) or ""
    shown = fields()
    values = {k: (shown.get(f"settings.widget.{k}") or {}).get("value") for k in ("colour", "greeting", "allowed_origins", "identity_secret")}
    json_box = form.find_element(By.CSS_SELECTOR, "textarea[name=settings]").get_attribute("value")
    b.click(f"{FORM} button[type=submit]")
    saved = b.wait(lambda: "saved" in b.text("main [role=status]").lower() or None, WAIT)
    shown_again = b.css("main [data-result=chat-channel] [data-field=identity-secret]")
    kept = api.get(f"/v1/channels/{channel['id']}").get("settings") or {}
    checks.check("editing the chat channel fills the fieldset from settings.widget (the JSON box without it) and says an identity "
                 "secret is set; saved with the secret left empty, GET still says identity_secret_set and nothing else changed",
                 state == "An identity secret is set. Enter a new one only to replace it."
                 and values == {"colour": COLOUR, "greeting": GREETING, "allowed_origins": shop.origin, "identity_secret": ""}
                 and shown.get("picker") == COLOUR and json_box == "" and bool(saved) and not shown_again and kept == {"widget": expected},
                 f"state {state!r}, fields {values}, picker {shown.get('picker')}, JSON {json_box!r}, settings {kept}")
    channel_id = channel["id"]
    shop.tag = tag

    r = requests.get(base + "/chat/widget.js", timeout=30)
    checks.check("GET /chat/widget.js answers the widget's script without credentials, to pages of any origin",
                 r.status_code == 200 and "javascript" in r.headers.get("Content-Type", "") and r.headers.get("Access-Control-Allow-Origin") == "*"
                 and "data-channel" in r.text, f"{r.status_code} {r.headers.get('Content-Type')} ACAO {r.headers.get('Access-Control-Allow-Origin')}")

    user = "shop-user-7"
    good = hello(base, channel_id, shop.origin, {"type": "hello", "user_id": user, "user_hash": hmac.new(generated.encode(), user.encode(), hashlib.sha256).hexdigest()})
    bad = hello(base, channel_id, shop.origin, {"type": "hello", "user_id": user, "user_hash": hmac.new(b"another secret, not the one", user.encode(), hashlib.sha256).hexdigest()})
    checks.check("the identity secret kept is the one generated in the browser: a hello whose user_hash is the hex HMAC-SHA256 of "
                 "the user's id with it is welcomed (with the form's greeting and colour); one made with another secret is refused",
                 good.get("type") == "welcome" and good.get("greeting") == GREETING and good.get("colour") == COLOUR
                 and bad == {"type": "error", "message": "user_hash does not match user_id"}, f"right hash {good}, wrong hash {bad}")

    allowed, _ = handshake(base, channel_id, shop.origin)
    refused, refusal = handshake(base, channel_id, shop.other_origin)
    checks.check("the chat socket's handshake is 101 from the allowed origin and 403 (origin-not-allowed) from another one",
                 allowed == 101 and refused == 403 and "origin-not-allowed" in refusal, f"allowed {allowed}, other {refused} {refusal[:120]!r}")

    seeded = api.post("/v1/customers", {"name": CUSTOMER_NAME, "emails": [CUSTOMER_EMAIL]})

    # The agent's inbox is open before the visitor comes.
    b.step = "chat-inbox"
    b.go("/#/inbox")
    b.wait(lambda: b.css(".live-status[data-state=live]") or None, WAIT)
    b.d.execute_script("window.__sinceChat = 'no reload'")

    # 2-3. The shop, in a second window: the visitor opens the widget and writes.
    b.step = "chat-visitor"
    b.d.switch_to.new_window("window")
    visitor_window = b.d.current_window_handle
    b.d.get(f"{shop.origin}/shop.html")
    loaded = b.wait(lambda: (s := snap()) and s.get("launcher") and s, WAIT) or {}
    closed_first = loaded.get("panelHidden") is True and loaded.get("expanded") == "false"
    widget(".launcher").click()
    welcomed = b.wait(lambda: (s := snap()) and not s["panelHidden"] and s["status"] == "" and s["lines"] and s, WAIT) or snap()
    greeting = [ln["text"] for ln in welcomed.get("lines", []) if ln["cls"] == "greeting"]
    checks.check("on a page of another origin the widget shows its launcher ('Chat with us'); opened, it connects and shows "
                 "the greeting set in the console's form, in the colour set there",
                 closed_first and loaded.get("launcher") == "Chat with us" and welcomed.get("expanded") == "true"
                 and greeting == [GREETING] and welcomed.get("accent") == COLOUR_RGB,
                 f"launcher {loaded.get('launcher')!r}, status {welcomed.get('status')!r}, greeting {greeting}, colour {welcomed.get('accent')}")
    email_before = welcomed.get("emailHidden")
    b.d.execute_script(WATCH_LINES)
    focused = b.d.execute_script("return document.activeElement?.shadowRoot?.activeElement?.tagName ?? ''")
    box = widget("form.composer textarea")
    box.send_keys(VISITOR_MESSAGE)
    box.send_keys(Keys.ENTER)
    acknowledged = b.wait(lambda: next((ln for ln in lines("visitor") if ln["id"] and ln["text"] == VISITOR_MESSAGE), None), WAIT)
    seen = b.d.execute_script("return window.__chatLines") or []
    after = snap()
    checks.check("opening the widget focuses its message box; Enter sends the message with markup and Chinese: shown at once as "
                 "pending, then acknowledged (data-id), as text (no element, no alert)",
                 focused == "TEXTAREA" and bool(seen) and "pending" in seen[0]["cls"].split() and seen[0]["id"] is None
                 and acknowledged is not None and "pending" not in acknowledged["cls"] and after.get("markup") == 0
                 and not b.alert_present() and box.get_attribute("value") == "",
                 f"focus {focused!r}, first seen {seen[:1]}, then {acknowledged}")
    checks.check("the email form is offered after the visitor's first message, not before",
                 email_before is True and after.get("emailHidden") is False, f"before {email_before}, after {after.get('emailHidden')}")
    if acknowledged is None:
        raise abort("the visitor's message was not acknowledged")
    storage_key = f"rapport-chat:{urllib.parse.urlsplit(base).netloc}:{channel_id}"
    token = (b.d.execute_script("return JSON.parse(localStorage.getItem(arguments[0]) || '{}')", storage_key) or {}).get("visitor", "")
    visitor = wait_for(lambda: lookup(api, identity=f"device:chat-{token}")) if token else None
    conversation = wait_for(lambda: next((c for c in api.get("/v1/conversations", customer_id=visitor["id"], limit=50)["data"]
                                          if c["channel_id"] == channel_id), None)) if visitor else None
    if conversation is None:
        raise abort(f"no conversation for the visitor (token {bool(token)}, customer {bool(visitor)})")

    # 4. The console: the conversation appears live; the agent opens it.
    b.step = "chat-agent"
    b.d.switch_to.window(console)
    link = b.wait(lambda: next((a for a in b.css(f".conv-list a[data-id='{conversation['id']}']") if a.is_displayed()), None), WAIT)
    unreloaded = b.d.execute_script("return window.__sinceChat") == "no reload"
    checks.check("the visitor's conversation appears in the agent's open inbox without a reload, on the chat channel",
                 link is not None and unreloaded and name in link.text, (link.text.replace("\n", " | ") if link else "not listed") + f", reloaded {not unreloaded}")
    if link is None:
        b.go(f"/#/inbox/{conversation['id']}")
    else:
        link.click()
    body = b.wait(lambda: next((e.text for e in b.css(".messages .item-body") if e.text), None), WAIT) or ""
    images = b.d.execute_script("return [...document.querySelectorAll('img')].filter((i) => i.getAttribute('src') === 'x').length")
    checks.check("in the console the visitor's message with markup and Chinese shows as text: no img element, no alert",
                 body == VISITOR_MESSAGE and images == 0 and not b.alert_present(), f"{body!r}, {images} img")
    online = b.wait(lambda: b.css(".chat-presence [data-presence=online]") or None, WAIT)
    checks.check("the conversation shows the visitor online", bool(online) and b.text(".chat-presence [data-presence]") == "Visitor online",
                 b.text(".chat-presence"))

    # Typing, both ways. The widget tells it at most every 2 s, the console shows it 5 s: a
    # keystroke again while it does not show yet.
    def typed_until(window: str, target, key: str, other: str, shown) -> bool:
        for _ in range(6):
            b.d.switch_to.window(window)
            target().send_keys(key)
            b.d.switch_to.window(other)
            if b.wait(shown, 2.5):
                return True
        return False

    visitor_typing = typed_until(visitor_window, lambda: widget("form.composer textarea"), "a", console,
                                 lambda: b.text(".chat-presence .chat-typing") == "The visitor is typing…" or None)
    checks.check("the visitor typing in the widget shows 'The visitor is typing…' in the console", visitor_typing, b.text(".chat-presence"))
    reply_box = lambda: b.visible(".conversation textarea[name=body]")  # noqa: E731
    agent_typing = typed_until(console, reply_box, "您", visitor_window, lambda: snap().get("typing") == "An agent is typing…" or None)
    checks.check("the agent typing in the console's reply box shows 'An agent is typing…' in the widget", agent_typing, repr(snap().get("typing")))

    b.d.switch_to.window(console)
    area = reply_box()
    area.clear()
    area.send_keys(AGENT_REPLY)
    b.click(".conversation form button[type=submit]")
    b.d.switch_to.window(visitor_window)
    shown = b.wait(lambda: next((ln for ln in lines("agent") if ln["text"] == AGENT_REPLY), None), WAIT)
    now = snap()
    stored = api.get(f"/v1/conversations/{conversation['id']}").get("interactions", [])
    outbound = [i for i in stored if i["direction"] == "outbound" and i.get("body") == AGENT_REPLY]
    checks.check("the agent's reply reaches the widget without a reload, once, as text, and the typing line goes",
                 shown is not None and len([ln for ln in now["lines"] if ln["text"] == AGENT_REPLY]) == 1 and now["markup"] == 0
                 and now["typing"] == "" and len(outbound) == 1 and shown["id"] == outbound[0]["id"],
                 f"shown {shown}, typing {now.get('typing')!r}, stored {len(outbound)}")

    # 5. The visitor gives an email: a customer seeded with it gets the visitor's record.
    email_input = widget("form.email input[type=email]")
    email_input.send_keys(CUSTOMER_EMAIL)
    widget("form.email button[type=submit]").click()
    thanked = b.wait(lambda: (s := snap()) and s["emailHidden"] and CUSTOMER_EMAIL in s["status"] and s, WAIT)

    def joined():
        holder = lookup(api, email=CUSTOMER_EMAIL)
        return holder if holder and holder["id"] == seeded["id"] and f"device:chat-{token}" in holder.get("identities", []) else None
    holder = wait_for(joined) or lookup(api, email=CUSTOMER_EMAIL) or {}
    moved = api.get(f"/v1/conversations/{conversation['id']}")
    checks.check("the email given in the widget's form joins the visitor to the customer seeded with it "
                 "(lookup by email finds them with the visitor's device; the conversation is theirs)",
                 bool(thanked) and holder.get("id") == seeded["id"] and f"device:chat-{token}" in holder.get("identities", [])
                 and moved.get("customer_id") == seeded["id"],
                 f"thanked {bool(thanked)}, lookup {holder.get('id')} (seeded {seeded['id']}), identities {holder.get('identities')}, "
                 f"conversation's customer {moved.get('customer_id')}")
    checks.check("joined by the email, the customer keeps her name (not the visitor's made-up one)",
                 holder.get("name") == CUSTOMER_NAME, repr(holder.get("name")))

    # Files both ways, then the history shows them too.
    folder = tempfile.TemporaryDirectory(prefix="rapport-chat-files-")
    try:
        _files(b, base, api, checks, audit, channel_id=channel_id, conversation_id=conversation["id"], console=console,
               visitor_window=visitor_window, snap=snap, widget=widget, lines=lines, folder=folder.name)
    finally:
        folder.cleanup()

    # 6. A reload shows the history, in order, once each.
    b.step = "chat-reload"
    b.d.refresh()
    b.wait(lambda: (s := snap()) and s.get("launcher"), WAIT)
    widget(".launcher").click()
    history = b.wait(lambda: (s := snap()) and s["status"] == "" and len(s["lines"]) >= 5 and s, WAIT) or snap()
    order = [(ln["cls"], ln["text"]) for ln in history.get("lines", [])]
    ids = [ln["id"] for ln in history.get("lines", []) if ln["id"]]
    checks.check("after a reload the widget shows the history again: greeting, the visitor's message, the agent's reply, "
                 "the visitor's file, the agent's reply with a file, in order, once each; no email asked again",
                 order == [("greeting", GREETING), ("visitor", VISITOR_MESSAGE), ("agent", AGENT_REPLY), ("visitor", ""), ("agent", AGENT_FILE_REPLY)]
                 and len(set(ids)) == len(ids) == 4 and history.get("emailHidden") is True, str(order))
    links = [(ln["cls"], f["text"], f["href"]) for ln in history.get("lines", []) for f in ln["files"]]
    checks.check("after the reload each file's link shows again, once, on its line, to Rapport's /chat/{channel}/files/",
                 [(cls, text.split(" (")[0]) for cls, text, _ in links] == [("visitor", f"File: {VISITOR_FILE}"), ("agent", f"File: {AGENT_FILE}")]
                 and all(href.startswith(f"{base}/chat/{channel_id}/files/chf_") for _, _, href in links)
                 and len({href for _, _, href in links}) == 2 and history.get("markup") == 0, str(links))
    audit("shop page with the chat widget open (history with files)")

    # 7. The visitor leaves.
    b.step = "chat-leave"
    b.d.switch_to.window(console)
    back = b.wait(lambda: b.css(".chat-presence [data-presence=online]") or None, WAIT)
    b.d.switch_to.window(visitor_window)
    b.drain()
    b.d.close()
    b.d.switch_to.window(console)
    away = b.wait(lambda: b.css(".chat-presence [data-presence=offline]") or None, WAIT)
    checks.check("closing the visitor's window turns the console's presence to 'Visitor away'",
                 bool(back) and bool(away) and b.text(".chat-presence [data-presence]") == "Visitor away", b.text(".chat-presence"))

    # 8. In Chinese (the same visitor: the same site's storage).
    b.step = "chat-zh"
    b.d.switch_to.new_window("window")
    b.d.get(f"{shop.origin}/shop-zh.html")
    zh = b.wait(lambda: (s := snap()) and s.get("launcher") and s, WAIT) or {}
    widget(".launcher").click()
    opened = b.wait(lambda: (s := snap()) and s["status"] == "" and len(s["lines"]) >= 5 and s, WAIT) or snap()
    zh_files = [f["text"] for ln in opened.get("lines", []) for f in ln["files"]]
    checks.check("with data-lang=\"zh\" the widget speaks Chinese: launcher '在线咨询', its title and message box, its file links ('文件: …')",
                 zh.get("launcher") == "在线咨询" and opened.get("title") == "在线咨询" and opened.get("placeholder") == "输入消息…"
                 and [ln["text"] for ln in opened.get("lines", [])][1:] == [VISITOR_MESSAGE, AGENT_REPLY, "", AGENT_FILE_REPLY]
                 and [f.split(" (")[0] for f in zh_files] == [f"文件: {VISITOR_FILE}", f"文件: {AGENT_FILE}"],
                 f"launcher {zh.get('launcher')!r}, title {opened.get('title')!r}, placeholder {opened.get('placeholder')!r}, files {zh_files}")
    audit("shop page in Chinese with the chat widget open")
    b.drain()

    # 9. A page on an origin the channel does not allow: the socket is refused, the widget never welcomed.
    b.step = "chat-refused-origin"
    b.d.get(f"{shop.other_origin}/shop.html")
    b.wait(lambda: (s := snap()) and s.get("launcher"), WAIT)
    widget(".launcher").click()
    retrying = b.wait(lambda: (s := snap()) and s["status"] == "Reconnecting…" and s, WAIT) or snap()
    checks.check("on a page of an origin the channel does not allow the widget is not let in: no greeting, it says 'Reconnecting…'",
                 retrying.get("status") == "Reconnecting…" and not retrying.get("lines"), f"status {retrying.get('status')!r}, lines {retrying.get('lines')}")
    b.d.get("about:blank")
    b.drain()
    # The browser logs each refused handshake (403) as an error: the point of this step.
    refusals = f"/chat/{channel_id}/socket"
    logged = [e for e in b.console if e["step"] == "chat-refused-origin"]
    checks.check("the browser logged the refused handshake (403), and nothing else, on that page",
                 bool(logged) and all(refusals in e["message"] and "403" in e["message"] for e in logged if e["level"] == "SEVERE"),
                 str([e["message"][:160] for e in logged][:3]))
    b.console = [e for e in b.console if not (e["step"] == "chat-refused-origin" and refusals in e["message"] and "403" in e["message"])]
    b.d.close()
    b.d.switch_to.window(console)
    b.step = "chat-done"


# The reply form's file field, its error and the form around it, in one round trip.
FILE_FIELD = """
const input = document.querySelector('.conversation input[name=attachments]');
if (!input) return null;
const error = input.closest('.field')?.querySelector('.field-error');
const form = input.closest('form');
const notice = form?.querySelector('.form-message');
return {
  files: input.files.length, multiple: input.multiple,
  error: error && !error.hidden ? error.textContent : '',
  described: !!error && (input.getAttribute('aria-describedby') ?? '').split(' ').includes(error.id),
  invalid: input.getAttribute('aria-invalid'), focused: document.activeElement === input,
  body: form?.querySelector('textarea[name=body]')?.value ?? null,
  notice: notice && !notice.hidden ? notice.textContent : '',
};
"""


def disposition_name(value: str) -> str:
    """The file name a Content-Disposition gives in its filename* (UTF-8)."""
    for part in value.split(";"):
        key, _, text = part.strip().partition("=")
        if key.lower() == "filename*" and text.lower().startswith("utf-8''"):
            return urllib.parse.unquote(text[7:])
    return ""


def _files(b, base, api, checks, audit, *, channel_id, conversation_id, console, visitor_window, snap, widget, lines, folder) -> None:
    """The visitor sends a file from the widget, the agent one from the console: each side sees the
    other's as a download link that gives exactly the bytes sent. Six files at once are refused
    beside the field; a file over 5 MB is refused in the widget."""
    def put(name: str, content: bytes) -> str:
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content)
        return path

    def stored() -> list[dict]:
        return api.get(f"/v1/conversations/{conversation_id}").get("interactions", [])

    def attachments(interaction: dict | None) -> list[dict]:
        return ((interaction or {}).get("metadata") or {}).get("attachments") or []

    def console_link(name: str):
        return next((a for a in b.css(".conversation .messages ul.mail-attachments a[href^='/v1/interactions/']")
                     if (a.get_attribute("textContent") or "").startswith(f"{name} (")), None)

    def fetched(response) -> str:
        if response is None:
            return "not fetched"
        status = response.status_code if hasattr(response, "status_code") else response.get("status")
        headers = response.headers if hasattr(response, "headers") else {"Content-Disposition": response.get("disposition")}
        body = response.content if hasattr(response, "content") else bytes(response.get("bytes") or [])
        return f"{status}, {headers.get('Content-Disposition')!r}, {len(body)} bytes{'' if body in (VISITOR_BYTES, AGENT_BYTES) else ' (not the bytes sent)'}"

    # 1. The visitor sends a file with the widget's "+": its file input (hidden; ChromeDriver sets
    # a file input's files without it being shown, as a person's choice in the file dialog would).
    b.step = "chat-files-visitor"
    b.d.switch_to.window(visitor_window)
    b.d.execute_script("window.__chatLines = []")
    attach = widget("form.composer button.attach")
    attach_label = attach.get_attribute("aria-label") if attach else None
    picker = widget("form.composer input[type=file]")
    picker.send_keys(put(VISITOR_FILE, VISITOR_BYTES))
    sent = b.wait(lambda: next((ln for ln in lines("visitor") if ln["id"] and ln["files"]), None), WAIT)
    seen = b.d.execute_script("return window.__chatLines") or []
    link = (sent or {}).get("files", [{}])[0] if sent else {}
    now = snap()
    checks.check("the visitor sends a file with the widget's '+' (aria-label 'Send a file'), its name with markup and Chinese: "
                 "shown at once as pending ('File: name'), then acknowledged with a link 'File: name (size)' to Rapport's "
                 "/chat/{channel}/files/chf_…, a download in a new tab without referrer; the name is text",
                 attach_label == "Send a file" and bool(seen) and "pending" in seen[0]["cls"].split() and seen[0]["id"] is None
                 and seen[0]["text"] == f"File: {VISITOR_FILE}" and sent is not None and "pending" not in sent["cls"].split()
                 and sent["text"] == ""  # a file sent alone: its link names it, no text repeats the name
                 and len(sent["files"]) == 1 and link.get("text") == f"File: {VISITOR_FILE} ({len(VISITOR_BYTES)} B)"
                 and link.get("href", "").startswith(f"{base}/chat/{channel_id}/files/chf_") and link.get("download") == VISITOR_FILE
                 and link.get("target") == "_blank" and set(link.get("rel", "").split()) == {"noopener", "noreferrer"}
                 and now.get("markup") == 0 and not b.alert_present(),
                 f"label {attach_label!r}, first seen {seen[:1]}, then {sent}")
    if sent is None:
        return
    r = requests.get(link["href"], timeout=30)
    file_id = link["href"].rsplit("/", 1)[-1]
    other_chat = next((c["id"] for c in api.get("/v1/channels")["data"] if c["kind"] == "chat" and c["id"] != channel_id), None)
    elsewhere = requests.get(f"{base}/chat/{other_chat}/files/{file_id}", timeout=30).status_code if other_chat else None
    unknown = requests.get(f"{base}/chat/{channel_id}/files/chf_{'0' * 24}", timeout=30).status_code
    checks.check("the widget's link, fetched without credentials, gives exactly the bytes sent as an attachment named as sent "
                 "(Content-Disposition); the same id under another chat channel, or an unknown id, is 404",
                 r.status_code == 200 and r.content == VISITOR_BYTES and r.headers.get("Content-Disposition", "").startswith("attachment")
                 and disposition_name(r.headers.get("Content-Disposition", "")) == VISITOR_FILE and elsewhere == 404 and unknown == 404,
                 f"{fetched(r)}, other channel {elsewhere}, unknown {unknown}")

    # Over 5 MB: the widget says so and sends nothing.
    before = snap().get("lines", [])
    widget("form.composer input[type=file]").send_keys(put("too large.bin", b"\0" * (5 * 1024 * 1024 + 1)))
    told = b.wait(lambda: (s := snap()).get("status") == "That file is too large: at most 5 MB." and s, WAIT) or snap()
    checks.check("a file over 5 MB chosen in the widget: the status line says it is too large, nothing is sent",
                 bool(told) and told.get("status") == "That file is too large: at most 5 MB." and told.get("lines") == before,
                 f"status {told.get('status')!r}, lines {len(before)} -> {len(told.get('lines', []))}")

    # 2. The console shows the visitor's file as a link; with the agent's session it gives the bytes.
    b.step = "chat-files-console"
    b.d.switch_to.window(console)
    anchor = b.wait(lambda: console_link(VISITOR_FILE), WAIT)
    inbound = next((i for i in stored() if i["id"] == sent["id"]), None)
    listed = attachments(inbound)
    expected_href = f"/v1/interactions/{sent['id']}/files/{file_id}"
    got = b.d.execute_async_script(FETCH, anchor.get_attribute("href")) if anchor else None
    markup = b.d.execute_script("return document.querySelectorAll('.conversation .messages b, .conversation .messages i, .conversation img').length")
    checks.check("the visitor's file is the message's metadata.attachments {id, filename, content_type, size}; the console shows it "
                 "live as a link 'name (size)', as text, to /v1/interactions/{id}/files/{file id}, which with the agent's session "
                 "gives exactly the bytes as an attachment",
                 inbound is not None and inbound.get("direction") == "inbound" and len(listed) == 1 and listed[0].get("id") == file_id
                 and listed[0].get("filename") == VISITOR_FILE and listed[0].get("size") == len(VISITOR_BYTES)
                 and listed[0].get("content_type") == "text/plain"
                 and anchor is not None and anchor.get_attribute("textContent") == f"{VISITOR_FILE} ({len(VISITOR_BYTES)} B)"
                 and anchor.get_attribute("download") == VISITOR_FILE and anchor.get_attribute("href") == base + expected_href
                 and markup == 0 and got is not None and got.get("status") == 200 and bytes(got.get("bytes") or []) == VISITOR_BYTES
                 and got.get("disposition", "").startswith("attachment"),
                 f"metadata {listed}, link {anchor.get_attribute('textContent') if anchor else None!r} {anchor.get_attribute('href') if anchor else ''}, "
                 f"{markup} elements, fetched {fetched(got)}")
    unauthenticated = requests.get(base + expected_href, timeout=30).status_code
    checks.check("the console's link for agents needs credentials: without them it is 401", unauthenticated == 401, str(unauthenticated))

    # 3. The agent answers with a file, from the reply form.
    field = b.visible(".conversation input[name=attachments]")
    area = b.visible(".conversation textarea[name=body]")
    if field is None or area is None:
        checks.check("the chat conversation's reply form has a file field (input[name=attachments], multiple)", False, "no file field")
        return
    area.clear()
    area.send_keys(AGENT_FILE_REPLY)
    field.send_keys(put(AGENT_FILE, AGENT_BYTES))
    b.click(".conversation form button[type=submit]")
    agent_anchor = b.wait(lambda: console_link(AGENT_FILE), WAIT)
    form_after = b.d.execute_script(FILE_FIELD) or {}
    outbound = [i for i in stored() if i["direction"] == "outbound" and i.get("body") == AGENT_FILE_REPLY]
    out_files = attachments(outbound[0] if outbound else None)
    got = b.d.execute_async_script(FETCH, agent_anchor.get_attribute("href")) if agent_anchor else None
    checks.check("the agent picks a file in the chat's reply form and sends: stored once as an outbound message with the file, "
                 "shown in the console as a link that gives the bytes; the form is emptied and says it was sent",
                 form_after.get("multiple") is True and len(outbound) == 1 and len(out_files) == 1 and out_files[0].get("filename") == AGENT_FILE
                 and out_files[0].get("size") == len(AGENT_BYTES) and agent_anchor is not None
                 and agent_anchor.get_attribute("textContent") == f"{AGENT_FILE} ({len(AGENT_BYTES)} B)" and got is not None and got.get("status") == 200
                 and bytes(got.get("bytes") or []) == AGENT_BYTES and form_after.get("files") == 0 and form_after.get("body") == ""
                 and form_after.get("notice") == "Reply saved.",
                 f"stored {len(outbound)} with {out_files}, link {agent_anchor.get_attribute('textContent') if agent_anchor else None!r}, fetched {fetched(got)}, form {form_after}")

    b.d.switch_to.window(visitor_window)
    reply = b.wait(lambda: next((ln for ln in lines("agent") if ln["text"] == AGENT_FILE_REPLY and ln["files"]), None), WAIT)
    reply_link = (reply or {}).get("files", [{}])[0] if reply else {}
    r = requests.get(reply_link["href"], timeout=30) if reply_link.get("href", "").startswith(f"{base}/chat/{channel_id}/files/chf_") else None
    now = snap()
    checks.check("the widget shows the agent's reply as it commits, with the file's link 'File: name (size)' to Rapport (a download, "
                 "new tab, no referrer); fetched without credentials it gives exactly the bytes, as an attachment; names and text as text",
                 reply is not None and bool(outbound) and reply["id"] == outbound[0]["id"] and len(reply["files"]) == 1
                 and reply_link.get("text") == f"File: {AGENT_FILE} ({len(AGENT_BYTES)} B)" and reply_link.get("download") == AGENT_FILE
                 and reply_link.get("target") == "_blank" and set(reply_link.get("rel", "").split()) == {"noopener", "noreferrer"}
                 and r is not None and r.status_code == 200 and r.content == AGENT_BYTES
                 and r.headers.get("Content-Disposition", "").startswith("attachment")
                 and disposition_name(r.headers.get("Content-Disposition", "")) == AGENT_FILE and now.get("markup") == 0,
                 f"line {reply}, fetched {fetched(r)}")

    # 4. Six files at once: refused beside the field, nothing sent.
    b.step = "chat-files-six"
    b.d.switch_to.window(console)
    count = len(stored())
    area = b.visible(".conversation textarea[name=body]")
    area.clear()
    area.send_keys("Six files 六个文件")
    b.visible(".conversation input[name=attachments]").send_keys("\n".join(put(f"six/{n} 文件.txt", f"file {n}\n".encode()) for n in range(1, 7)))
    shown = b.wait(lambda: (f := b.d.execute_script(FILE_FIELD)) and f["error"] and f, WAIT) or b.d.execute_script(FILE_FIELD) or {}
    b.click(".conversation form button[type=submit]")
    refused = b.wait(lambda: (f := b.d.execute_script(FILE_FIELD)) and f["focused"] and f, WAIT) or b.d.execute_script(FILE_FIELD) or {}
    after = len(stored())
    checks.check("six files chosen at once: 'Choose at most 5 files.' beside the field (aria-invalid, described by it); Send "
                 "keeps the reply, focuses the field and sends nothing",
                 shown.get("files") == 6 and shown.get("error") == "Choose at most 5 files." and shown.get("described") is True
                 and shown.get("invalid") == "true" and refused.get("focused") is True and refused.get("body") == "Six files 六个文件"
                 and refused.get("notice") == "" and after == count,
                 f"chosen {shown}, after Send {refused}, interactions {count} -> {after}")
    audit("inbox: a chat conversation with files, the reply form's file field with its error")
    # Cleared, for what follows.
    b.d.execute_script("const i = document.querySelector('.conversation input[name=attachments]'); i.value = '';"
                       "i.dispatchEvent(new Event('change'));")
    area.clear()
    b.d.switch_to.window(visitor_window)


def lookup(api, **query) -> dict | None:
    r = api.s.get(api.base + "/v1/customers/lookup", params=query, timeout=30)
    return r.json() if r.status_code == 200 else None
