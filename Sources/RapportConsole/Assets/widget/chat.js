// Rapport's web chat widget. A site embeds it with one tag:
//
//   <script src="https://rapport.example/chat/widget.js" data-channel="chn_…" async></script>
//
// Optional attributes: data-user-id and data-user-hash (a signed-in user the site vouches for:
// hex HMAC-SHA256 of the id with the channel's identity secret), data-email, data-name,
// data-lang ("en" or "zh"). window.RapportChat.open(), .close() and .identify({ email, name }).
//
// It talks to Rapport over the channel's WebSocket (/chat/{channel}/socket): hello, then the
// visitor's messages (each with a client id, kept until the server acknowledges it, so a message
// sent while the connection drops is sent again after the reconnect and stored once), typing, and
// the agents' replies as they commit; files both ways (the visitor's sent on the socket, each shown
// as a download from Rapport). The visitor's token (and unacknowledged messages) are kept
// in localStorage, so a reload shows the history. Everything it shows is text, never markup.
// It lives in a shadow root: the site's styles do not reach it, nor its styles the site.
(() => {
  'use strict';
  const script = document.currentScript ?? document.querySelector('script[src*="/chat/widget.js"][data-channel]');
  if (!script || window.RapportChat) return;
  const channel = script.dataset.channel;
  if (!channel) { console.warn('Rapport chat: the script tag needs data-channel'); return; }
  const server = new URL(script.src, location.href);
  const socketURL = `${server.protocol === 'https:' ? 'wss:' : 'ws:'}//${server.host}/chat/${encodeURIComponent(channel)}/socket`;
  const storageKey = `rapport-chat:${server.host}:${channel}`;

  const TEXTS = {
    en: {
      open: 'Chat with us', close: 'Close the chat', title: 'Chat', placeholder: 'Write a message…', send: 'Send',
      typing: 'An agent is typing…', connecting: 'Connecting…', offline: 'Reconnecting…', you: 'You', agent: 'Agent',
      sending: 'Sending…', emailAsk: 'Get the answer by email too:', emailLabel: 'Your email', emailSave: 'Save',
      emailSaved: 'Thanks — we will write to', emailInvalid: 'Please enter an email address.', failed: 'Could not send:',
      attach: 'Send a file', tooLarge: 'That file is too large: at most 5 MB.', file: 'File',
    },
    zh: {
      open: '在线咨询', close: '关闭对话', title: '在线咨询', placeholder: '输入消息…', send: '发送',
      typing: '客服正在输入…', connecting: '正在连接…', offline: '正在重新连接…', you: '我', agent: '客服',
      sending: '发送中…', emailAsk: '留下邮箱，回复也会发到邮箱：', emailLabel: '您的邮箱', emailSave: '保存',
      emailSaved: '谢谢，我们会写信到', emailInvalid: '请输入邮箱地址。', failed: '无法发送：',
      attach: '发送文件', tooLarge: '文件太大：最多 5 MB。', file: '文件',
    },
  };
  const lang = (script.dataset.lang ?? navigator.language ?? 'en').toLowerCase().startsWith('zh') ? 'zh' : 'en';
  const text = TEXTS[lang];

  // --- What survives a reload: the visitor's token, the email given, unacknowledged messages ---
  const saved = load();
  function load() {
    try { return JSON.parse(localStorage.getItem(storageKey) ?? '{}') ?? {}; } catch { return {}; }
  }
  function save() {
    try { localStorage.setItem(storageKey, JSON.stringify(saved)); } catch { /* private mode: this page only */ }
  }
  saved.pending ??= [];

  // --- The view ---
  const host = document.createElement('div');
  host.setAttribute('data-rapport-chat', '');
  const root = host.attachShadow({ mode: 'open' });
  const css = `
    :host { all: initial; --accent: #0b5fff; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif; }
    * { box-sizing: border-box; }
    .launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; border: 0; border-radius: 24px; padding: 12px 18px;
      background: var(--accent); color: #fff; font: inherit; font-weight: 600; cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.25); }
    .launcher:focus-visible, button:focus-visible, textarea:focus-visible, input:focus-visible, .log:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
    .panel { position: fixed; right: 20px; bottom: 76px; z-index: 2147483000; width: min(360px, calc(100vw - 40px)); height: min(520px, calc(100vh - 100px));
      display: flex; flex-direction: column; background: #fff; color: #1b1b1b; border-radius: 12px; overflow: hidden; box-shadow: 0 8px 30px rgba(0,0,0,.3); }
    .panel[hidden] { display: none; }
    header { display: flex; align-items: center; justify-content: space-between; padding: 10px 14px; background: var(--accent); color: #fff; }
    header h2 { margin: 0; font-size: 15px; }
    header button { border: 0; background: transparent; color: inherit; font-size: 20px; cursor: pointer; line-height: 1; }
    .status { padding: 4px 14px; font-size: 12px; color: #5a5a5a; background: #f3f3f3; }
    .status:empty { display: none; }
    .log { flex: 1; overflow-y: auto; }
    ol { list-style: none; margin: 0; padding: 12px; display: flex; flex-direction: column; gap: 8px; }
    li { max-width: 85%; padding: 8px 10px; border-radius: 10px; white-space: pre-wrap; overflow-wrap: anywhere; }
    li.agent, li.greeting { align-self: flex-start; background: #eef1f6; }
    li.visitor { align-self: flex-end; background: var(--accent); color: #fff; }
    li.pending { box-shadow: inset 0 0 0 2px rgba(255,255,255,.55); } /* waiting for the server: marked, not faded (contrast stays) */
    li small { display: block; font-size: 11px; opacity: .75; margin-top: 2px; }
    /* Faded, white on the accent would fall short of 4.5:1 (with the default #0b5fff too). */
    li.visitor small { opacity: 1; }
    .typing { padding: 0 14px 6px; font-size: 12px; color: #5a5a5a; min-height: 18px; }
    form { display: flex; gap: 6px; padding: 8px; border-top: 1px solid #e3e3e3; }
    textarea, input { flex: 1; font: inherit; padding: 8px; border: 1px solid #8a8a8a; border-radius: 8px; resize: none; color: #1b1b1b; background: #fff; }
    form button { border: 0; border-radius: 8px; padding: 0 14px; background: var(--accent); color: #fff; font: inherit; cursor: pointer; }
    form button.attach { padding: 0 10px; font-size: 18px; background: #eef1f6; color: #1b1b1b; }
    li a { color: inherit; text-decoration: underline; display: block; margin-top: 4px; }
    .email { flex-direction: column; gap: 4px; background: #fafafa; }
    .email[hidden] { display: none; }
    .email p { margin: 0; font-size: 12px; }
    .email div { display: flex; gap: 6px; }
    .error { color: #b00020; font-size: 12px; }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  `;
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } else {
    root.append(el('style', {}, css));
  }

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes ?? {})) {
      if (value === false || value === null || value === undefined) continue;
      node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  const launcher = el('button', { type: 'button', class: 'launcher', 'aria-expanded': 'false', 'aria-controls': 'rapport-chat-panel' }, text.open);
  const closeButton = el('button', { type: 'button', 'aria-label': text.close }, '×');
  const status = el('div', { class: 'status', role: 'status' });
  // The lines are a list (its items need it as their parent), inside the log that announces them
  // and scrolls (focusable, so keyboards can scroll it too).
  const list = el('ol', {});
  const log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': text.title, tabindex: '0' }, list);
  const typing = el('div', { class: 'typing', 'aria-live': 'polite' });
  const input = el('textarea', { rows: '2', placeholder: text.placeholder, 'aria-label': text.placeholder, maxlength: '10000' });
  const picker = el('input', { type: 'file', hidden: true, tabindex: '-1', 'aria-hidden': 'true' });
  const attach = el('button', { type: 'button', class: 'attach', 'aria-label': text.attach, title: text.attach }, '+');
  const composer = el('form', { class: 'composer' }, attach, picker, input, el('button', { type: 'submit' }, text.send));
  const emailInput = el('input', { type: 'email', autocomplete: 'email', 'aria-label': text.emailLabel, placeholder: text.emailLabel });
  const emailError = el('p', { class: 'error', role: 'alert' });
  const emailForm = el('form', { class: 'email', hidden: true, novalidate: true },
    el('p', {}, text.emailAsk), el('div', {}, emailInput, el('button', { type: 'submit' }, text.emailSave)), emailError);
  const panel = el('section', { class: 'panel', id: 'rapport-chat-panel', hidden: true, 'aria-label': text.title },
    el('header', {}, el('h2', {}, text.title), closeButton), status, log, typing, emailForm, composer);
  root.append(launcher, panel);
  (document.body ?? document.documentElement).append(host);

  // --- The lines shown, by message id (a visitor's pending line by its client id) ---
  const shown = new Map();
  let greetingShown = false;
  let lastID = null;

  function line({ id, from, text: body, at, client_id: clientID, attachments }) {
    if (id && shown.has(id)) return;
    const existing = clientID ? shown.get(`client:${clientID}`) : null;
    const item = existing ?? el('li', {});
    item.className = from === 'visitor' ? 'visitor' : 'agent';
    // Each file a download from Rapport (a link away from the site's page, without a referrer).
    const files = (Array.isArray(attachments) ? attachments : []).filter((file) => file && typeof file.url === 'string')
      .map((file) => el('a', { href: new URL(file.url, server).href, target: '_blank', rel: 'noopener noreferrer', download: file.filename ?? '' },
        `${text.file}: ${file.filename ?? ''} (${size(file.size)})`));
    // A file sent alone has its name for text: the link says it already.
    const alone = files.length === 1 && attachments[0]?.filename === body;
    item.replaceChildren(alone ? '' : document.createTextNode(body), ...files,
      el('small', {}, `${from === 'visitor' ? text.you : text.agent}${at ? ` · ${new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}` : ''}`));
    if (id) {
      item.dataset.id = id;
      shown.set(id, item);
      if (!lastID || id > lastID) lastID = id;
    }
    if (clientID) shown.delete(`client:${clientID}`);
    if (!existing) list.append(item);
    log.scrollTop = log.scrollHeight;
  }

  function pendingLine(message) {
    const item = el('li', { class: 'visitor pending' }, document.createTextNode(message.text), el('small', {}, text.sending));
    shown.set(`client:${message.client_id}`, item);
    list.append(item);
    log.scrollTop = log.scrollHeight;
  }

  function size(bytes) {
    const n = Number(bytes) || 0;
    return n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} B`;
  }

  function greet(greeting) {
    if (greetingShown || !greeting) return;
    greetingShown = true;
    list.prepend(el('li', { class: 'greeting' }, greeting));
  }

  // --- The connection ---
  let socket = null;
  let welcomed = false;
  let retries = 0;
  let retryTimer = null;
  let typingTimer = null;
  let lastTypingSent = 0;

  function connect() {
    if (socket || retryTimer) return;
    welcomed = false;
    status.textContent = retries ? text.offline : text.connecting;
    const opened = new WebSocket(socketURL);
    socket = opened;
    opened.addEventListener('open', () => {
      const hello = { type: 'hello' };
      if (saved.visitor) hello.visitor = saved.visitor;
      if (lastID) hello.after = lastID;
      const { userId, userHash, email, name } = script.dataset;
      if (userId && userHash) { hello.user_id = userId; hello.user_hash = userHash; }
      const knownEmail = email || saved.email;
      if (knownEmail) hello.email = knownEmail;
      if (name) hello.name = name;
      opened.send(JSON.stringify(hello));
    });
    opened.addEventListener('message', (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      receive(frame);
    });
    opened.addEventListener('close', () => {
      if (socket !== opened) return;
      socket = null;
      welcomed = false;
      retries += 1;
      status.textContent = text.offline;
      // 0.5 s, 1 s, 2 s… up to 15 s, with jitter so a restarted server is not met by every page at once.
      const delay = Math.min(15000, 500 * 2 ** Math.min(retries - 1, 5)) * (0.75 + Math.random() / 2);
      retryTimer = setTimeout(() => { retryTimer = null; connect(); }, delay);
    });
  }

  function receive(frame) {
    switch (frame.type) {
      case 'welcome': {
        welcomed = true;
        retries = 0;
        status.textContent = '';
        if (frame.visitor && frame.visitor !== saved.visitor) { saved.visitor = frame.visitor; save(); }
        if (frame.colour) host.style.setProperty('--accent', frame.colour);
        greet(frame.greeting);
        for (const item of frame.history ?? []) {
          line(item);
          settle(item.client_id);
        }
        // Still waiting: after what the server has, at the end.
        for (const message of saved.pending) {
          const item = shown.get(`client:${message.client_id}`);
          if (item) list.append(item);
        }
        // What the server has not acknowledged goes again, with the same client ids: stored once.
        for (const message of saved.pending) socket.send(JSON.stringify(frameOf(message)));
        for (const upload of uploads.values()) socket.send(JSON.stringify(upload));
        offerEmail();
        break;
      }
      case 'message':
        line(frame);
        settle(frame.client_id);
        if (frame.from === 'agent') showTyping(false);
        break;
      case 'typing':
        showTyping(true);
        break;
      case 'error':
        console.warn('Rapport chat:', frame.message);
        if (/reconnect/.test(frame.message ?? '')) socket?.close();
        break;
      default:
        break;
    }
  }

  function frameOf(message) {
    return { type: 'message', client_id: message.client_id, text: message.text };
  }

  function settle(clientID) {
    if (!clientID) return;
    uploads.delete(clientID);
    const before = saved.pending.length;
    saved.pending = saved.pending.filter((message) => message.client_id !== clientID);
    if (saved.pending.length !== before) save();
  }

  function showTyping(on) {
    clearTimeout(typingTimer);
    typing.textContent = on ? text.typing : '';
    if (on) typingTimer = setTimeout(() => { typing.textContent = ''; }, 5000);
  }

  function send(body) {
    const message = { client_id: newClientID(), text: body };
    saved.pending.push(message);
    save();
    pendingLine(message);
    if (socket?.readyState === WebSocket.OPEN && welcomed) socket.send(JSON.stringify(frameOf(message)));
    else connect();
    offerEmail();
  }

  // Files waiting for their acknowledgement, by client id: kept in memory only (too large for
  // localStorage), sent again after a reconnect like messages.
  const uploads = new Map();
  const MAX_FILE = 5 * 1024 * 1024;

  function sendFile(file) {
    if (file.size > MAX_FILE) { status.textContent = text.tooLarge; return; }
    if (!file.size) return;
    const reader = new FileReader();
    reader.addEventListener('load', () => {
      const data = String(reader.result ?? '');
      const frame = {
        type: 'attachment', client_id: newClientID(),
        file: { filename: file.name || 'file', content_type: file.type || 'application/octet-stream', content_base64: data.slice(data.indexOf(',') + 1) },
      };
      uploads.set(frame.client_id, frame);
      pendingLine({ client_id: frame.client_id, text: `${text.file}: ${frame.file.filename}` });
      if (socket?.readyState === WebSocket.OPEN && welcomed) socket.send(JSON.stringify(frame));
      else connect();
      offerEmail();
    });
    reader.readAsDataURL(file);
  }

  function newClientID() {
    if (crypto.randomUUID) return crypto.randomUUID();
    return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  // After the visitor's first message, unless the site or the visitor already said who they are.
  function offerEmail() {
    const visitorSpoke = [...shown.values()].some((item) => item.classList.contains('visitor'));
    emailForm.hidden = !(visitorSpoke && !saved.email && !script.dataset.email && !script.dataset.userId);
  }

  function identify(email, name) {
    saved.email = email;
    save();
    if (socket?.readyState === WebSocket.OPEN && welcomed) socket.send(JSON.stringify({ type: 'identify', email, ...(name ? { name } : {}) }));
    emailForm.hidden = true;
    status.textContent = `${text.emailSaved} ${email}`;
  }

  // --- What the visitor does ---
  function open() {
    panel.hidden = false;
    launcher.setAttribute('aria-expanded', 'true');
    connect();
    input.focus();
  }
  function close() {
    panel.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  }
  launcher.addEventListener('click', () => (panel.hidden ? open() : close()));
  closeButton.addEventListener('click', close);
  attach.addEventListener('click', () => picker.click());
  picker.addEventListener('change', () => {
    for (const file of picker.files ?? []) sendFile(file);
    picker.value = '';
  });
  panel.addEventListener('keydown', (event) => { if (event.key === 'Escape') close(); });
  composer.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = input.value.trim();
    if (!body) return;
    input.value = '';
    send(body);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) { event.preventDefault(); composer.requestSubmit(); }
  });
  input.addEventListener('input', () => {
    const now = Date.now();
    if (now - lastTypingSent < 2000 || !welcomed || socket?.readyState !== WebSocket.OPEN) return;
    lastTypingSent = now;
    socket.send(JSON.stringify({ type: 'typing' }));
  });
  emailForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const email = emailInput.value.trim();
    // The server checks the address for good; this only catches what is plainly not one.
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) { emailError.textContent = text.emailInvalid; return; }
    emailError.textContent = '';
    identify(email);
  });

  window.RapportChat = Object.freeze({
    open,
    close,
    identify: ({ email, name } = {}) => { if (email) identify(String(email), name ? String(name) : undefined); },
  });

  // Messages written before a reload that the server never acknowledged are shown, and go again.
  for (const message of saved.pending) pendingLine(message);
  // A returning visitor (or one with a message still to send) is connected at once, to see replies.
  if (saved.visitor || saved.pending.length) connect();
  if (script.dataset.open !== undefined) open();
})();
