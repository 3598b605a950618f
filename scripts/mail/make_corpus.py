#!/usr/bin/env python3
"""Writes the raw email test corpus for the MIME parser (Sources/RapportCore/Mail/).

Each case is a raw message built by hand as bytes (exactly as it would arrive over SMTP),
written to Tests/RapportCoreTests/Fixtures/mail/NN-name.eml, and described in
expectations.json next to it (one object per file, same order).

Standard library only; deterministic (no clock, no randomness), so running it again gives
the same bytes. Usage: python3 scripts/mail/make_corpus.py
"""

import base64
import codecs
import json
import os
import quopri
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "RapportCoreTests", "Fixtures", "mail")

CASES = []  # (file name, raw bytes, expectation)

KEYS = ["file", "about", "subject", "from", "to", "message_id", "in_reply_to", "references",
        "text_contains", "text_excludes", "quoted_contains", "signature_contains",
        "attachments", "auto_reply", "bounce", "malformed"]


# ---------------------------------------------------------------------------
# helpers

def crlf(data):
    """Every line ending as CRLF (bare LF and CRLF in, CRLF out)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def b64(data, width=76):
    """Base64 of bytes, wrapped at `width` characters per line (0: one line), LF endings."""
    text = base64.b64encode(data).decode("ascii")
    if not width:
        return text
    return "\n".join(text[i:i + width] for i in range(0, len(text), width))


def qp(data):
    """Quoted-printable of bytes (soft breaks at 76), LF endings."""
    return quopri.encodestring(data).decode("ascii")


def ew_b(text, charset="UTF-8", codec=None):
    """One RFC 2047 B encoded word."""
    raw = text.encode(codec or charset)
    return "=?%s?B?%s?=" % (charset, base64.b64encode(raw).decode("ascii"))


def ew_q(text, charset="UTF-8", codec=None):
    """One RFC 2047 Q encoded word (space as underscore)."""
    raw = text.encode(codec or charset)
    out = []
    for byte in raw:
        c = chr(byte)
        if byte == 0x20:
            out.append("_")
        elif c.isalnum() and byte < 0x80:
            out.append(c)
        elif c in "!*+-/":
            out.append(c)
        else:
            out.append("=%02X" % byte)
    return "=?%s?Q?%s?=" % (charset, "".join(out))


def ew_words(text, charset, codec, kind="B"):
    """`text` as RFC 2047 encoded words of at most 75 characters each, split between
    characters (never inside one) and folded onto continuation lines, as mailers do."""
    make = ew_b if kind == "B" else ew_q
    words, chunk = [], ""
    for ch in text:
        if chunk and len(make(chunk + ch, charset, codec)) > 75:
            words.append(make(chunk, charset, codec))
            chunk = ""
        chunk += ch
    if chunk:
        words.append(make(chunk, charset, codec))
    return "\n ".join(words)


def pattern_bytes(size, seed):
    """Deterministic binary-looking bytes (all 256 values occur)."""
    out = bytearray()
    x = seed & 0xFFFFFFFF or 1
    while len(out) < size:
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        out.append(x & 0xFF)
    return bytes(out)


def fake_pdf(size, seed=7):
    """A PDF-looking binary: a real header and trailer around binary filler."""
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    tail = b"\ntrailer\n<< /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
    return head + pattern_bytes(size - len(head) - len(tail), seed) + tail


def tiny_png():
    """A small valid-looking PNG signature + chunks (bytes only matter for the size)."""
    return (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"
            + pattern_bytes(300, 11) + b"\x00\x00\x00\x00IEND\xaeB`\x82")


def addr(name, address):
    return {"name": name, "address": address}


def case(file, raw, about, **expect):
    """Registers one case; `raw` is the exact file content (bytes)."""
    assert isinstance(raw, bytes), file
    exp = {"file": file, "about": about, "subject": None, "from": None, "to": [], "message_id": None,
           "in_reply_to": None, "references": [], "text_contains": [], "text_excludes": [],
           "quoted_contains": [], "signature_contains": [], "attachments": [], "auto_reply": False,
           "bounce": None, "malformed": False}
    for key, value in expect.items():
        assert key in exp, key
        exp[key] = value
    assert list(exp) == KEYS
    assert 1 <= len(exp["text_contains"]) <= 3 or not exp["text_contains"], file
    CASES.append((file, raw, exp))


def att(filename, content_type, data):
    return {"filename": filename, "content_type": content_type, "size": len(data)}


# Header blocks imitating real relays -------------------------------------------------------

def received_gmail(host_ip="209.85.128.41", stamp="Tue, 01 Dec 2026 02:14:07 -0800 (PST)", rid="x12-20020a05600c"):
    return ("Received: from mail-wm1-f41.google.com (mail-wm1-f41.google.com [%s])\n"
            "\tby mx.rapport.example (Postfix) with ESMTPS id 4QkP2n0WxNz9tR\n"
            "\tfor <sales@rapport.example>; %s\n"
            "Received: by mail-wm1-f41.google.com with SMTP id %s.1\n"
            "        for <sales@rapport.example>; %s\n" % (host_ip, stamp, rid, stamp))


DKIM_GMAIL = ("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n"
              "        d=gmail.com; s=20230601; t=1796119247; x=1796724047; darn=rapport.example;\n"
              "        h=to:subject:message-id:date:from:in-reply-to:references:mime-version\n"
              "         :from:to:cc:subject:date:message-id:reply-to;\n"
              "        bh=Q1yXs3KcA1y0hZ3lZbS8uBqkN9x4oQ0vY1mH2m2J0Mk=;\n"
              "        b=Yk3sP0Jm2fA8ZrQm1u5V0s2Hq7Lx9bXo4cTgWn6RfE1aKd8UjPz3yBv5NhQe7Ls0Mw\n"
              "         2dR4tGk8VfYc1HnZx6Ap9QbUo3JeWs7LmKr0TgXv5NyBd2Fh8Ci4Pj6Ot1Qa3Sz9Ek\n"
              "         Vn7Wm5Rb0Xc==\n")

DKIM_OUTLOOK = ("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=contoso.com;\n"
                " s=selector2; h=From:Date:Subject:Message-ID:Content-Type:MIME-Version:X-MS-Exchange-SenderADCheck;\n"
                " bh=n8yK0qWm3Zx1Tq5rVb7Pj2Lc9Hs4Ud6Fa0Ge8Ri1Ow=;\n"
                " b=PpXk2LmQ9rT4vW1yZb6Nc3Hd8Js0Ue5Ga7Ki2Mo4Qr9St1Vw3Xy6Za8Bc0De2Fg4Hi6Jk8Lm0No2\n"
                " Pq4Rs6Tu8Vw0Xy2Za4Bc6De8Fg0Hi2Jk4Lm6No8Pq0Rs2Tu4Vw6Xy8Za0Bc2De4Fg6Hi8Jk0Lm2No4\n"
                " Pq6Rs8Tu0Vw2Xy4Za6Bc8De0Fg==\n")

RECEIVED_OUTLOOK = ("Received: from EUR05-AM6-obe.outbound.protection.outlook.com (mail-am6eur05on2112.outbound.protection.outlook.com [40.107.22.112])\n"
                    "\tby mx.rapport.example (Postfix) with ESMTPS id 4QkQ7c3Lb1z9tS\n"
                    "\tfor <sales@rapport.example>; Tue,  1 Dec 2026 11:02:44 +0000 (UTC)\n"
                    "Received: from DB9PR08MB6617.eurprd08.prod.outlook.com (2603:10a6:10:2a0::13)\n"
                    " by AS8PR08MB7911.eurprd08.prod.outlook.com (2603:10a6:20b:52a::9) with\n"
                    " Microsoft SMTP Server (version=TLS1_2,\n"
                    " cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7452.28; Tue, 1 Dec\n"
                    " 2026 11:02:43 +0000\n")


# ---------------------------------------------------------------------------
# 1. plain us-ascii, Subject folded over three lines with tabs

case("01-plain-ascii-folded-subject.eml", crlf(
    "Return-Path: <mark.hansen@northwind.example>\n"
    "Received: from smtp.northwind.example (smtp.northwind.example [198.51.100.23])\n"
    "\tby mx.rapport.example (Postfix) with ESMTP id 4QkN1b2Q3Rz9tQ\n"
    "\tfor <orders@rapport.example>; Mon, 30 Nov 2026 16:41:09 +0000 (UTC)\n"
    "Date: Mon, 30 Nov 2026 17:41:02 +0100\n"
    "From: Mark Hansen <mark.hansen@northwind.example>\n"
    "To: orders@rapport.example\n"
    "Subject: Purchase order PO-2026-11873 for 40 units of the SX-200 barcode\n"
    "\tscanners, delivery to our Rotterdam warehouse before the 15th, please\n"
    "\tconfirm pricing and lead time\n"
    "Message-ID: <20261130164102.GA31337@smtp.northwind.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "Content-Transfer-Encoding: 7bit\n"
    "User-Agent: Mutt/2.2.12 (2023-09-09)\n"
    "\n"
    "Hello,\n"
    "\n"
    "please find below our purchase order PO-2026-11873.\n"
    "\n"
    "  Item      Qty   Unit price\n"
    "  SX-200    40    EUR 212.00\n"
    "\n"
    "Delivery address: Northwind BV, Waalhaven Z.z. 44, 3089 JH Rotterdam.\n"
    "Please confirm the lead time; we need the scanners before 15 December.\n"
    "\n"
    "Kind regards,\n"
    "Mark Hansen\n"
    "Procurement, Northwind BV\n"),
    "plain us-ascii message from Mutt; the Subject is folded over three lines with tabs (unfolding keeps the tabs)",
    subject="Purchase order PO-2026-11873 for 40 units of the SX-200 barcode\tscanners, delivery to our Rotterdam warehouse before the 15th, please\tconfirm pricing and lead time",
    **{"from": addr("Mark Hansen", "mark.hansen@northwind.example")},
    to=["orders@rapport.example"],
    message_id="20261130164102.GA31337@smtp.northwind.example",
    text_contains=["purchase order PO-2026-11873", "Waalhaven Z.z. 44"],
)


# 2. Gmail multipart/alternative, text + HTML, Gmail quote and a "-- " signature

GMAIL_TEXT = (
    "Hi Ana,\n"
    "\n"
    "Thanks for the quote. We'd like to go ahead with the Premium plan for 25 seats,\n"
    "billed annually. Could you send the invoice to accounts@lumen-studio.example?\n"
    "\n"
    "Best,\n"
    "Rafael\n"
    "\n"
    "-- \n"
    "Rafael Souza | Operations Lead\n"
    "Lumen Studio - +55 11 4002-8922\n"
    "\n"
    "On Tue, 1 Dec 2026 at 10:00, Ana Lima <ana@example.com> wrote:\n"
    "\n"
    "> Hello Rafael,\n"
    ">\n"
    "> As discussed, the Premium plan is USD 18 per seat per month when billed\n"
    "> annually. Let me know how many seats you need.\n"
    ">\n"
    "> Ana\n"
)
GMAIL_HTML = (
    '<div dir="ltr"><div>Hi Ana,</div><div><br></div><div>Thanks for the quote. We&#39;d like to go ahead '
    'with the Premium plan for 25 seats, billed annually. Could you send the invoice to '
    '<a href="mailto:accounts@lumen-studio.example">accounts@lumen-studio.example</a>?</div><div><br></div>'
    '<div>Best,</div><div>Rafael</div><br clear="all"><div><br></div><span class="gmail_signature_prefix">-- </span><br>'
    '<div dir="ltr" class="gmail_signature"><div dir="ltr">Rafael Souza | Operations Lead<div>Lumen Studio - +55 11 4002-8922</div></div></div></div>'
    '<br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Tue, 1 Dec 2026 at 10:00, Ana Lima &lt;'
    '<a href="mailto:ana@example.com">ana@example.com</a>&gt; wrote:<br></div><blockquote class="gmail_quote" '
    'style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">Hello Rafael,<br><br>'
    'As discussed, the Premium plan is USD 18 per seat per month when billed annually. Let me know how many seats you need.'
    '<br><br>Ana<br></blockquote></div>\n'
)
case("02-gmail-alternative-quote-signature.eml", crlf(
    received_gmail()
    + DKIM_GMAIL +
    "X-Google-DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n"
    "        d=1e100.net; s=20230601; t=1796119247; x=1796724047;\n"
    "        h=to:subject:message-id:date:from:in-reply-to:references:mime-version\n"
    "         :x-gm-message-state:from:to:cc:subject:date:message-id:reply-to;\n"
    "        bh=Q1yXs3KcA1y0hZ3lZbS8uBqkN9x4oQ0vY1mH2m2J0Mk=;\n"
    "        b=aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5zA7bC9dE1fG3hI5jK7lM9nO1pQ3rS5t\n"
    "X-Gm-Message-State: AOJu0YzR2fQ1b8m0xXv6T9kLrJ7wYc4Hn2pG5sD3aE1qU0iO8ZtB\n"
    "X-Google-Smtp-Source: AGHT+IFx3r9Lk2mQ0pW7sT4vY1bN6cE8hJ5gD2aZ0oU3iR9lK7mP1nQ4sV6wX8yB0c\n"
    "MIME-Version: 1.0\n"
    "References: <CAF3kL9v2x=Yq7m0R1pT8wZ4nB6cD5eH2jK9sA0gU3iO7lM1rQ@mail.gmail.com>\n"
    "In-Reply-To: <CAF3kL9v2x=Yq7m0R1pT8wZ4nB6cD5eH2jK9sA0gU3iO7lM1rQ@mail.gmail.com>\n"
    "From: Rafael Souza <rafael.souza@gmail.com>\n"
    "Date: Tue, 1 Dec 2026 11:14:05 +0100\n"
    "Message-ID: <CAB7xQ2n4M9pR0sT1uV2wX3yZ4aB5cD6eF7gH8iJ9kL0mN1oP2q@mail.gmail.com>\n"
    "Subject: Re: Quote for Premium plan (25 seats)\n"
    "To: Ana Lima <ana@example.com>\n"
    "Cc: accounts@lumen-studio.example\n"
    'Content-Type: multipart/alternative; boundary="000000000000a1b2c3061d4e5f60"\n'
    "\n"
    "--000000000000a1b2c3061d4e5f60\n"
    'Content-Type: text/plain; charset="UTF-8"\n'
    "\n"
    + GMAIL_TEXT +
    "\n"
    "--000000000000a1b2c3061d4e5f60\n"
    'Content-Type: text/html; charset="UTF-8"\n'
    "\n"
    + GMAIL_HTML +
    "\n"
    "--000000000000a1b2c3061d4e5f60--\n"),
    "Gmail reply, multipart/alternative (text/plain wins), 'On ... wrote:' quote and a '-- ' signature",
    subject="Re: Quote for Premium plan (25 seats)",
    **{"from": addr("Rafael Souza", "rafael.souza@gmail.com")},
    to=["ana@example.com"],
    message_id="CAB7xQ2n4M9pR0sT1uV2wX3yZ4aB5cD6eF7gH8iJ9kL0mN1oP2q@mail.gmail.com",
    in_reply_to="CAF3kL9v2x=Yq7m0R1pT8wZ4nB6cD5eH2jK9sA0gU3iO7lM1rQ@mail.gmail.com",
    references=["CAF3kL9v2x=Yq7m0R1pT8wZ4nB6cD5eH2jK9sA0gU3iO7lM1rQ@mail.gmail.com"],
    text_contains=["Premium plan for 25 seats", "accounts@lumen-studio.example"],
    text_excludes=["USD 18 per seat", "Operations Lead", "<div", "wrote:"],
    quoted_contains=["USD 18 per seat per month"],
    signature_contains=["Rafael Souza | Operations Lead"],
)


# 3. Outlook HTML only, with style, table, entities, a script, and Original Message history

OUTLOOK_HTML = (
    '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" '
    'xmlns="http://www.w3.org/TR/REC-html40">\n'
    '<head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
    '<meta name="Generator" content="Microsoft Word 15 (filtered medium)">\n'
    '<style><!--\n/* Font Definitions */\n@font-face\n\t{font-family:"Cambria Math";\n\tpanose-1:2 4 5 3 5 4 6 3 2 4;}\n'
    'p.MsoNormal, li.MsoNormal, div.MsoNormal\n\t{margin:0cm;\n\tfont-size:11.0pt;\n\tfont-family:"Calibri",sans-serif;}\n'
    '.StyleSecretMarker {color:#1F497D;}\n'
    '@page WordSection1\n\t{size:612.0pt 792.0pt;\n\tmargin:72.0pt 72.0pt 72.0pt 72.0pt;}\n'
    'div.WordSection1\n\t{page:WordSection1;}\n--></style>\n'
    '<script type="text/javascript">var trackingPixelSecret = "SCRIPT-MUST-NOT-APPEAR"; document.write(trackingPixelSecret);</script>\n'
    '</head>\n<body lang="EN-GB" link="#0563C1" vlink="#954F72" style="word-wrap:break-word">\n'
    '<div class="WordSection1">\n'
    '<p class="MsoNormal">Dear Ms&nbsp;Chen,<o:p></o:p></p>\n'
    '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>\n'
    '<p class="MsoNormal">Please process a refund for invoice INV-88213. The goods arrived damaged; photos are with '
    'our carrier Smith &amp; Sons Logistics.<br>Summary below:<o:p></o:p></p>\n'
    '<table class="MsoTableGrid" border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;border:none">\n'
    '<tr><td width="200" valign="top"><p class="MsoNormal">Invoice<o:p></o:p></p></td>'
    '<td width="200" valign="top"><p class="MsoNormal">INV-88213<o:p></o:p></p></td></tr>\n'
    '<tr><td width="200" valign="top"><p class="MsoNormal">Refund amount<o:p></o:p></p></td>'
    '<td width="200" valign="top"><p class="MsoNormal">&euro;1,240.50<o:p></o:p></p></td></tr>\n'
    '</table>\n'
    '<p class="MsoNormal">Our Shanghai office adds: &#20320;&#22909; (hello) to the team.<o:p></o:p></p>\n'
    '<p class="MsoNormal">Regards,<br>Peter Novak<o:p></o:p></p>\n'
    '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>\n'
    '<div><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">\n'
    '<p class="MsoNormal">-----Original Message-----<br>\n'
    '<b>From:</b> Lisa Chen &lt;lisa.chen@rapport.example&gt;<br>\n'
    '<b>Sent:</b> Monday, November 30, 2026 4:12 PM<br>\n'
    '<b>To:</b> Peter Novak &lt;peter.novak@contoso.com&gt;<br>\n'
    '<b>Subject:</b> Your order ORD-5521 has shipped<o:p></o:p></p>\n'
    '</div></div>\n'
    '<p class="MsoNormal">Your order ORD-5521 has shipped with tracking number 1Z999AA10123456784.<o:p></o:p></p>\n'
    '</div>\n</body>\n</html>\n'
)
case("03-outlook-html-only.eml", crlf(
    RECEIVED_OUTLOOK
    + DKIM_OUTLOOK +
    "From: Peter Novak <peter.novak@contoso.com>\n"
    "To: \"Chen, Lisa\" <lisa.chen@rapport.example>\n"
    "Subject: RE: Your order ORD-5521 has shipped\n"
    "Thread-Topic: Your order ORD-5521 has shipped\n"
    "Thread-Index: AQHbQ2Xk7vY1mZr0TUu8aJc3n9s2rQ==\n"
    "Date: Tue, 1 Dec 2026 11:02:41 +0000\n"
    "Message-ID: <DB9PR08MB66171A2B3C4D5E6F7A8B9C0DA1B2C@DB9PR08MB6617.eurprd08.prod.outlook.com>\n"
    "References: <ord-5521-shipped.20261130161200@rapport.example>\n"
    "In-Reply-To: <ord-5521-shipped.20261130161200@rapport.example>\n"
    "Accept-Language: en-GB, en-US\n"
    "Content-Language: en-GB\n"
    "X-MS-Has-Attach:\n"
    "X-MS-TNEF-Correlator:\n"
    "x-ms-publictraffictype: Email\n"
    "x-ms-exchange-organization-scl: 1\n"
    "Content-Type: text/html; charset=\"utf-8\"\n"
    "Content-Transfer-Encoding: base64\n"
    "MIME-Version: 1.0\n"
    "\n"
    + b64(OUTLOOK_HTML.encode("utf-8")) + "\n"),
    "Outlook HTML-only body (base64): style, table, entities (&nbsp; &amp; &euro; &#20320;), a script to drop, -----Original Message----- history",
    subject="RE: Your order ORD-5521 has shipped",
    **{"from": addr("Peter Novak", "peter.novak@contoso.com")},
    to=["lisa.chen@rapport.example"],
    message_id="DB9PR08MB66171A2B3C4D5E6F7A8B9C0DA1B2C@DB9PR08MB6617.eurprd08.prod.outlook.com",
    in_reply_to="ord-5521-shipped.20261130161200@rapport.example",
    references=["ord-5521-shipped.20261130161200@rapport.example"],
    text_contains=["Smith & Sons Logistics", "\u4f60\u597d (hello)", "\u20ac1,240.50"],
    text_excludes=["SCRIPT-MUST-NOT-APPEAR", "trackingPixelSecret", "StyleSecretMarker", "<p", "&nbsp;", "&amp;",
                   "1Z999AA10123456784"],
    quoted_contains=["1Z999AA10123456784"],
)


# 4. Outlook plain text reply with the From/Sent/To/Subject block

case("04-outlook-plain-reply-block.eml", crlf(
    RECEIVED_OUTLOOK
    + DKIM_OUTLOOK +
    "From: \"Okafor, Chidi\" <chidi.okafor@contoso.com>\n"
    "To: Loans Desk <loans@rapport.example>\n"
    "CC: \"Adeyemi, Tola\" <tola.adeyemi@contoso.com>\n"
    "Subject: RE: Loan application LA-30917 - missing documents\n"
    "Thread-Topic: Loan application LA-30917 - missing documents\n"
    "Thread-Index: AdtDd1ZQ0m3xkR7wQq2l4bH9yV5s8A==\n"
    "Date: Tue, 1 Dec 2026 09:31:17 +0000\n"
    "Message-ID: <AM0PR08MB54260F7E9B3C2A1D4E5F6A7B8C9D0@AM0PR08MB5426.eurprd08.prod.outlook.com>\n"
    "In-Reply-To: <la-30917.docs.1764576000@rapport.example>\n"
    "Accept-Language: en-US\n"
    "Content-Language: en-US\n"
    "X-MS-Has-Attach:\n"
    "X-Mailer: Microsoft Outlook 16.0\n"
    "Content-Type: text/plain; charset=\"us-ascii\"\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "MIME-Version: 1.0\n"
    "\n"
    "Hello,\n"
    "\n"
    "I have uploaded the last three payslips and the signed income declaration for =\n"
    "application LA-30917. My employer letter will follow on Friday.\n"
    "\n"
    "Regards,\n"
    "Chidi Okafor\n"
    "\n"
    "From: Loans Desk <loans@rapport.example>=20\n"
    "Sent: Monday, November 30, 2026 3:20 PM\n"
    "To: Okafor, Chidi <chidi.okafor@contoso.com>\n"
    "Subject: Loan application LA-30917 - missing documents\n"
    "\n"
    "Dear Mr Okafor,\n"
    "\n"
    "To continue reviewing application LA-30917 we still need proof of income for the=\n"
    " last three months.\n"
    "\n"
    "Loans Desk\n"),
    "Outlook plain-text reply (quoted-printable) with the From:/Sent:/To:/Subject: history block; only In-Reply-To",
    subject="RE: Loan application LA-30917 - missing documents",
    **{"from": addr("Okafor, Chidi", "chidi.okafor@contoso.com")},
    to=["loans@rapport.example"],
    message_id="AM0PR08MB54260F7E9B3C2A1D4E5F6A7B8C9D0@AM0PR08MB5426.eurprd08.prod.outlook.com",
    in_reply_to="la-30917.docs.1764576000@rapport.example",
    text_contains=["signed income declaration for application LA-30917", "employer letter"],
    text_excludes=["proof of income", "Sent: Monday"],
    quoted_contains=["proof of income for the last three months"],
)


# 5. multipart/mixed > multipart/related > multipart/alternative, inline image, PDF and text attachments

PDF_5 = fake_pdf(6200, seed=5)
PNG_5 = tiny_png()
NOTES_5 = crlf("Delivery notes for ORD-7734\n- Gate 4, ask for Mr. Brandt\n- Forklift available 07:00-15:00\n- Pallets: 3 (EUR-pallet)\n")
case("05-nested-mixed-related-attachments.eml", crlf(
    RECEIVED_OUTLOOK
    + DKIM_OUTLOOK +
    "From: Sabine Brandt <s.brandt@contoso.com>\n"
    "To: billing@rapport.example\n"
    "Subject: Invoice INV-2026-0412 and delivery notes for ORD-7734\n"
    "Thread-Topic: Invoice INV-2026-0412 and delivery notes for ORD-7734\n"
    "Thread-Index: AdtDeF0b3kq7m2Q1T0Cw9x8yZ1b2Aw==\n"
    "Date: Tue, 1 Dec 2026 08:15:30 +0000\n"
    "Message-ID: <VI1PR08MB3101E2F3A4B5C6D7E8F9A0B1C2D3@VI1PR08MB3101.eurprd08.prod.outlook.com>\n"
    "Accept-Language: de-DE, en-US\n"
    "Content-Language: en-US\n"
    "X-MS-Has-Attach: yes\n"
    "X-Mailer: Microsoft Outlook 16.0\n"
    "Content-Type: multipart/mixed;\n"
    "\tboundary=\"_006_VI1PR08MB3101E2F3A4B5C6D7E8F9A0B1C2D3VI1PR08MB3101eurp_\"\n"
    "MIME-Version: 1.0\n"
    "\n"
    "--_006_VI1PR08MB3101E2F3A4B5C6D7E8F9A0B1C2D3VI1PR08MB3101eurp_\n"
    "Content-Type: multipart/related;\n"
    "\tboundary=\"_005_VI1PR08MB3101E2F3A4B5C6D7E8F9A0B1C2D3VI1PR08MB3101eurp_\";\n"
    "\ttype=\"multipart/alternative\"\n"
    "\n"
    "--_005_VI1PR08MB3101E2F3A4B5C6D7E8F9A0B1C2D3VI1PR08MB3101eurp_\n"
    "Content-Type: multipart/alternative;\n"
    "\tboundary=\"_000_VI1PR08MB3101E2F3A4B5C6D7E8F9A0B1C2D3VI1PR08MB3101eurp_\"\n"
    "\n"
    "--_000_VI1PR08MB3101E2F3A4B5C6D7E8F9A0B1C2D3VI1PR08MB3101eurp_\n"
    "Content-Type: text/plain; charset=\"us-ascii\"\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "Hello billing team,\n"
    "\n"
    "attached is invoice INV-2026-0412 (net 30) for order ORD-7734, together with o=\n"
    "ur delivery notes. Our logo is inline below.\n"
    "\n"
    "[cid:image001.png@01DB43E1.5F2A7C30]\n"
    "\n"
    "Sabine Brandt\n"
    "Accounts Receivable\n"
    "\n"
    "--_000_VI1PR08MB3101E2F3A4B5C6D7E8F9A0B1C2D3VI1PR08MB3101eurp_\n"
    "Content-Type: text/html; charset=\"us-ascii\"\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "<html><head><meta http-equiv=3D\"Content-Type\" content=3D\"text/html; charset=\n"
    "=3Dus-ascii\"></head><body><p>Hello billing team,</p><p>attached is invoice INV-2026-0412 (net 30) for o=\n"
    "rder ORD-7734, together with our delivery notes. Our logo is inline below.</p>=\n"
    "<p><img width=3D\"16\" height=3D\"16\" src=3D\"cid:image001.png@01DB43E1.5F2A7C30\"></p>=\n"
    "<p>Sabine Brandt<br>Accounts Receivable</p></body></html>\n"
    "\n"
    "--_000_VI1PR08MB3101E2F3A4B5C6D7E8F9A0B1C2D3VI1PR08MB3101eurp_--\n"
    "\n"
    "--_005_VI1PR08MB3101E2F3A4B5C6D7E8F9A0B1C2D3VI1PR08MB3101eurp_\n"
    "Content-Type: image/png; name=\"image001.png\"\n"
    "Content-Description: image001.png\n"
    "Content-Disposition: inline; filename=\"image001.png\"; size=%d;\n"
    "\tcreation-date=\"Tue, 01 Dec 2026 08:15:29 GMT\";\n"
    "\tmodification-date=\"Tue, 01 Dec 2026 08:15:29 GMT\"\n"
    "Content-ID: <image001.png@01DB43E1.5F2A7C30>\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "%s\n"
    "\n"
    "--_005_VI1PR08MB3101E2F3A4B5C6D7E8F9A0B1C2D3VI1PR08MB3101eurp_--\n"
    "\n"
    "--_006_VI1PR08MB3101E2F3A4B5C6D7E8F9A0B1C2D3VI1PR08MB3101eurp_\n"
    "Content-Type: application/pdf; name=\"INV-2026-0412.pdf\"\n"
    "Content-Description: INV-2026-0412.pdf\n"
    "Content-Disposition: attachment; filename=\"INV-2026-0412.pdf\"; size=%d;\n"
    "\tcreation-date=\"Tue, 01 Dec 2026 08:14:02 GMT\";\n"
    "\tmodification-date=\"Tue, 01 Dec 2026 08:14:02 GMT\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "%s\n"
    "\n"
    "--_006_VI1PR08MB3101E2F3A4B5C6D7E8F9A0B1C2D3VI1PR08MB3101eurp_\n"
    "Content-Type: text/plain; name=\"delivery-notes.txt\"\n"
    "Content-Description: delivery-notes.txt\n"
    "Content-Disposition: attachment; filename=\"delivery-notes.txt\"; size=%d;\n"
    "\tcreation-date=\"Tue, 01 Dec 2026 08:14:40 GMT\";\n"
    "\tmodification-date=\"Tue, 01 Dec 2026 08:14:40 GMT\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "%s\n"
    "\n"
    "--_006_VI1PR08MB3101E2F3A4B5C6D7E8F9A0B1C2D3VI1PR08MB3101eurp_--\n"
    % (len(PNG_5), b64(PNG_5), len(PDF_5), b64(PDF_5), len(NOTES_5), b64(NOTES_5))),
    "Outlook multipart/mixed > related > alternative (3 levels): inline PNG with Content-ID, base64 PDF, base64 text/plain attachment",
    subject="Invoice INV-2026-0412 and delivery notes for ORD-7734",
    **{"from": addr("Sabine Brandt", "s.brandt@contoso.com")},
    to=["billing@rapport.example"],
    message_id="VI1PR08MB3101E2F3A4B5C6D7E8F9A0B1C2D3@VI1PR08MB3101.eurprd08.prod.outlook.com",
    text_contains=["invoice INV-2026-0412 (net 30)", "together with our delivery notes"],
    text_excludes=["Forklift available", "<p>", "%PDF"],
    attachments=[att("image001.png", "image/png", PNG_5),
                 att("INV-2026-0412.pdf", "application/pdf", PDF_5),
                 att("delivery-notes.txt", "text/plain", NOTES_5)],
)


# 6. a forwarded message as a message/rfc822 part (Thunderbird "Forward as Attachment")

INNER_6 = crlf(
    "Return-Path: <noreply@reservations.harbourview-hotel.example>\n"
    "Received: from mta7.harbourview-hotel.example (mta7.harbourview-hotel.example [203.0.113.77])\n"
    "\tby mx.gmx.example with ESMTPS id 1MxUqT-1r9Lk22Xyz-00aBcD; Sun, 29 Nov 2026 19:03:11 +0100\n"
    "Date: Sun, 29 Nov 2026 18:03:05 +0000\n"
    "From: Harbourview Hotel Reservations <noreply@reservations.harbourview-hotel.example>\n"
    "To: Jonas Keller <jonas.keller@gmx.example>\n"
    "Subject: Booking confirmation HV-448201\n"
    "Message-ID: <HV-448201.1764439385@reservations.harbourview-hotel.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
    "Dear Mr Keller,\n"
    "\n"
    "thank you for your reservation HV-448201.\n"
    "Arrival: Thu, 10 Dec 2026 - Departure: Sun, 13 Dec 2026\n"
    "Room: Deluxe Double, sea view, breakfast included\n"
    "Total: 612,00 \u20ac (paid by card ending 4417)\n"
    "\n"
    "Free cancellation until 8 Dec 2026, 18:00 local time.\n"
    "\n"
    "Harbourview Hotel\n")
case("06-forward-message-rfc822.eml", crlf(
    "Return-Path: <jonas.keller@gmx.example>\n"
    "Received: from mout.gmx.example (mout.gmx.example [212.227.17.20])\n"
    "\tby mx.rapport.example (Postfix) with ESMTPS id 4QkR0d5Mc2z9tT\n"
    "\tfor <travel@rapport.example>; Tue,  1 Dec 2026 07:45:12 +0000 (UTC)\n"
    "Message-ID: <6b1e0c4a-93f2-4d7b-a8e1-2f5c9d0b7e31@gmx.example>\n"
    "Date: Tue, 1 Dec 2026 08:45:09 +0100\n"
    "MIME-Version: 1.0\n"
    "User-Agent: Mozilla Thunderbird\n"
    "Content-Language: de-DE\n"
    "To: travel@rapport.example\n"
    "From: Jonas Keller <jonas.keller@gmx.example>\n"
    "Subject: Fwd: Booking confirmation HV-448201\n"
    "Content-Type: multipart/mixed;\n"
    " boundary=\"------------9Qm2xW0nR7bT4cY1eV8sK3pL\"\n"
    "\n"
    "This is a multi-part message in MIME format.\n"
    "--------------9Qm2xW0nR7bT4cY1eV8sK3pL\n"
    "Content-Type: text/plain; charset=UTF-8; format=flowed\n"
    "Content-Transfer-Encoding: 7bit\n"
    "\n"
    "Hi,\n"
    "\n"
    "please add the attached hotel booking to my travel file and arrange the\n"
    "airport transfer for 10 December.\n"
    "\n"
    "Thanks, Jonas\n"
    "\n"
    "--------------9Qm2xW0nR7bT4cY1eV8sK3pL\n"
    "Content-Type: message/rfc822; charset=UTF-8;\n"
    " name=\"Booking confirmation HV-448201.eml\"\n"
    "Content-Disposition: attachment;\n"
    " filename=\"Booking confirmation HV-448201.eml\"\n"
    "\n") + INNER_6 + crlf(
    "\n"
    "--------------9Qm2xW0nR7bT4cY1eV8sK3pL--\n"),
    "Thunderbird forward as attachment: the forwarded mail is one message/rfc822 attachment; its text is not the body",
    subject="Fwd: Booking confirmation HV-448201",
    **{"from": addr("Jonas Keller", "jonas.keller@gmx.example")},
    to=["travel@rapport.example"],
    message_id="6b1e0c4a-93f2-4d7b-a8e1-2f5c9d0b7e31@gmx.example",
    text_contains=["airport transfer for 10 December", "hotel booking to my travel file"],
    text_excludes=["Deluxe Double", "card ending 4417"],
    attachments=[att("Booking confirmation HV-448201.eml", "message/rfc822", INNER_6)],
)


# 7. RFC 2047 encoded words

_refund = "\u9000\u6b3e\u7533\u8bf7".encode("utf-8")  # 退款申请, 12 bytes
_split = 4  # after the first byte of 款: the character is split across the two B words
SUBJECT_7 = ("=?UTF-8?B?%s?= =?UTF-8?B?%s?=\n =?utf-8?q?_=E2=80=94_Order_=E2=84=96_7781?= pending =?UTF-8?X?SGVsbG8=?="
             % (base64.b64encode(_refund[:_split]).decode(), base64.b64encode(_refund[_split:]).decode()))
case("07-rfc2047-encoded-words.eml", crlf(
    "Return-Path: <j.weiss@posteo.example>\n"
    "Received: from mout01.posteo.example (mout01.posteo.example [185.67.36.65])\n"
    "\tby mx.rapport.example (Postfix) with ESMTPS id 4QkS3f6Nd3z9tV\n"
    "\tfor <support@rapport.example>; Tue,  1 Dec 2026 12:20:01 +0000 (UTC)\n"
    "From: =?UTF-8?Q?J=C3=BCrgen?= =?UTF-8?Q?_Wei=C3=9F?= <j.weiss@posteo.example>\n"
    "To: =?iso-8859-1?q?J=F6rg_M=FCller?= <joerg.mueller@rapport.example>,\n"
    " =?UTF-8?B?5a6i5pyN6YOo?= <support@rapport.example>\n"
    "Subject: " + SUBJECT_7 + "\n"
    "Date: Tue, 1 Dec 2026 13:19:58 +0100\n"
    "Message-ID: <8f2c1a90-5e3b-4f67-b1d2-7a9e0c3f4b12@posteo.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "User-Agent: Mozilla Thunderbird\n"
    "\n"
    "Guten Tag Herr M\u00fcller,\n"
    "\n"
    "f\u00fcr Bestellung Nr. 7781 bitte ich um R\u00fcckerstattung von 89,90 \u20ac.\n"
    "\u6211\u4eec\u7684\u5ba2\u6237\u7f16\u53f7\u662f CN-2231\u3002\n"
    "\n"
    "J\u00fcrgen Wei\u00df\n"),
    "RFC 2047: a UTF-8 character split over two adjacent B words, whitespace between adjacent words dropped, a lowercase q word with underscores, encoded display names, an invalid encoding letter left as is",
    subject="\u9000\u6b3e\u7533\u8bf7 \u2014 Order \u2116 7781 pending =?UTF-8?X?SGVsbG8=?=",
    **{"from": addr("J\u00fcrgen Wei\u00df", "j.weiss@posteo.example")},
    to=["joerg.mueller@rapport.example", "support@rapport.example"],
    message_id="8f2c1a90-5e3b-4f67-b1d2-7a9e0c3f4b12@posteo.example",
    text_contains=["R\u00fcckerstattung von 89,90 \u20ac", "\u5ba2\u6237\u7f16\u53f7\u662f CN-2231"],
)


# 8. RFC 2231 parameters and Outlook's encoded words in quoted names

PDF_8A = fake_pdf(2100, seed=81)
PDF_8B = fake_pdf(1500, seed=82)
XLSX_8 = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + pattern_bytes(1800, 83)
_name_8c = "\u53d1\u7968 2026-12.xlsx"  # 发票 2026-12.xlsx
case("08-rfc2231-filenames.eml", crlf(
    "Return-Path: <li.na@foxmail.example>\n"
    "Received: from smtpbg.qq.example (smtpbg.qq.example [203.205.250.113])\n"
    "\tby mx.rapport.example (Postfix) with ESMTPS id 4QkT4g7Pe4z9tW\n"
    "\tfor <sales@rapport.example>; Tue,  1 Dec 2026 03:11:41 +0000 (UTC)\n"
    "From: Li Na <li.na@foxmail.example>\n"
    "To: sales@rapport.example\n"
    "Subject: Quotation, hotel booking and invoice\n"
    "Date: Tue, 1 Dec 2026 11:11:37 +0800\n"
    "Message-ID: <20261201111137.5f1c2e@foxmail.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"=_rfc2231_7e3f0a5b\"\n"
    "\n"
    "--=_rfc2231_7e3f0a5b\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "\n"
    "Dear sales team, please find the quotation, the hotel booking and the invoice attached.\n"
    "Li Na\n"
    "\n"
    "--=_rfc2231_7e3f0a5b\n"
    "Content-Type: application/pdf\n"
    "Content-Disposition: attachment; filename*=UTF-8''%E6%8A%A5%E4%BB%B7.pdf\n"
    "Content-Transfer-Encoding: base64\n"
    "\n" + b64(PDF_8A) + "\n"
    "--=_rfc2231_7e3f0a5b\n"
    "Content-Type: application/pdf\n"
    "Content-Disposition: attachment;\n"
    " filename*0*=UTF-8''Hotel%20booking%20confirmation%20%E2%80%93%20;\n"
    " filename*1*=M%C3%BCnchen%20;\n"
    " filename*2=\"Dec 2026.pdf\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n" + b64(PDF_8B) + "\n"
    "--=_rfc2231_7e3f0a5b\n"
    "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;\n"
    "\tname=\"" + ew_b(_name_8c) + "\"\n"
    "Content-Description: " + ew_b(_name_8c) + "\n"
    "Content-Disposition: attachment;\n"
    "\tfilename=\"" + ew_b(_name_8c) + "\"; size=" + str(len(XLSX_8)) + "\n"
    "Content-Transfer-Encoding: base64\n"
    "\n" + b64(XLSX_8) + "\n"
    "--=_rfc2231_7e3f0a5b--\n"),
    "RFC 2231 filename*= with UTF-8 percent-encoding, filename*0*/*1*/*2 continuations mixing encoded and quoted pieces, Outlook-style encoded word inside a quoted name",
    subject="Quotation, hotel booking and invoice",
    **{"from": addr("Li Na", "li.na@foxmail.example")},
    to=["sales@rapport.example"],
    message_id="20261201111137.5f1c2e@foxmail.example",
    text_contains=["the hotel booking and the invoice attached"],
    attachments=[att("\u62a5\u4ef7.pdf", "application/pdf", PDF_8A),
                 att("Hotel booking confirmation \u2013 M\u00fcnchen Dec 2026.pdf", "application/pdf", PDF_8B),
                 att(_name_8c, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", XLSX_8)],
)


# 9. quoted-printable UTF-8 with soft breaks inside a multi-byte sequence, =3D

case("09-quoted-printable-soft-breaks.eml", crlf(
    "Return-Path: <atendimento@lojaverde.example>\n"
    "Received: from mail.lojaverde.example (mail.lojaverde.example [198.51.100.140])\n"
    "\tby mx.rapport.example (Postfix) with ESMTPS id 4QkU5h8Qf5z9tX\n"
    "\tfor <refunds@rapport.example>; Tue,  1 Dec 2026 14:02:10 +0000 (UTC)\n"
    "From: =?UTF-8?Q?Jo=C3=A3o_Concei=C3=A7=C3=A3o?= <atendimento@lojaverde.example>\n"
    "To: refunds@rapport.example\n"
    "Subject: =?UTF-8?Q?Reembolso_do_pedido_n=C2=BA_55102?=\n"
    "Date: Tue, 1 Dec 2026 11:02:07 -0300\n"
    "Message-ID: <qp.55102.1764597727@lojaverde.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=\"utf-8\"\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "X-Mailer: Microsoft Outlook 16.0\n"
    "\n"
    "Ol=C3=A1,\n"
    "\n"
    "Confirmamos o reembolso do pedido n=C2=BA 55102 no valor de R$ 349,90 (=E2=\n"
    "=82=AC 58,20 aprox.), cr=C3=A9dito em at=C3=A9 5 dias =C3=\n"
    "=BAteis.\n"
    "Acompanhe em https://lojaverde.example/reembolso?pedido=3D55102&token=3Dk7Q=\n"
    "p2\n"
    "\n"
    "Atenciosamente,\n"
    "Jo=C3=A3o Concei=C3=A7=C3=A3o\n"),
    "quoted-printable UTF-8 where soft line breaks fall inside multi-byte sequences (\u20ac and \u00fa), =3D in a URL",
    subject="Reembolso do pedido n\u00ba 55102",
    **{"from": addr("Jo\u00e3o Concei\u00e7\u00e3o", "atendimento@lojaverde.example")},
    to=["refunds@rapport.example"],
    message_id="qp.55102.1764597727@lojaverde.example",
    text_contains=["(\u20ac 58,20 aprox.)", "5 dias \u00fateis", "reembolso?pedido=55102&token=k7Qp2"],
    text_excludes=["=3D", "=C3"],
)


# 10. base64 body in one line without line breaks

_body_10 = ("Bonjour,\n\nJe souhaite annuler ma r\u00e9servation n\u00b0 RES-90311 \u00e0 l'h\u00f4tel Les Tilleuls "
            "(arriv\u00e9e le 18 d\u00e9cembre). Merci de me rembourser l'acompte de 120 \u20ac.\n\n"
            "Cordialement,\nC\u00e9line Dupr\u00e9\n").replace("\n", "\r\n").encode("utf-8")
case("10-base64-single-line-body.eml", crlf(
    "Return-Path: <celine.dupre@orange.example>\n"
    "Received: from smtp.orange.example (smtp.orange.example [80.12.242.10])\n"
    "\tby mx.rapport.example (Postfix) with ESMTPS id 4QkV6j9Rg6z9tY\n"
    "\tfor <reservations@rapport.example>; Tue,  1 Dec 2026 15:30:44 +0000 (UTC)\n"
    "From: =?utf-8?B?Q8OpbGluZSBEdXByw6k=?= <celine.dupre@orange.example>\n"
    "To: reservations@rapport.example\n"
    "Subject: =?utf-8?B?QW5udWxhdGlvbiByw6lzZXJ2YXRpb24gUkVTLTkwMzEx?=\n"
    "Date: Tue, 1 Dec 2026 16:30:40 +0100\n"
    "Message-ID: <1764603040.41871.celine@orange.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: base64\n"
    "\n" + b64(_body_10, width=0) + "\n"),
    "base64 UTF-8 body written as one long line with no line breaks",
    subject="Annulation r\u00e9servation RES-90311",
    **{"from": addr("C\u00e9line Dupr\u00e9", "celine.dupre@orange.example")},
    to=["reservations@rapport.example"],
    message_id="1764603040.41871.celine@orange.example",
    text_contains=["r\u00e9servation n\u00b0 RES-90311", "l'acompte de 120 \u20ac"],
)


# 11-25. one message per charset: Subject and body in that charset

def charset_case(file, about, label, codec, subject, body, sender, to, mid, head, cte="8bit",
                 subject_word="B", expect_text=(), content_type_label=None, subject_label=None):
    """`head`: client-specific headers (LF lines). The body is encoded with `codec` and sent
    as `cte` (8bit, base64, quoted-printable, 7bit); the Subject as one encoded word."""
    raw_body = body.encode(codec)
    if cte == "base64":
        wire_body = b64(raw_body).encode("ascii") + b"\n"
    elif cte == "quoted-printable":
        wire_body = qp(raw_body).encode("ascii")
    else:
        wire_body = raw_body
    word = ew_words(subject, subject_label or label, codec, subject_word)
    name, address = sender
    headers = (head
               + "From: %s <%s>\n" % (ew_b(name, subject_label or label, codec) if any(ord(c) > 127 for c in name) else name, address)
               + "To: %s\n" % ", ".join(to)
               + "Subject: %s\n" % word
               + "Message-ID: <%s>\n" % mid
               + "MIME-Version: 1.0\n"
               + "Content-Type: text/plain; charset=\"%s\"\n" % (content_type_label or label)
               + "Content-Transfer-Encoding: %s\n" % cte
               + "\n")
    case(file, crlf(headers.encode("ascii") + wire_body), about,
         subject=subject, **{"from": addr(name, address)}, to=to, message_id=mid,
         text_contains=list(expect_text))


def received(host, ip, rid, stamp, to="sales@rapport.example"):
    return ("Received: from %s (%s [%s])\n\tby mx.rapport.example (Postfix) with ESMTPS id %s\n"
            "\tfor <%s>; %s\n" % (host, host, ip, rid, to, stamp))


charset_case(
    "11-charset-iso-8859-1.eml", "ISO-8859-1 (Spanish) Thunderbird message, Q-encoded Subject, quoted-printable body",
    "ISO-8859-1", "iso-8859-1",
    "Confirmaci\u00f3n de reserva: habitaci\u00f3n doble, ma\u00f1ana",
    "Estimado se\u00f1or Pe\u00f1a:\n\nLe confirmamos la reserva n.\u00ba 20417 en el Hotel Mirador "
    "de Le\u00f3n para ma\u00f1ana, habitaci\u00f3n doble con desayuno.\n"
    "Precio total: 184,00 EUR (IVA incluido). \u00bfNecesita parking?\n\nUn saludo,\nMar\u00eda Ib\u00e1\u00f1ez\n",
    ("Mar\u00eda Ib\u00e1\u00f1ez", "maria.ibanez@hotelmirador.example"), ["reservas@rapport.example"],
    "a7d3e9f1-20417@hotelmirador.example",
    received("smtp.hotelmirador.example", "192.0.2.14", "4QkW1a0Sh7z9tZ", "Tue,  1 Dec 2026 09:12:33 +0000 (UTC)",
             "reservas@rapport.example")
    + "Date: Tue, 1 Dec 2026 10:12:30 +0100\nUser-Agent: Mozilla Thunderbird\nContent-Language: es-ES\n",
    cte="quoted-printable", subject_word="Q",
    expect_text=["reserva n.\u00ba 20417", "\u00bfNecesita parking?"])

charset_case(
    "12-charset-iso-8859-2.eml", "ISO-8859-2 (Polish) message, 8bit body",
    "ISO-8859-2", "iso-8859-2",
    "Zam\u00f3wienie nr 4410: pro\u015bba o zwrot p\u0142atno\u015bci",
    "Dzie\u0144 dobry,\n\nprosz\u0119 o zwrot p\u0142atno\u015bci za zam\u00f3wienie nr 4410. "
    "Towar dotar\u0142 uszkodzony, zdj\u0119cia wys\u0142a\u0142em kurierowi.\n"
    "Kwota: 1 299,00 z\u0142.\n\nZ powa\u017caniem,\n\u0141ukasz \u017bak\n",
    ("\u0141ukasz \u017bak", "lukasz.zak@wp.example"), ["zwroty@rapport.example"],
    "20261201101502.4410.lukasz@wp.example",
    received("smtp.wp.example", "212.77.101.1", "4QkW2b1Ti8z9ta", "Tue,  1 Dec 2026 09:15:06 +0000 (UTC)",
             "zwroty@rapport.example")
    + "Date: Tue, 1 Dec 2026 10:15:02 +0100\nX-Mailer: Poczta WP\n",
    expect_text=["zwrot p\u0142atno\u015bci za zam\u00f3wienie nr 4410", "1 299,00 z\u0142"])

charset_case(
    "13-charset-iso-8859-15.eml", "ISO-8859-15 (French): the euro sign is byte 0xA4 and \u0153 is 0xBD",
    "ISO-8859-15", "iso-8859-15",
    "Facture n\u00b0 2026-118 : 1 250,00 \u20ac",
    "Bonjour,\n\nVeuillez trouver le r\u00e9capitulatif de la facture n\u00b0 2026-118 : "
    "1 250,00 \u20ac TTC pour la r\u00e9novation du c\u0153ur de cuisine.\n"
    "Paiement \u00e0 30 jours.\n\nBien cordialement,\n\u00c9lodie Lef\u00e8vre\n",
    ("\u00c9lodie Lef\u00e8vre", "elodie.lefevre@free.example"), ["compta@rapport.example"],
    "fact-2026-118.1764590000@free.example",
    received("smtp.free.example", "212.27.42.3", "4QkW3c2Uj9z9tb", "Tue,  1 Dec 2026 10:01:12 +0000 (UTC)",
             "compta@rapport.example")
    + "Date: Tue, 1 Dec 2026 11:01:09 +0100\nX-Mailer: Zimbra 9.0.0_GA_4583 (ZimbraWebClient - FF120 (Linux)/9.0.0_GA_4583)\n",
    expect_text=["1 250,00 \u20ac TTC", "c\u0153ur de cuisine"])

charset_case(
    "14-charset-windows-1252.eml", "Windows-1252 Outlook message: smart quotes, en dash, euro sign (bytes 0x80-0x9F), quoted-printable",
    "Windows-1252", "cp1252",
    "\u201cUrgent\u201d \u2013 refund of \u20ac75 for order 6620",
    "Hi,\n\nI\u2019m still waiting for the \u201cexpress\u201d refund of \u20ac75 for order 6620 \u2013 "
    "it\u2019s been three weeks.\n\nThanks,\nSe\u00e1n O\u2019Brien\n",
    ("Se\u00e1n O\u2019Brien", "sean.obrien@eircom.example"), ["support@rapport.example"],
    "000001db43f2$5a1b7c90$0e527bb0$@eircom.example",
    received("smtp.eircom.example", "159.134.118.20", "4QkW4d3Vk0z9tc", "Tue,  1 Dec 2026 10:22:51 +0000 (UTC)",
             "support@rapport.example")
    + "Date: Tue, 1 Dec 2026 10:22:47 -0000\nX-Mailer: Microsoft Outlook 16.0\n"
      "Thread-Index: AdtD8lobfJAOUnuwS8q9Zz1Vd2Cx7A==\nContent-Language: en-ie\n",
    cte="quoted-printable", subject_word="Q",
    expect_text=["\u201cexpress\u201d refund of \u20ac75", "order 6620 \u2013 it\u2019s been"])

charset_case(
    "15-charset-windows-1251.eml", "Windows-1251 (Russian) invoice, 8bit body",
    "windows-1251", "cp1251",
    "\u0421\u0447\u0451\u0442 \u2116 318 \u043d\u0430 \u043e\u043f\u043b\u0430\u0442\u0443",
    "\u0417\u0434\u0440\u0430\u0432\u0441\u0442\u0432\u0443\u0439\u0442\u0435!\n\n"
    "\u041d\u0430\u043f\u0440\u0430\u0432\u043b\u044f\u0435\u043c \u0441\u0447\u0451\u0442 \u2116 318 "
    "\u043d\u0430 \u0441\u0443\u043c\u043c\u0443 48 600 \u0440\u0443\u0431. "
    "\u0437\u0430 \u043f\u043e\u0441\u0442\u0430\u0432\u043a\u0443 \u043e\u0431\u043e\u0440\u0443\u0434\u043e\u0432\u0430\u043d\u0438\u044f.\n"
    "\u041e\u043f\u043b\u0430\u0442\u0430 \u0432 \u0442\u0435\u0447\u0435\u043d\u0438\u0435 5 \u0434\u043d\u0435\u0439.\n\n"
    "\u0421 \u0443\u0432\u0430\u0436\u0435\u043d\u0438\u0435\u043c,\n\u0410\u043d\u043d\u0430 \u0421\u043c\u0438\u0440\u043d\u043e\u0432\u0430\n",
    ("\u0410\u043d\u043d\u0430 \u0421\u043c\u0438\u0440\u043d\u043e\u0432\u0430", "a.smirnova@mail.example.ru"), ["buh@rapport.example"],
    "1390186141.20261201123301@mail.example.ru",
    received("smtp.mail.example.ru", "94.100.180.200", "4QkW5e4Wl1z9td", "Tue,  1 Dec 2026 09:33:05 +0000 (UTC)",
             "buh@rapport.example")
    + "Date: Tue, 1 Dec 2026 12:33:01 +0300\nX-Mailer: The Bat! (v10.5.0.1) Professional\n",
    expect_text=["\u0441\u0447\u0451\u0442 \u2116 318", "48 600 \u0440\u0443\u0431."])

charset_case(
    "16-charset-koi8-r.eml", "KOI8-R (Russian) loan application, 8bit body",
    "koi8-r", "koi8-r",
    "\u0417\u0430\u044f\u0432\u043a\u0430 \u043d\u0430 \u043a\u0440\u0435\u0434\u0438\u0442: "
    "\u043f\u0440\u043e\u0448\u0443 \u043f\u0435\u0440\u0435\u0437\u0432\u043e\u043d\u0438\u0442\u044c",
    "\u0414\u043e\u0431\u0440\u044b\u0439 \u0434\u0435\u043d\u044c!\n\n"
    "\u042f \u043f\u043e\u0434\u0430\u043b \u0437\u0430\u044f\u0432\u043a\u0443 \u043d\u0430 "
    "\u043f\u043e\u0442\u0440\u0435\u0431\u0438\u0442\u0435\u043b\u044c\u0441\u043a\u0438\u0439 \u043a\u0440\u0435\u0434\u0438\u0442 "
    "\u041a\u0420-5512 \u043d\u0430 300 000 \u0440\u0443\u0431\u043b\u0435\u0439. "
    "\u041f\u0440\u043e\u0448\u0443 \u043f\u0435\u0440\u0435\u0437\u0432\u043e\u043d\u0438\u0442\u044c \u043f\u043e\u0441\u043b\u0435 18:00.\n\n"
    "\u0418\u0433\u043e\u0440\u044c \u0412\u043e\u043b\u043a\u043e\u0432\n",
    ("\u0418\u0433\u043e\u0440\u044c \u0412\u043e\u043b\u043a\u043e\u0432", "ivolkov@yandex.example"), ["credit@rapport.example"],
    "2931764590123@iva3-0f1c2d3e4f5a.qloud-c.yandex.example",
    received("forward101a.mail.yandex.example", "178.154.239.84", "4QkW6f5Xm2z9te", "Tue,  1 Dec 2026 09:41:40 +0000 (UTC)",
             "credit@rapport.example")
    + "Date: Tue, 1 Dec 2026 12:41:37 +0300\nX-Mailer: Yamail [ http://yandex.ru ] 5.0\n",
    expect_text=["\u043a\u0440\u0435\u0434\u0438\u0442 \u041a\u0420-5512", "\u043f\u043e\u0441\u043b\u0435 18:00"])

FOXMAIL_HEAD = (
    "X-QQ-mid: bizesmtp81t1764553901tq8w2k1x\n"
    "X-QQ-Originating-IP: 6qV0a2Yb3Zc4Xd5Wf6Ug7Th8Si9Rj0Qk1Pl2Om3Nn4=\n"
    "X-QQ-SSF: 00400000000000F0\n"
    "X-QQ-GoodBg: 0\n"
    "X-Mailer: Foxmail 7.2.25.254[cn]\n"
    "X-Priority: 3\n"
)
charset_case(
    "17-charset-gb2312-foxmail.eml", "GB2312 Foxmail order confirmation: =?gb2312?B?...?= Subject, base64 GB2312 body",
    "gb2312", "gb2312",
    "\u8ba2\u5355\u786e\u8ba4\uff1a\u91c7\u8d2d\u5408\u540c HT-20261201",
    "\u60a8\u597d\uff01\n\n\u6211\u65b9\u5df2\u786e\u8ba4\u91c7\u8d2d\u5408\u540c HT-20261201\uff0c"
    "\u5171\u8ba1 500 \u53f0\u626b\u7801\u67aa\uff0c\u603b\u91d1\u989d \u4eba\u6c11\u5e01 86,500 \u5143\u3002\n"
    "\u8bf7\u5728\u672c\u5468\u4e94\u524d\u5b89\u6392\u53d1\u8d27\u3002\n\n\u738b\u5efa\u56fd\n",
    ("\u738b\u5efa\u56fd", "wangjianguo@foxmail.example"), ["sales@rapport.example"],
    "tencent_5F1E2D3C4B5A69788796A5B4C3D2E1F0A809@qq.example",
    received("smtpbg150.qq.example", "183.3.255.59", "4QkW7g6Yn3z9tf", "Tue,  1 Dec 2026 01:51:44 +0000 (UTC)")
    + "Date: Tue, 1 Dec 2026 09:51:41 +0800\n" + FOXMAIL_HEAD,
    cte="base64",
    expect_text=["\u91c7\u8d2d\u5408\u540c HT-20261201", "\u4eba\u6c11\u5e01 86,500 \u5143"])

COREMAIL_HEAD = (
    "X-Originating-IP: [114.86.12.77]\n"
    "X-Priority: 3\n"
    "X-Mailer: Coremail Webmail Server Version XT5.0.14 build 20230109(dcb5de15)\n"
    "X-NTES-SC: AL_Qu2bA/2bu0wu5iGbZ+kfmk8Xhe0+XsW3uPom2IFQP5FwjDzr9wM7VnJaNlbZ+M6HLSKhtIjsYHJZ\n"
    "X-CM-TRANSID: _____wD3r0Yf8Ctn0mYDAA--.20771S2\n"
    "X-Coremail-Antispam: 1Uf129KBjvJXoW7Zr4kZw15Gw4xCF1rAr17GFg_yoW8Wr1UpF\n"
    "X-CM-SenderInfo: xlhd0vpzlqwqqrwthudrp/1tbiTgbsB2V4l0R0XwAAsk\n"
)
charset_case(
    "18-charset-gbk.eml", "GBK labelled gbk (NetEase 163 Coremail), names with \u9555 and \u5586 that GB2312 lacks",
    "gbk", "gbk",
    "\u9000\u6b3e\u7533\u8bf7\uff1a\u5218\u9555 \u8ba2\u5355 163-88120",
    "\u60a8\u597d\uff0c\n\n\u6211\u662f\u5218\u9555\uff0c\u540c\u4e8b\u5f20\u5586\u4e5f\u5728\u6284\u9001\u4e2d\u3002"
    "\u8ba2\u5355 163-88120 \u7684\u8d27\u7269\u6709\u7834\u635f\uff0c\u7533\u8bf7\u9000\u6b3e 1,280 \u5143\u3002\n\n\u5218\u9555\n",
    ("\u5218\u9555", "liurong2026@163.example"), ["kefu@rapport.example"],
    "4a1c9e2f.3b7d.18c2f5e0a11.Coremail.liurong2026@163.example",
    received("m16.mail.163.example", "220.181.12.16", "4QkW8h7Zp4z9tg", "Tue,  1 Dec 2026 02:05:19 +0000 (UTC)",
             "kefu@rapport.example")
    + "Date: Tue, 1 Dec 2026 10:05:16 +0800 (CST)\n" + COREMAIL_HEAD,
    cte="base64",
    expect_text=["\u6211\u662f\u5218\u9555", "\u540c\u4e8b\u5f20\u5586", "\u7533\u8bf7\u9000\u6b3e 1,280 \u5143"])

charset_case(
    "19-charset-gbk-labelled-gb2312.eml", "GBK bytes (\u9555 \u5586) labelled gb2312, as many Chinese mailers do: decode as GBK",
    "gb2312", "gbk",
    "\u5173\u4e8e\u5f20\u5586\u7684\u8d37\u6b3e\u7533\u8bf7",
    "\u5404\u4f4d\u597d\uff1a\n\n\u5f20\u5586\u7684\u7ecf\u8425\u8d37\u6b3e\u7533\u8bf7 DK-7730 \u5df2\u63d0\u4ea4\uff0c"
    "\u62c5\u4fdd\u4eba\u4e3a\u6731\u9555\u57fa\u3002\u8bf7\u5c3d\u5feb\u5ba1\u6838\u3002\n\n\u674e\u660e\n",
    ("\u674e\u660e", "liming@sina.example"), ["loans@rapport.example"],
    "20261201102233.7730.liming@sina.example",
    received("smtp.sina.example", "123.126.45.20", "4QkW9j8aq5z9th", "Tue,  1 Dec 2026 02:22:36 +0000 (UTC)",
             "loans@rapport.example")
    + "Date: Tue, 1 Dec 2026 10:22:33 +0800\nX-Mailer: SinaMail 3.0\n",
    cte="base64",
    expect_text=["\u5f20\u5586\u7684\u7ecf\u8425\u8d37\u6b3e\u7533\u8bf7 DK-7730", "\u6731\u9555\u57fa"])

charset_case(
    "20-charset-gb18030-four-byte.eml", "GB18030 with 4-byte sequences (\U0001F600 in the Subject, \U00020000 and \U0001F600 in the body)",
    "gb18030", "gb18030",
    "\u53d1\u7968\u5df2\u5f00\u5177 \U0001F600",
    "\u60a8\u597d\uff0c\n\n\u53d1\u7968 FP-2026-3318 \u5df2\u5f00\u5177\uff0c\u8bf7\u67e5\u6536 \U0001F600\u3002\n"
    "\u6536\u4ef6\u4eba\u59d3\u540d\u4e2d\u7684\u751f\u50fb\u5b57\uff1a\U00020000\u3002\n\n\u8d22\u52a1\u90e8\n",
    ("\u8d22\u52a1\u90e8", "finance@gb18030-corp.example"), ["ar@rapport.example"],
    "fp-2026-3318.1764556800@gb18030-corp.example",
    received("mail.gb18030-corp.example", "202.96.134.133", "4QkWak9br6z9ti", "Tue,  1 Dec 2026 02:40:01 +0000 (UTC)",
             "ar@rapport.example")
    + "Date: Tue, 1 Dec 2026 10:39:58 +0800\nX-Mailer: Foxmail 7.2.25.254[cn]\n",
    cte="base64",
    expect_text=["\u53d1\u7968 FP-2026-3318 \u5df2\u5f00\u5177\uff0c\u8bf7\u67e5\u6536 \U0001F600", "\u751f\u50fb\u5b57\uff1a\U00020000"])

charset_case(
    "21-charset-big5.eml", "Big5 traditional Chinese (Taiwan), 8bit body",
    "big5", "big5",
    "\u8a02\u623f\u78ba\u8a8d\uff1a\u53f0\u5317\u66c9\u82b1\u9152\u5e97 12\u670818\u65e5",
    "\u60a8\u597d\uff1a\n\n\u6211\u5011\u5df2\u70ba\u60a8\u4fdd\u7559 12\u670818\u65e5\u81f3 12\u670820\u65e5\u7684\u96d9\u4eba\u623f\uff0c"
    "\u8a02\u623f\u7de8\u865f TP-60218\uff0c\u7e3d\u50f9\u65b0\u53f0\u5e63 9,600 \u5143\u3002\n"
    "\u5982\u9700\u53d6\u6d88\uff0c\u8acb\u65bc\u5165\u4f4f\u524d\u4e09\u5929\u901a\u77e5\u3002\n\n\u9673\u6021\u541b\n",
    ("\u9673\u6021\u541b", "yijun.chen@hinet.example"), ["booking@rapport.example"],
    "TP-60218.20261201113015@hinet.example",
    received("msa.hinet.example", "168.95.4.211", "4QkWbm0cs7z9tj", "Tue,  1 Dec 2026 03:30:18 +0000 (UTC)",
             "booking@rapport.example")
    + "Date: Tue, 1 Dec 2026 11:30:15 +0800\nX-Mailer: Microsoft Outlook 16.0\n",
    expect_text=["\u8a02\u623f\u7de8\u865f TP-60218", "\u65b0\u53f0\u5e63 9,600 \u5143"])

charset_case(
    "22-charset-shift-jis.eml", "Shift_JIS Japanese, 8bit body (includes \u8868 whose second byte is 0x5C)",
    "Shift_JIS", "shift_jis",
    "\u898b\u7a4d\u66f8\u9001\u4ed8\u306e\u304a\u9858\u3044\uff08\u6848\u4ef6\u756a\u53f7 JP-4471\uff09",
    "\u3044\u3064\u3082\u304a\u4e16\u8a71\u306b\u306a\u3063\u3066\u304a\u308a\u307e\u3059\u3002\n\n"
    "\u6848\u4ef6\u756a\u53f7 JP-4471 \u306e\u898b\u7a4d\u66f8\u3092\u304a\u9001\u308a\u304f\u3060\u3055\u3044\u3002"
    "\u4fa1\u683c\u8868\u3082\u3042\u308f\u305b\u3066\u304a\u9858\u3044\u3057\u307e\u3059\u3002\n\n"
    "\u682a\u5f0f\u4f1a\u793e\u30b5\u30af\u30e9\u5546\u4e8b\n\u7530\u4e2d \u4e00\u90ce\n",
    ("\u7530\u4e2d \u4e00\u90ce", "tanaka@sakura-shoji.example"), ["sales@rapport.example"],
    "20261201134501.JP4471@sakura-shoji.example",
    received("mail.sakura-shoji.example", "210.130.1.5", "4QkWcn1dt8z9tk", "Tue,  1 Dec 2026 04:45:04 +0000 (UTC)")
    + "Date: Tue, 1 Dec 2026 13:45:01 +0900\nX-Mailer: Becky! ver. 2.81.04\n",
    expect_text=["\u6848\u4ef6\u756a\u53f7 JP-4471 \u306e\u898b\u7a4d\u66f8", "\u4fa1\u683c\u8868\u3082"])

charset_case(
    "23-charset-iso-2022-jp.eml", "ISO-2022-JP (Yahoo! JAPAN style): B-encoded Subject, 7bit JIS body with escape sequences",
    "ISO-2022-JP", "iso2022_jp",
    "\u3054\u4e88\u7d04\u306e\u78ba\u8a8d\uff08\u4e88\u7d04\u756a\u53f7 YJ-80512\uff09",
    "\u5c71\u7530\u69d8\n\n\u3054\u4e88\u7d04\u3042\u308a\u304c\u3068\u3046\u3054\u3056\u3044\u307e\u3059\u3002\n"
    "\u4e88\u7d04\u756a\u53f7 YJ-80512\u3001\u5e73\u65e5\u30d7\u30e9\u30f3\u3001\u4e8c\u540d\u69d8\u3067\u627f\u308a\u307e\u3057\u305f\u3002\n"
    "\u30c1\u30a7\u30c3\u30af\u30a4\u30f3\u306f\u5341\u4e94\u6642\u304b\u3089\u3067\u3059\u3002\n\n\u65c5\u9928\u307f\u3069\u308a\u3000\u4e88\u7d04\u4fc2\n",
    ("\u65c5\u9928\u307f\u3069\u308a", "yoyaku@ryokan-midori.example"), ["yamada.hanako@yahoo.example.jp"],
    "20261201050210.80512.qm@web101.mail.kks.yahoo.example.jp",
    received("mta1015.mail.kks.yahoo.example.jp", "182.22.12.15", "4QkWdo2eu9z9tm", "Tue,  1 Dec 2026 05:02:13 +0000 (UTC)",
             "yamada.hanako@yahoo.example.jp")
    + "Date: Tue, 1 Dec 2026 14:02:10 +0900 (JST)\nX-Mailer: YahooMailWebService/0.8.1235\n",
    cte="7bit",
    expect_text=["\u4e88\u7d04\u756a\u53f7 YJ-80512", "\u5341\u4e94\u6642\u304b\u3089"])

charset_case(
    "24-charset-euc-kr.eml", "EUC-KR Korean (Naver style), base64 body",
    "EUC-KR", "euc_kr",
    "\uc8fc\ubb38 \ud655\uc778: \uc0c1\ud488 \ubc88\ud638 KR-2290 \ud658\ubd88 \uc694\uccad",
    "\uc548\ub155\ud558\uc138\uc694.\n\n\uc8fc\ubb38 \ubc88\ud638 KR-2290 \uc0c1\ud488\uc774 \ud30c\uc190\ub418\uc5b4 "
    "\ud658\ubd88\uc744 \uc694\uccad\ud569\ub2c8\ub2e4. \uae08\uc561\uc740 58,000\uc6d0\uc785\ub2c8\ub2e4.\n\n\uae40\ubbfc\uc900 \ub4dc\ub9bc\n",
    ("\uae40\ubbfc\uc900", "minjun.kim@naver.example"), ["cs@rapport.example"],
    "a1b2c3d4e5f6a7b8c9d0.minjun.kim@naver.example",
    received("cvsmtppost05.nm.naver.example", "125.209.224.209", "4QkWep3fv0z9tn", "Tue,  1 Dec 2026 06:12:40 +0000 (UTC)",
             "cs@rapport.example")
    + "Date: Tue, 1 Dec 2026 15:12:37 +0900\nX-Naver-CIP: 211.234.100.9\nX-Mailer: Naver Mail\n",
    cte="base64",
    expect_text=["\uc8fc\ubb38 \ubc88\ud638 KR-2290", "58,000\uc6d0"])

charset_case(
    "25-charset-ks-c-5601-1987.eml", "Korean labelled ks_c_5601-1987 as Outlook does (the bytes are CP949/EUC-KR), base64 body",
    "ks_c_5601-1987", "cp949",
    "\ub300\ucd9c \uc2e0\uccad\uc11c \uc81c\ucd9c \uc644\ub8cc",
    "\ub2f4\ub2f9\uc790\ub2d8\uaed8,\n\n\ub300\ucd9c \uc2e0\uccad\uc11c LN-5501\uacfc \uc18c\ub4dd \uc99d\ube59 \uc11c\ub958\ub97c "
    "\uc81c\ucd9c\ud588\uc2b5\ub2c8\ub2e4. \ud655\uc778 \ubd80\ud0c1\ub4dc\ub9bd\ub2c8\ub2e4.\n\n\uc774\uc11c\uc5f0\n",
    ("\uc774\uc11c\uc5f0", "seoyeon.lee@contoso.co.example"), ["loans@rapport.example"],
    "SL2P216MB10429E8C7A6B5D4F3E2A1B0C9D8E7@SL2P216MB1042.KORP216.PROD.OUTLOOK.COM",
    received("KOR01-SL2-obe.outbound.protection.outlook.com", "40.107.215.96", "4QkWfq4gw1z9to",
             "Tue,  1 Dec 2026 06:30:02 +0000 (UTC)", "loans@rapport.example")
    + "Date: Tue, 1 Dec 2026 06:29:58 +0000\nThread-Topic: LN-5501\nThread-Index: AdtEBx1kq2m3n4o5p6q7r8s9t0u1vw==\n"
      "Accept-Language: ko-KR, en-US\nContent-Language: ko-KR\nX-MS-Has-Attach:\n",
    cte="base64",
    expect_text=["\ub300\ucd9c \uc2e0\uccad\uc11c LN-5501", "\uc18c\ub4dd \uc99d\ube59 \uc11c\ub958"])


# 26-29. mislabelled 8-bit

case("26-8bit-utf8-no-charset.eml", crlf(
    "Return-Path: <www-data@shop.casa-azul.example>\n"
    "Received: from web03.casa-azul.example (web03.casa-azul.example [198.51.100.61])\n"
    "\tby mx.rapport.example (Postfix) with ESMTP id 4QkX1a2Bc3z9tp\n"
    "\tfor <contato@rapport.example>; Tue,  1 Dec 2026 17:05:12 +0000 (UTC)\n"
    "To: contato@rapport.example\n"
    "Subject: Formulario de contato: pedido 90877\n"
    "X-PHP-Originating-Script: 33:contact-form.php\n"
    "X-Mailer: PHP/8.2.12\n"
    "From: " + ew_b("\u00c1lvaro Gon\u00e7alves") + " <alvaro.goncalves@sapo.example>\n"
    "Message-Id: <20261201170512.6E4F21C0A3@web03.casa-azul.example>\n"
    "Date: Tue,  1 Dec 2026 17:05:12 +0000 (UTC)\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain\n"
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
    "Nome: \u00c1lvaro Gon\u00e7alves\n"
    "Pedido: 90877\n"
    "Mensagem: A encomenda chegou sem o cart\u00e3o de garantia. Podem envi\u00e1-lo por correio? Obrigado!\n"),
    "raw UTF-8 body with Content-Type text/plain and no charset parameter (PHP form mailer): decoded as UTF-8",
    subject="Formulario de contato: pedido 90877",
    **{"from": addr("\u00c1lvaro Gon\u00e7alves", "alvaro.goncalves@sapo.example")},
    to=["contato@rapport.example"],
    message_id="20261201170512.6E4F21C0A3@web03.casa-azul.example",
    text_contains=["sem o cart\u00e3o de garantia", "Podem envi\u00e1-lo por correio?"],
)

case("27-8bit-utf8-declared-us-ascii.eml", crlf(
    "Return-Path: <noreply@tickets.fjord-rentals.example>\n"
    "Received: from app2.fjord-rentals.example (app2.fjord-rentals.example [192.0.2.88])\n"
    "\tby mx.rapport.example (Postfix) with ESMTP id 4QkX2b3Cd4z9tq\n"
    "\tfor <partners@rapport.example>; Tue,  1 Dec 2026 17:20:40 +0000 (UTC)\n"
    "Date: Tue, 1 Dec 2026 18:20:37 +0100\n"
    "From: Fjord Rentals <noreply@tickets.fjord-rentals.example>\n"
    "To: partners@rapport.example\n"
    "Subject: Booking FR-1207 changed\n"
    "Message-ID: <FR-1207.change.3@tickets.fjord-rentals.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "Content-Transfer-Encoding: 7bit\n"
    "\n"
    "Booking FR-1207 was changed by the customer.\n"
    "Guest: S\u00f8ren \u00c5kesson\n"
    "Pick-up: Troms\u00f8 airport, 14 Dec 2026\n"
    "Extra: snow chains (2 \u00d7 150 kr)\n"),
    "raw UTF-8 bytes in a body declared us-ascii 7bit: decoded as UTF-8 (charset problem, not malformed)",
    subject="Booking FR-1207 changed",
    **{"from": addr("Fjord Rentals", "noreply@tickets.fjord-rentals.example")},
    to=["partners@rapport.example"],
    message_id="FR-1207.change.3@tickets.fjord-rentals.example",
    text_contains=["Guest: S\u00f8ren \u00c5kesson", "Troms\u00f8 airport", "2 \u00d7 150 kr"],
)

case("28-declared-utf8-windows-1252-bytes.eml", crlf(
    b"Return-Path: <info@cafe-lumiere.example>\n"
    b"Received: from smtp.cafe-lumiere.example (smtp.cafe-lumiere.example [203.0.113.31])\n"
    b"\tby mx.rapport.example (Postfix) with ESMTP id 4QkX3c4De5z9tr\n"
    b"\tfor <orders@rapport.example>; Tue,  1 Dec 2026 17:41:03 +0000 (UTC)\n"
    b"Date: Tue, 1 Dec 2026 18:41:00 +0100\n"
    b"From: Cafe Lumiere <info@cafe-lumiere.example>\n"
    b"To: orders@rapport.example\n"
    b"Subject: Commande de caf\xc3\xa9 CL-3301\n"
    b"Message-ID: <cl-3301.20261201184100@cafe-lumiere.example>\n"
    b"MIME-Version: 1.0\n"
    b"Content-Type: text/plain; charset=utf-8\n"
    b"Content-Transfer-Encoding: 8bit\n"
    b"X-Mailer: Microsoft Outlook Express 6.00.2900.5931\n"
    b"\n"
    + "Bonjour,\n\nVoici notre commande CL-3301 : 12 kg de caf\u00e9 en grains, livr\u00e9s le 4 d\u00e9cembre.\n"
      "Montant convenu : 264 \u20ac \u2013 merci de confirmer \u201cavant jeudi\u201d.\n\nAm\u00e9lie\n".encode("cp1252")),
    "body declared utf-8 but written in Windows-1252 (\u00e9 as 0xE9, \u20ac as 0x80, smart quotes): the Windows-1252 text is expected",
    subject="Commande de caf\u00e9 CL-3301",
    **{"from": addr("Cafe Lumiere", "info@cafe-lumiere.example")},
    to=["orders@rapport.example"],
    message_id="cl-3301.20261201184100@cafe-lumiere.example",
    text_contains=["12 kg de caf\u00e9 en grains, livr\u00e9s le 4 d\u00e9cembre", "264 \u20ac \u2013 merci",
                   "\u201cavant jeudi\u201d"],
    text_excludes=["\ufffd"],
)

case("29-raw-utf8-subject.eml", crlf(
    "Return-Path: <zoe.mueller@posteo.example>\n"
    "Received: from mout02.posteo.example (mout02.posteo.example [185.67.36.66])\n"
    "\tby mx.rapport.example (Postfix) with ESMTPS id 4QkX4d5Ef6z9ts\n"
    "\tfor <support@rapport.example>; Tue,  1 Dec 2026 18:02:19 +0000 (UTC)\n"
    "Date: Tue, 1 Dec 2026 19:02:16 +0100\n"
    "From: Zo\u00eb M\u00fcller <zoe.mueller@posteo.example>\n"
    "To: support@rapport.example\n"
    "Subject: R\u00fcckfrage zur K\u00fcndigung \u2013 Vertrag \u2116 K-5580 \u2714\n"
    "Message-ID: <0b9d2e8c-k5580@posteo.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
    "Hallo,\n"
    "\n"
    "ich habe meinen Vertrag K-5580 zum 31.12. gek\u00fcndigt und noch keine Best\u00e4tigung erhalten.\n"
    "\n"
    "Gr\u00fc\u00dfe\n"
    "Zo\u00eb\n"),
    "raw 8-bit UTF-8 in Subject and From display name with no encoded words (RFC 6532 style)",
    subject="R\u00fcckfrage zur K\u00fcndigung \u2013 Vertrag \u2116 K-5580 \u2714",
    **{"from": addr("Zo\u00eb M\u00fcller", "zoe.mueller@posteo.example")},
    to=["support@rapport.example"],
    message_id="0b9d2e8c-k5580@posteo.example",
    text_contains=["Vertrag K-5580 zum 31.12. gek\u00fcndigt", "keine Best\u00e4tigung"],
)


# 30-34. reply and signature styles

_zh_reply = (
    "\u5f20\u7ecf\u7406\u60a8\u597d\uff0c\n\n\u6536\u5230\u3002\u6211\u4eec\u540c\u610f\u5c06\u4ea4\u8d27\u65e5\u671f"
    "\u8c03\u6574\u5230 12\u670810\u65e5\uff0c\u5408\u540c\u7f16\u53f7 SH-2026-0931 \u4e0d\u53d8\u3002\n\n\u8d75\u654f\n\n"
    "\u5728 2026\u5e7412\u67081\u65e5 10:00\uff0c\u5f20\u4f1f <zw@example.cn> \u5199\u9053\uff1a\n"
    "> \u8d75\u5c0f\u59d0\uff1a\n"
    "> \u7531\u4e8e\u6e2f\u53e3\u62e5\u5835\uff0c\u8fd9\u6279\u8d27\u7269\u6700\u65e9\u53ea\u80fd\u5728 12\u670810\u65e5\u53d1\u51fa\u3002\n"
    "> \u8bf7\u786e\u8ba4\u662f\u5426\u63a5\u53d7\u3002\n"
    ">\n"
    "> \u5f20\u4f1f\n")
case("30-reply-chinese-attribution.eml", crlf(
    received("smtpbg151.qq.example", "183.3.255.60", "4QkY1e6Fg7z9tt", "Tue,  1 Dec 2026 03:12:55 +0000 (UTC)",
             "zw@example.cn")
    + "From: \"=?utf-8?B?6LW15pWP?=\" <zhaomin@qq.example>\n"
    "To: \"=?utf-8?B?5byg5Lyf?=\" <zw@example.cn>\n"
    "Subject: =?utf-8?B?5Zue5aSN77ya5Lqk6LSn5pel5pyf6LCD5pW0?=\n"
    "Mime-Version: 1.0\n"
    "Content-Type: text/plain; charset=\"utf-8\"\n"
    "Content-Transfer-Encoding: base64\n"
    "Date: Tue, 1 Dec 2026 11:12:50 +0800\n"
    "X-Priority: 3\n"
    "Message-ID: <tencent_8A7B6C5D4E3F2A1B0C9D8E7F6A5B4C3D2E1F@qq.example>\n"
    "In-Reply-To: <20261201100000.SH2026.zw@example.cn>\n"
    "References: <20261201100000.SH2026.zw@example.cn>\n"
    "X-QQ-MIME: TCMime 1.0 by Tencent\n"
    "X-Mailer: QQMail 2.x\n"
    "X-QQ-Mailer: QQMail 2.x\n"
    "\n" + b64(_zh_reply.encode("utf-8")) + "\n"),
    "QQ Mail Chinese reply: new text, then '\u5728 \u2026 \u5199\u9053\uff1a' attribution and '>' quote",
    subject="\u56de\u590d\uff1a\u4ea4\u8d27\u65e5\u671f\u8c03\u6574",
    **{"from": addr("\u8d75\u654f", "zhaomin@qq.example")},
    to=["zw@example.cn"],
    message_id="tencent_8A7B6C5D4E3F2A1B0C9D8E7F6A5B4C3D2E1F@qq.example",
    in_reply_to="20261201100000.SH2026.zw@example.cn",
    references=["20261201100000.SH2026.zw@example.cn"],
    text_contains=["\u8c03\u6574\u5230 12\u670810\u65e5", "SH-2026-0931"],
    text_excludes=["\u6e2f\u53e3\u62e5\u5835", "\u5199\u9053"],
    quoted_contains=["\u6e2f\u53e3\u62e5\u5835"],
)

_fox_text = (
    "\u674e\u7ecf\u7406\uff1a\n\n\u9644\u4ef6\u662f\u4fee\u6539\u540e\u7684\u62a5\u4ef7\uff0c\u5355\u4ef7\u4e0b\u8c03\u5230 118 \u5143/\u53f0\uff0c"
    "\u8bf7\u67e5\u6536\u3002\n\n\u5218\u6d0b\n\n\n"
    "------------------ \u539f\u59cb\u90ae\u4ef6 ------------------\n"
    "\u53d1\u4ef6\u4eba: \"\u674e\u5a1c\"<li.na@foxmail.example>;\n"
    "\u53d1\u9001\u65f6\u95f4: 2026\u5e7412\u67081\u65e5(\u661f\u671f\u4e8c) \u4e0a\u534810:00\n"
    "\u6536\u4ef6\u4eba: \"\u5218\u6d0b\"<liuyang@rapport.example>;\n"
    "\u4e3b\u9898: \u8be2\u4ef7\uff1aSX-200 \u626b\u7801\u67aa\n\n"
    "\u4f60\u597d\uff0c\u8bf7\u62a5 500 \u53f0 SX-200 \u7684\u6700\u4f4e\u4ef7\u3002\n")
_fox_html = (
    "<div>\u674e\u7ecf\u7406\uff1a</div><div><br></div><div>\u9644\u4ef6\u662f\u4fee\u6539\u540e\u7684\u62a5\u4ef7\uff0c"
    "\u5355\u4ef7\u4e0b\u8c03\u5230 118 \u5143/\u53f0\uff0c\u8bf7\u67e5\u6536\u3002</div><div><br></div><div>\u5218\u6d0b</div>"
    "<div><br></div><div style=\"font-size: 12px;font-family: Arial Narrow;padding:2px 0 2px 0;\">"
    "------------------&nbsp;\u539f\u59cb\u90ae\u4ef6&nbsp;------------------</div>"
    "<div style=\"font-size: 12px;background:#efefef;padding:8px;\"><div><b>\u53d1\u4ef6\u4eba:</b>&nbsp;\"\u674e\u5a1c\"&lt;li.na@foxmail.example&gt;;</div>"
    "<div><b>\u53d1\u9001\u65f6\u95f4:</b>&nbsp;2026\u5e7412\u67081\u65e5(\u661f\u671f\u4e8c) \u4e0a\u534810:00</div></div>"
    "<div><br></div>\u4f60\u597d\uff0c\u8bf7\u62a5 500 \u53f0 SX-200 \u7684\u6700\u4f4e\u4ef7\u3002\n")
case("31-foxmail-original-message-history.eml", crlf(
    received("smtpbg152.qq.example", "183.3.255.61", "4QkY2f7Gh8z9tu", "Tue,  1 Dec 2026 03:40:10 +0000 (UTC)",
             "li.na@foxmail.example")
    + "From: \"=?gb18030?B?wfXR8w==?=\" <liuyang@rapport.example>\n"
    "To: \"=?gb18030?B?wO7EyA==?=\" <li.na@foxmail.example>\n"
    "Subject: " + ew_b("\u56de\u590d\uff1a\u8be2\u4ef7\uff1aSX-200 \u626b\u7801\u67aa", "gb18030") + "\n"
    "Mime-Version: 1.0\n"
    "Content-Type: multipart/alternative;\n"
    "\tboundary=\"----=_NextPart_6929B2A5_0C1D2E3F_4A5B6C7D\"\n"
    "Content-Transfer-Encoding: 8Bit\n"
    "Date: Tue, 1 Dec 2026 11:40:05 +0800\n"
    "X-Priority: 3\n"
    "Message-ID: <tencent_1F2E3D4C5B6A79880F1E2D3C4B5A6978@qq.example>\n"
    "In-Reply-To: <tencent_0A1B2C3D4E5F60718293A4B5C6D7E8F9@foxmail.example>\n"
    "References: <tencent_0A1B2C3D4E5F60718293A4B5C6D7E8F9@foxmail.example>\n"
    + FOXMAIL_HEAD +
    "\n"
    "This is a multi-part message in MIME format.\n"
    "\n"
    "------=_NextPart_6929B2A5_0C1D2E3F_4A5B6C7D\n"
    "Content-Type: text/plain;\n"
    "\tcharset=\"gb18030\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n" + b64(_fox_text.encode("gb18030")) + "\n"
    "\n"
    "------=_NextPart_6929B2A5_0C1D2E3F_4A5B6C7D\n"
    "Content-Type: text/html;\n"
    "\tcharset=\"gb18030\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n" + b64(_fox_html.encode("gb18030")) + "\n"
    "\n"
    "------=_NextPart_6929B2A5_0C1D2E3F_4A5B6C7D--\n"),
    "Foxmail reply in gb18030: '------------------ \u539f\u59cb\u90ae\u4ef6 ------------------' history with \u53d1\u4ef6\u4eba/\u53d1\u9001\u65f6\u95f4 block",
    subject="\u56de\u590d\uff1a\u8be2\u4ef7\uff1aSX-200 \u626b\u7801\u67aa",
    **{"from": addr("\u5218\u6d0b", "liuyang@rapport.example")},
    to=["li.na@foxmail.example"],
    message_id="tencent_1F2E3D4C5B6A79880F1E2D3C4B5A6978@qq.example",
    in_reply_to="tencent_0A1B2C3D4E5F60718293A4B5C6D7E8F9@foxmail.example",
    references=["tencent_0A1B2C3D4E5F60718293A4B5C6D7E8F9@foxmail.example"],
    text_contains=["\u5355\u4ef7\u4e0b\u8c03\u5230 118 \u5143/\u53f0"],
    text_excludes=["\u539f\u59cb\u90ae\u4ef6", "\u6700\u4f4e\u4ef7", "\u53d1\u9001\u65f6\u95f4"],
    quoted_contains=["\u8bf7\u62a5 500 \u53f0 SX-200 \u7684\u6700\u4f4e\u4ef7"],
)

_iphone_zh = (
    "\u597d\u7684\uff0c\u6211\u4eca\u5929\u4e0b\u5348\u628a\u8eab\u4efd\u8bc1\u590d\u5370\u4ef6\u548c\u94f6\u884c\u6d41\u6c34\u8865\u4ea4\u5230\u8425\u4e1a\u5385\u3002\n\n"
    "\u53d1\u81ea\u6211\u7684iPhone\n\n"
    "\u5728 2026\u5e7412\u67081\u65e5\uff0c10:00\uff0c\u5f20\u4f1f <zw@example.cn> \u5199\u9053\uff1a\n\n"
    "> \u738b\u5148\u751f\uff0c\u60a8\u7684\u623f\u8d37\u7533\u8bf7 FD-20417 \u8fd8\u7f3a\u5c11\u8fd1\u516d\u4e2a\u6708\u7684\u94f6\u884c\u6d41\u6c34\u3002\n"
    "> \n"
    "> \u5f20\u4f1f\n")
case("32-iphone-chinese-footer.eml", crlf(
    received("smtp.icloud.example", "17.58.6.40", "4QkY3g8Hi9z9tv", "Tue,  1 Dec 2026 05:31:02 +0000 (UTC)", "zw@example.cn")
    + "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "From: =?utf-8?B?546L5by6?= <wangqiang@icloud.example>\n"
    "Mime-Version: 1.0 (1.0)\n"
    "Subject: =?utf-8?B?UmU6IOaIv+i0t+eUs+ivtyBGRC0yMDQxNw==?=\n"
    "Date: Tue, 1 Dec 2026 13:30:58 +0800\n"
    "Message-Id: <5D0C3B2A-7E6F-4A19-9B8C-1D2E3F4A5B6C@icloud.example>\n"
    "References: <fd-20417.req.1764554400@example.cn>\n"
    "In-Reply-To: <fd-20417.req.1764554400@example.cn>\n"
    "To: =?utf-8?B?5byg5Lyf?= <zw@example.cn>\n"
    "X-Mailer: iPhone Mail (22B91)\n"
    "\n" + qp(_iphone_zh.encode("utf-8"))),
    "iPhone Mail in Chinese: '\u53d1\u81ea\u6211\u7684iPhone' footer (signature), '\u5728 \u2026 \u5199\u9053\uff1a' attribution, quoted-printable",
    subject="Re: \u623f\u8d37\u7533\u8bf7 FD-20417",
    **{"from": addr("\u738b\u5f3a", "wangqiang@icloud.example")},
    to=["zw@example.cn"],
    message_id="5D0C3B2A-7E6F-4A19-9B8C-1D2E3F4A5B6C@icloud.example",
    in_reply_to="fd-20417.req.1764554400@example.cn",
    references=["fd-20417.req.1764554400@example.cn"],
    text_contains=["\u8eab\u4efd\u8bc1\u590d\u5370\u4ef6\u548c\u94f6\u884c\u6d41\u6c34"],
    text_excludes=["\u53d1\u81ea\u6211\u7684iPhone", "FD-20417 \u8fd8\u7f3a\u5c11"],
    quoted_contains=["\u623f\u8d37\u7533\u8bf7 FD-20417"],
    signature_contains=["\u53d1\u81ea\u6211\u7684iPhone"],
)

_iphone_en = (
    "Yes, please book the late checkout for room 412. We'll pay the extra 40 USD at the desk.\n\n"
    "Sent from my iPhone\n\n"
    "> On 1 Dec 2026, at 10:00, Ana Lima <ana@example.com> wrote:\n"
    ">\n"
    "> \ufeffDear Mr Okoro, a late checkout until 16:00 is available for 40 USD. Shall we book it?\n")
case("33-iphone-english-footer.eml", crlf(
    received("smtp.icloud.example", "17.58.6.41", "4QkY4h9Ij0z9tw", "Tue,  1 Dec 2026 10:21:47 +0000 (UTC)", "ana@example.com")
    + "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "From: Daniel Okoro <d.okoro@icloud.example>\n"
    "Mime-Version: 1.0 (1.0)\n"
    "Subject: Re: Late checkout, booking HB-7781\n"
    "Date: Tue, 1 Dec 2026 10:21:43 +0000\n"
    "Message-Id: <A9E8D7C6-B5A4-4F3E-8D2C-1B0A9F8E7D6C@icloud.example>\n"
    "References: <hb-7781.late.1764583200@example.com>\n"
    "In-Reply-To: <hb-7781.late.1764583200@example.com>\n"
    "To: Ana Lima <ana@example.com>\n"
    "X-Mailer: iPhone Mail (22B91)\n"
    "\n" + qp(_iphone_en.encode("utf-8"))),
    "iPhone Mail in English: 'Sent from my iPhone' footer (signature), then the Apple-style quoted attribution",
    subject="Re: Late checkout, booking HB-7781",
    **{"from": addr("Daniel Okoro", "d.okoro@icloud.example")},
    to=["ana@example.com"],
    message_id="A9E8D7C6-B5A4-4F3E-8D2C-1B0A9F8E7D6C@icloud.example",
    in_reply_to="hb-7781.late.1764583200@example.com",
    references=["hb-7781.late.1764583200@example.com"],
    text_contains=["late checkout for room 412"],
    text_excludes=["Sent from my iPhone", "Shall we book it?"],
    quoted_contains=["late checkout until 16:00"],
    signature_contains=["Sent from my iPhone"],
)

_apple_text = (
    "Hi Ana,\n\nThe signed loan agreement LA-30917 is attached to our portal upload. "
    "Could you confirm the first instalment date?\n\nBest regards\nMarta\n\n"
    "On 1 Dec 2026, at 10:00, Ana Lima <ana@example.com> wrote:\n\n"
    "Dear Marta,\n\nyour loan LA-30917 has been approved. Please sign the agreement in the portal.\n\nAna\n")
_apple_html = (
    "<html><head><meta http-equiv=\"content-type\" content=\"text/html; charset=utf-8\"></head>"
    "<body style=\"overflow-wrap: break-word; -webkit-nbsp-mode: space; line-break: after-white-space;\">"
    "Hi Ana,<div><br></div><div>The signed loan agreement LA-30917 is attached to our portal upload. "
    "Could you confirm the first instalment date?</div><div><br></div><div>Best regards</div><div>Marta<br>"
    "<div><br><blockquote type=\"cite\"><div>On 1 Dec 2026, at 10:00, Ana Lima &lt;ana@example.com&gt; wrote:</div>"
    "<br class=\"Apple-interchange-newline\"><div><div>Dear Marta,<br><br>your loan LA-30917 has been approved. "
    "Please sign the agreement in the portal.<br><br>Ana</div></div></blockquote></div><br></div></body></html>")
case("34-apple-mail-attribution.eml", crlf(
    received("mr85p00im-zteg06021501.me.example", "17.58.23.186", "4QkY5j0Jk1z9tx", "Tue,  1 Dec 2026 11:05:30 +0000 (UTC)",
             "ana@example.com")
    + "From: Marta Kowalczyk <marta.k@me.example>\n"
    "Content-Type: multipart/alternative;\n"
    "\tboundary=\"Apple-Mail=_4F1C8A2E-9B3D-4E7F-A0C1-2D3E4F5A6B7C\"\n"
    "Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3826.300.87.4.3\\))\n"
    "Subject: Re: Loan LA-30917 approved\n"
    "Date: Tue, 1 Dec 2026 12:05:26 +0100\n"
    "In-Reply-To: <la-30917.approved.1764579600@example.com>\n"
    "To: Ana Lima <ana@example.com>\n"
    "References: <la-30917.approved.1764579600@example.com>\n"
    "Message-Id: <7C6B5A4F-3E2D-4C1B-A098-F7E6D5C4B3A2@me.example>\n"
    "X-Mailer: Apple Mail (2.3826.300.87.4.3)\n"
    "\n"
    "\n"
    "--Apple-Mail=_4F1C8A2E-9B3D-4E7F-A0C1-2D3E4F5A6B7C\n"
    "Content-Transfer-Encoding: 7bit\n"
    "Content-Type: text/plain;\n"
    "\tcharset=us-ascii\n"
    "\n" + _apple_text + "\n"
    "--Apple-Mail=_4F1C8A2E-9B3D-4E7F-A0C1-2D3E4F5A6B7C\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "Content-Type: text/html;\n"
    "\tcharset=us-ascii\n"
    "\n" + qp(_apple_html.encode("ascii")) + "\n"
    "--Apple-Mail=_4F1C8A2E-9B3D-4E7F-A0C1-2D3E4F5A6B7C--\n"),
    "macOS Apple Mail reply: 'On 1 Dec 2026, at 10:00, X wrote:' attribution followed by unprefixed history",
    subject="Re: Loan LA-30917 approved",
    **{"from": addr("Marta Kowalczyk", "marta.k@me.example")},
    to=["ana@example.com"],
    message_id="7C6B5A4F-3E2D-4C1B-A098-F7E6D5C4B3A2@me.example",
    in_reply_to="la-30917.approved.1764579600@example.com",
    references=["la-30917.approved.1764579600@example.com"],
    text_contains=["confirm the first instalment date"],
    text_excludes=["has been approved", "wrote:"],
    quoted_contains=["your loan LA-30917 has been approved"],
)


# 35-36. threading headers

case("35-threading-references-folded.eml", crlf(
    received_gmail(stamp="Tue, 01 Dec 2026 07:44:02 -0800 (PST)", rid="a640c23a62f3a")
    + DKIM_GMAIL +
    "MIME-Version: 1.0\n"
    "References: <CAF3kL9v2x=Yq7m0R1pT8wZ4nB6cD5eH2jK9sA0gU3iO7lM1rQ@mail.gmail.com>\n"
    " <ord-9001.confirm.1764400000@rapport.example>\n"
    "\t<CAB7xQ2n4M9pR0sT1uV2wX3yZ4aB5cD6eF7gH8iJ9kL0mN1oP2q@mail.gmail.com> (Ana Lima's reply)\n"
    " <ord-9001.update.1764576000@rapport.example>\n"
    "In-Reply-To: <ord-9001.update.1764576000@rapport.example>\n"
    "From: Rafael Souza <rafael.souza@gmail.com>\n"
    "Date: Tue, 1 Dec 2026 16:43:58 +0100\n"
    "Message-ID: <CAD9n2Lk0Pq4Rs8Tu1Vw5Xy7Za3Bc6De9Fg2Hi4Jk8Lm0No3Pq@mail.gmail.com>\n"
    "Subject: Re: Order ORD-9001 update\n"
    "To: Ana Lima <ana@example.com>\n"
    "Content-Type: text/plain; charset=\"UTF-8\"\n"
    "\n"
    "Thanks, the new delivery slot for ORD-9001 (Thursday morning) works for us.\n"
    "\n"
    "Rafael\n"),
    "threading: References with four ids folded over lines (space and tab) and a (comment) after one id",
    subject="Re: Order ORD-9001 update",
    **{"from": addr("Rafael Souza", "rafael.souza@gmail.com")},
    to=["ana@example.com"],
    message_id="CAD9n2Lk0Pq4Rs8Tu1Vw5Xy7Za3Bc6De9Fg2Hi4Jk8Lm0No3Pq@mail.gmail.com",
    in_reply_to="ord-9001.update.1764576000@rapport.example",
    references=["CAF3kL9v2x=Yq7m0R1pT8wZ4nB6cD5eH2jK9sA0gU3iO7lM1rQ@mail.gmail.com",
                "ord-9001.confirm.1764400000@rapport.example",
                "CAB7xQ2n4M9pR0sT1uV2wX3yZ4aB5cD6eF7gH8iJ9kL0mN1oP2q@mail.gmail.com",
                "ord-9001.update.1764576000@rapport.example"],
    text_contains=["new delivery slot for ORD-9001"],
)

case("36-threading-in-reply-to-only.eml", crlf(
    received("smtp.web.example", "212.227.15.3", "4QkZ1a1Kl2z9ty", "Tue,  1 Dec 2026 16:10:09 +0000 (UTC)",
             "ana@example.com")
    + "Date: Tue, 1 Dec 2026 17:10:05 +0100\n"
    "From: \"Hartmann, Klaus\" <k.hartmann@web.example>\n"
    "To: <ana@example.com>\n"
    "Subject: AW: Angebot Q-2026-774\n"
    "In-Reply-To: <q-2026-774.offer.1764500000@example.com>\n"
    "Message-ID: <trinity-4c2f9a1e-6b3d-4e8f-9a7c-0d1e2f3a4b5c-1764605405123@3c-app-webde-bap42>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "Importance: normal\n"
    "Sensitivity: Normal\n"
    "X-Priority: 3\n"
    "X-Provags-ID: V03:K1:2BsYk7Pz1lq0u+Nf3Xw8Rr9T\n"
    "\n"
    "Guten Tag Frau Lima,\n"
    "\n"
    "wir nehmen das Angebot Q-2026-774 an. Bitte senden Sie die Auftragsbest=C3=A4t=\n"
    "igung an unsere Einkaufsabteilung.\n"
    "\n"
    "Mit freundlichen Gr=C3=BC=C3=9Fen\n"
    "Klaus Hartmann\n"),
    "a reply with In-Reply-To and no References (web.de)",
    subject="AW: Angebot Q-2026-774",
    **{"from": addr("Hartmann, Klaus", "k.hartmann@web.example")},
    to=["ana@example.com"],
    message_id="trinity-4c2f9a1e-6b3d-4e8f-9a7c-0d1e2f3a4b5c-1764605405123@3c-app-webde-bap42",
    in_reply_to="q-2026-774.offer.1764500000@example.com",
    references=[],
    text_contains=["wir nehmen das Angebot Q-2026-774 an", "Auftragsbest\u00e4tigung"],
)


# 37-40. automatic replies

case("37-auto-submitted-auto-replied.eml", crlf(
    "Return-Path: <>\n"
    "Received: from mail.fabrikam.example (mail.fabrikam.example [198.51.100.9])\n"
    "\tby mx.rapport.example (Postfix) with ESMTPS id 4QkZ2b2Lm3z9tz\n"
    "\tfor <sales@rapport.example>; Tue,  1 Dec 2026 08:30:14 +0000 (UTC)\n"
    "Date: Tue, 1 Dec 2026 09:30:12 +0100\n"
    "From: Henrik Lund <henrik.lund@fabrikam.example>\n"
    "To: sales@rapport.example\n"
    "Subject: Away until 7 December (Re: Invoice INV-2026-0412)\n"
    "Message-ID: <dovecot-sieve-1764577812-118204-0@mail.fabrikam.example>\n"
    "In-Reply-To: <inv-2026-0412.sent.1764570000@rapport.example>\n"
    "References: <inv-2026-0412.sent.1764570000@rapport.example>\n"
    "Auto-Submitted: auto-replied (vacation)\n"
    "Precedence: bulk\n"
    "X-Loop: vacation\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: 7bit\n"
    "\n"
    "I am away until 7 December with limited access to email.\n"
    "For invoices please write to ap@fabrikam.example.\n"
    "\n"
    "Henrik Lund\n"),
    "Dovecot Sieve vacation reply: Auto-Submitted: auto-replied (with a comment), null Return-Path",
    subject="Away until 7 December (Re: Invoice INV-2026-0412)",
    **{"from": addr("Henrik Lund", "henrik.lund@fabrikam.example")},
    to=["sales@rapport.example"],
    message_id="dovecot-sieve-1764577812-118204-0@mail.fabrikam.example",
    in_reply_to="inv-2026-0412.sent.1764570000@rapport.example",
    references=["inv-2026-0412.sent.1764570000@rapport.example"],
    text_contains=["away until 7 December", "ap@fabrikam.example"],
    auto_reply=True,
)

_oof_html = (
    "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
    "<style type=\"text/css\" style=\"display:none;\"> P {margin-top:0;margin-bottom:0;} </style></head>"
    "<body dir=\"ltr\"><div style=\"font-family: Aptos, sans-serif; font-size: 12pt;\">"
    "Thank you for your message. I am out of the office until Monday 7 December 2026 and will have no access to email.<br>"
    "For urgent matters regarding orders please contact orders@contoso.com.</div></body></html>")
case("38-exchange-automatic-reply.eml", crlf(
    RECEIVED_OUTLOOK
    + DKIM_OUTLOOK +
    "From: Peter Novak <peter.novak@contoso.com>\n"
    "To: Lisa Chen <lisa.chen@rapport.example>\n"
    "Subject: Automatic reply: Your order ORD-5521 has shipped\n"
    "Thread-Topic: Your order ORD-5521 has shipped\n"
    "Thread-Index: AQHbQ2Xk7vY1mZr0TUu8aJc3n9s2rbAAAf4b\n"
    "Date: Tue, 1 Dec 2026 11:02:45 +0000\n"
    "Message-ID: <a3f0c9b8e7d64c5b9a8f7e6d5c4b3a29@DB9PR08MB6617.eurprd08.prod.outlook.com>\n"
    "In-Reply-To: <ord-5521-shipped.20261130161200@rapport.example>\n"
    "References: <ord-5521-shipped.20261130161200@rapport.example>\n"
    "Content-Language: en-GB\n"
    "X-MS-Has-Attach:\n"
    "X-MS-TNEF-Correlator:\n"
    "X-Auto-Response-Suppress: All\n"
    "X-MS-Exchange-Organization-SCL: -1\n"
    "X-MS-Exchange-Inbox-Rules-Loop: peter.novak@contoso.com\n"
    "Content-Type: text/html; charset=\"utf-8\"\n"
    "Content-Transfer-Encoding: base64\n"
    "MIME-Version: 1.0\n"
    "\n" + b64(_oof_html.encode("utf-8")) + "\n"),
    "Exchange Online out-of-office: 'Automatic reply:' subject, X-Auto-Response-Suppress: All, In-Reply-To, HTML only",
    subject="Automatic reply: Your order ORD-5521 has shipped",
    **{"from": addr("Peter Novak", "peter.novak@contoso.com")},
    to=["lisa.chen@rapport.example"],
    message_id="a3f0c9b8e7d64c5b9a8f7e6d5c4b3a29@DB9PR08MB6617.eurprd08.prod.outlook.com",
    in_reply_to="ord-5521-shipped.20261130161200@rapport.example",
    references=["ord-5521-shipped.20261130161200@rapport.example"],
    text_contains=["out of the office until Monday 7 December 2026", "orders@contoso.com"],
    text_excludes=["margin-top", "<div"],
    auto_reply=True,
)

_yandex_auto = (
    "\u0417\u0434\u0440\u0430\u0432\u0441\u0442\u0432\u0443\u0439\u0442\u0435! \u0412\u0430\u0448\u0435 \u043f\u0438\u0441\u044c\u043c\u043e "
    "\u043f\u043e\u043b\u0443\u0447\u0435\u043d\u043e. \u041c\u044b \u043e\u0442\u0432\u0435\u0442\u0438\u043c \u0432 "
    "\u0442\u0435\u0447\u0435\u043d\u0438\u0435 \u043e\u0434\u043d\u043e\u0433\u043e \u0440\u0430\u0431\u043e\u0447\u0435\u0433\u043e "
    "\u0434\u043d\u044f.\n\u041e\u0442\u0434\u0435\u043b \u043f\u0440\u043e\u0434\u0430\u0436 \u00ab\u0421\u0435\u0432\u0435\u0440\u00bb\n")
case("39-x-autoreply-yes.eml", crlf(
    received("forward102a.mail.yandex.example", "178.154.239.85", "4QkZ3c3Mn4z9u0", "Tue,  1 Dec 2026 09:50:07 +0000 (UTC)",
             "buh@rapport.example")
    + "From: " + ew_b("\u041e\u0442\u0434\u0435\u043b \u043f\u0440\u043e\u0434\u0430\u0436 \u0421\u0435\u0432\u0435\u0440") + " <sales@sever-trade.example>\n"
    "To: buh@rapport.example\n"
    "Subject: " + ew_b("\u0410\u0432\u0442\u043e\u043e\u0442\u0432\u0435\u0442: \u0421\u0447\u0451\u0442 \u2116 318") + "\n"
    "Date: Tue, 1 Dec 2026 12:50:04 +0300\n"
    "Message-Id: <3551764582204@vla5-2a1b3c4d5e6f.qloud-c.yandex.example>\n"
    "X-Autoreply: yes\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: base64\n"
    "\n" + b64(_yandex_auto.encode("utf-8")) + "\n"),
    "Yandex-style autoresponder: X-Autoreply: yes is the only sign (no In-Reply-To, subject prefix not in English)",
    subject="\u0410\u0432\u0442\u043e\u043e\u0442\u0432\u0435\u0442: \u0421\u0447\u0451\u0442 \u2116 318",
    **{"from": addr("\u041e\u0442\u0434\u0435\u043b \u043f\u0440\u043e\u0434\u0430\u0436 \u0421\u0435\u0432\u0435\u0440", "sales@sever-trade.example")},
    to=["buh@rapport.example"],
    message_id="3551764582204@vla5-2a1b3c4d5e6f.qloud-c.yandex.example",
    text_contains=["\u0412\u0430\u0448\u0435 \u043f\u0438\u0441\u044c\u043c\u043e \u043f\u043e\u043b\u0443\u0447\u0435\u043d\u043e"],
    auto_reply=True,
)

case("40-auto-submitted-no.eml", crlf(
    received("smtp.kmail-user.example", "192.0.2.201", "4QkZ4d4No5z9u1", "Tue,  1 Dec 2026 13:14:29 +0000 (UTC)",
             "support@rapport.example")
    + "From: Out of Office Furniture Ltd <hello@outofoffice-furniture.example>\n"
    "To: support@rapport.example\n"
    "Subject: Re: Desk order OOF-8812: delivery question\n"
    "Date: Tue, 01 Dec 2026 13:14:25 +0000\n"
    "Message-ID: <2987431.LkxdtWsSYb@workstation>\n"
    "In-Reply-To: <oof-8812.delivery.1764590000@rapport.example>\n"
    "References: <oof-8812.delivery.1764590000@rapport.example>\n"
    "Auto-Submitted: no\n"
    "MIME-Version: 1.0\n"
    "Content-Transfer-Encoding: 7Bit\n"
    "Content-Type: text/plain; charset=\"us-ascii\"\n"
    "User-Agent: KMail/5.2.3 (Linux/6.1.0-13-amd64; KDE/5.103.0; x86_64; ; )\n"
    "\n"
    "Hello,\n"
    "\n"
    "a person here: please deliver the standing desks for OOF-8812 to the back entrance,\n"
    "the lift at the front is out of service this week.\n"
    "\n"
    "Maya\n"),
    "a person's reply carrying Auto-Submitted: no (and a sender name starting 'Out of Office'): NOT automatic",
    subject="Re: Desk order OOF-8812: delivery question",
    **{"from": addr("Out of Office Furniture Ltd", "hello@outofoffice-furniture.example")},
    to=["support@rapport.example"],
    message_id="2987431.LkxdtWsSYb@workstation",
    in_reply_to="oof-8812.delivery.1764590000@rapport.example",
    references=["oof-8812.delivery.1764590000@rapport.example"],
    text_contains=["standing desks for OOF-8812 to the back entrance"],
    auto_reply=False,
)


# 41-43. delivery status notifications (bounces)

RETURNED_41 = crlf(
    "Received: by mx.rapport.example (Postfix, from userid 1001)\n"
    "\tid 6F2A41C0B7; Tue,  1 Dec 2026 10:15:01 +0000 (UTC)\n"
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=rapport.example;\n"
    "\ts=mail; t=1764584101; bh=3mU0xKp5Qw7Rz2Tb9Vn4Yc1Lf6Hd8Js0Ga5Ki2Mo7Q=;\n"
    "\th=Date:From:To:Subject;\n"
    "\tb=Qx9Lm2Np4Rs6Tu8Vw0Xy2Za4Bc6De8Fg0Hi2Jk4Lm6No8Pq0Rs2Tu4Vw6Xy8Za0Bc2\n"
    "Date: Tue, 1 Dec 2026 10:15:01 +0000\n"
    "From: Ana Lima <ana@rapport.example>\n"
    "To: Lucy Grant <lucy@example.org>\n"
    "Subject: Your quote Q-2026-811\n"
    "Message-ID: <q-2026-811.1764584101@rapport.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=utf-8\n")
case("41-bounce-postfix-dsn.eml", crlf(
    "Return-Path: <>\n"
    "Received: by mx.rapport.example (Postfix)\n"
    "\tid 8A1B2C3D4E; Tue,  1 Dec 2026 10:15:03 +0000 (UTC)\n"
    "Date: Tue,  1 Dec 2026 10:15:03 +0000 (UTC)\n"
    "From: MAILER-DAEMON@mx.rapport.example (Mail Delivery System)\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "To: ana@rapport.example\n"
    "Auto-Submitted: auto-replied\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status;\n"
    "\tboundary=\"8A1B2C3D4E.1764584103/mx.rapport.example\"\n"
    "Content-Transfer-Encoding: 8bit\n"
    "Message-Id: <20261201101503.8A1B2C3D4E@mx.rapport.example>\n"
    "\n"
    "This is a MIME-encapsulated message.\n"
    "\n"
    "--8A1B2C3D4E.1764584103/mx.rapport.example\n"
    "Content-Description: Notification\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
    "This is the mail system at host mx.rapport.example.\n"
    "\n"
    "I'm sorry to have to inform you that your message could not\n"
    "be delivered to one or more recipients. It's attached below.\n"
    "\n"
    "For further assistance, please send mail to postmaster.\n"
    "\n"
    "If you do so, please include this problem report. You can\n"
    "delete your own text from the attached returned message.\n"
    "\n"
    "                   The mail system\n"
    "\n"
    "<lucy@example.org>: host mx1.example.org[192.0.2.25] said: 550 5.1.1\n"
    "    <lucy@example.org>: Recipient address rejected: User unknown in virtual\n"
    "    mailbox table (in reply to RCPT TO command)\n"
    "\n"
    "--8A1B2C3D4E.1764584103/mx.rapport.example\n"
    "Content-Description: Delivery report\n"
    "Content-Type: message/delivery-status\n"
    "\n"
    "Reporting-MTA: dns; mx.rapport.example\n"
    "X-Postfix-Queue-ID: 6F2A41C0B7\n"
    "X-Postfix-Sender: rfc822; ana@rapport.example\n"
    "Arrival-Date: Tue,  1 Dec 2026 10:15:01 +0000 (UTC)\n"
    "\n"
    "Final-Recipient: rfc822; lucy@example.org\n"
    "Original-Recipient: rfc822;lucy@example.org\n"
    "Action: failed\n"
    "Status: 5.1.1\n"
    "Remote-MTA: dns; mx1.example.org\n"
    "Diagnostic-Code: smtp; 550 5.1.1 <lucy@example.org>: Recipient address rejected:\n"
    "    User unknown in virtual mailbox table\n"
    "\n"
    "--8A1B2C3D4E.1764584103/mx.rapport.example\n"
    "Content-Description: Undelivered Message Headers\n"
    "Content-Type: text/rfc822-headers\n"
    "\n") + RETURNED_41 + crlf(
    "\n"
    "--8A1B2C3D4E.1764584103/mx.rapport.example--\n"),
    "Postfix RFC 3464 bounce: text/plain, message/delivery-status (not an attachment), text/rfc822-headers (an attachment); also Auto-Submitted: auto-replied",
    subject="Undelivered Mail Returned to Sender",
    **{"from": addr("Mail Delivery System", "MAILER-DAEMON@mx.rapport.example")},
    to=["ana@rapport.example"],
    message_id="20261201101503.8A1B2C3D4E@mx.rapport.example",
    text_contains=["your message could not", "Recipient address rejected"],
    attachments=[att(None, "text/rfc822-headers", RETURNED_41)],
    auto_reply=True,
    bounce={"recipient": "lucy@example.org", "status": "5.1.1", "action": "failed"},
)

ORIGINAL_42 = crlf(
    "Received: from AS8PR08MB7911.eurprd08.prod.outlook.com ([fe80::5d1c:2a3b:4c5d:6e7f]) by\n"
    " AS8PR08MB7911.eurprd08.prod.outlook.com ([fe80::5d1c:2a3b:4c5d:6e7f%4]) with\n"
    " mapi id 15.20.7452.28; Tue, 1 Dec 2026 12:40:10 +0000\n"
    "From: Peter Novak <peter.novak@contoso.com>\n"
    "To: \"k.tanaka@fabrikam.example\" <k.tanaka@fabrikam.example>\n"
    "Subject: Your quote Q-2026-774\n"
    "Thread-Topic: Your quote Q-2026-774\n"
    "Thread-Index: AdtEDc7g8h9i0j1k2l3m4n5o6p7q8r==\n"
    "Date: Tue, 1 Dec 2026 12:40:09 +0000\n"
    "Message-ID: <AS8PR08MB79113B4C5D6E7F8A9B0C1D2E3F4A@AS8PR08MB7911.eurprd08.prod.outlook.com>\n"
    "Content-Language: en-GB\n"
    "Content-Type: text/plain; charset=\"us-ascii\"\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "MIME-Version: 1.0\n"
    "\n"
    "Hello Mr Tanaka,\n"
    "\n"
    "please find our quote Q-2026-774 for 12 pallet racks below.\n"
    "\n"
    "Peter\n")
_ndr_html = (
    "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=us-ascii\"></head><body>"
    "<p><b><font color=\"#000066\" size=\"3\" face=\"Arial\">Your message to k.tanaka@fabrikam.example couldn't be delivered.</font></b></p>"
    "<p>k.tanaka wasn't found at fabrikam.example.</p>"
    "<p>Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'</p>"
    "</body></html>")
case("42-bounce-exchange-ndr.eml", crlf(
    "Received: from AS8PR08MB7911.eurprd08.prod.outlook.com (2603:10a6:20b:52a::9)\n"
    " by AS8PR08MB7911.eurprd08.prod.outlook.com with Microsoft SMTP Server\n"
    " (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\n"
    " 15.20.7452.28; Tue, 1 Dec 2026 12:40:12 +0000\n"
    "MIME-Version: 1.0\n"
    "From: Microsoft Outlook\n"
    "\t<MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.com>\n"
    "To: <peter.novak@contoso.com>\n"
    "Date: Tue, 1 Dec 2026 12:40:12 +0000\n"
    "Content-Type: multipart/report; report-type=delivery-status;\n"
    "\tboundary=\"c8a2f9e1-7b3d-4c5e-9f0a-1b2c3d4e5f60\"\n"
    "X-MS-Exchange-Message-Is-Ndr:\n"
    "Content-Language: en-US\n"
    "Message-ID: <c4f1b2a3-9d8e-4f7a-b6c5-d4e3f2a1b0c9@AS8PR08MB7911.eurprd08.prod.outlook.com>\n"
    "In-Reply-To: <AS8PR08MB79113B4C5D6E7F8A9B0C1D2E3F4A@AS8PR08MB7911.eurprd08.prod.outlook.com>\n"
    "References: <AS8PR08MB79113B4C5D6E7F8A9B0C1D2E3F4A@AS8PR08MB7911.eurprd08.prod.outlook.com>\n"
    "Thread-Topic: Your quote Q-2026-774\n"
    "Thread-Index: AdtEDc7g8h9i0j1k2l3m4n5o6p7q8rAAAAAB\n"
    "Subject: Undeliverable: Your quote Q-2026-774\n"
    "X-MS-Exchange-Organization-SCL: -1\n"
    "\n"
    "--c8a2f9e1-7b3d-4c5e-9f0a-1b2c3d4e5f60\n"
    "Content-Type: multipart/alternative; differences=Content-Type;\n"
    "\tboundary=\"7d5e3c1a-0f9b-4a8c-b2d4-e6f8a0b2c4d6\"\n"
    "\n"
    "--7d5e3c1a-0f9b-4a8c-b2d4-e6f8a0b2c4d6\n"
    "Content-Type: text/plain; charset=\"us-ascii\"\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "Your message to k.tanaka@fabrikam.example couldn't be delivered.\n"
    "\n"
    "k.tanaka wasn't found at fabrikam.example.\n"
    "\n"
    "Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient n=\n"
    "ot found by SMTP address lookup'\n"
    "\n"
    "--7d5e3c1a-0f9b-4a8c-b2d4-e6f8a0b2c4d6\n"
    "Content-Type: text/html; charset=\"us-ascii\"\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n" + qp(_ndr_html.encode("ascii")) + "\n"
    "--7d5e3c1a-0f9b-4a8c-b2d4-e6f8a0b2c4d6--\n"
    "\n"
    "--c8a2f9e1-7b3d-4c5e-9f0a-1b2c3d4e5f60\n"
    "Content-Type: message/delivery-status\n"
    "\n"
    "Reporting-MTA: dns;AS8PR08MB7911.eurprd08.prod.outlook.com\n"
    "Received-From-MTA: dns;AS8PR08MB7911.eurprd08.prod.outlook.com\n"
    "Arrival-Date: Tue, 1 Dec 2026 12:40:10 +0000\n"
    "\n"
    "Original-Recipient: rfc822;k.tanaka@fabrikam.example\n"
    "Final-Recipient: rfc822;k.tanaka@fabrikam.example\n"
    "Action: failed\n"
    "Status: 5.1.10\n"
    "Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup\n"
    "Remote-MTA: dns;mx.fabrikam.example\n"
    "X-Display-Name: k.tanaka@fabrikam.example\n"
    "\n"
    "\n"
    "--c8a2f9e1-7b3d-4c5e-9f0a-1b2c3d4e5f60\n"
    "Content-Type: message/rfc822\n"
    "\n") + ORIGINAL_42 + crlf(
    "\n"
    "--c8a2f9e1-7b3d-4c5e-9f0a-1b2c3d4e5f60--\n"),
    "Exchange Online NDR: multipart/report with an alternative notification, delivery-status (5.1.10), the original as an unnamed message/rfc822 attachment",
    subject="Undeliverable: Your quote Q-2026-774",
    **{"from": addr("Microsoft Outlook", "MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.com")},
    to=["peter.novak@contoso.com"],
    message_id="c4f1b2a3-9d8e-4f7a-b6c5-d4e3f2a1b0c9@AS8PR08MB7911.eurprd08.prod.outlook.com",
    in_reply_to="AS8PR08MB79113B4C5D6E7F8A9B0C1D2E3F4A@AS8PR08MB7911.eurprd08.prod.outlook.com",
    references=["AS8PR08MB79113B4C5D6E7F8A9B0C1D2E3F4A@AS8PR08MB7911.eurprd08.prod.outlook.com"],
    text_contains=["couldn't be delivered", "RESOLVER.ADR.RecipientNotFound"],
    text_excludes=["12 pallet racks"],
    attachments=[att("Your quote Q-2026-774.eml", "message/rfc822", ORIGINAL_42)],
    bounce={"recipient": "k.tanaka@fabrikam.example", "status": "5.1.10", "action": "failed"},
)

RETURNED_43 = crlf(
    "Received: by mx.rapport.example (Postfix, from userid 1001)\n"
    "\tid 2C3D4E5F6A; Mon, 30 Nov 2026 22:05:40 +0000 (UTC)\n"
    "Date: Mon, 30 Nov 2026 22:05:40 +0000\n"
    "From: Loans Desk <loans@rapport.example>\n"
    "To: Tomasz Nowak <tomasz@slowmail.example.net>\n"
    "Subject: Loan application LA-31022 received\n"
    "Message-ID: <la-31022.received.1764540340@rapport.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=utf-8\n")
case("43-bounce-delayed-dsn.eml", crlf(
    "Return-Path: <>\n"
    "Received: by mx.rapport.example (Postfix)\n"
    "\tid 9B8C7D6E5F; Tue,  1 Dec 2026 02:05:44 +0000 (UTC)\n"
    "Date: Tue,  1 Dec 2026 02:05:44 +0000 (UTC)\n"
    "From: MAILER-DAEMON@mx.rapport.example (Mail Delivery System)\n"
    "Subject: Delayed Mail (still being retried)\n"
    "To: loans@rapport.example\n"
    "Auto-Submitted: auto-replied\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status;\n"
    "\tboundary=\"9B8C7D6E5F.1764554744/mx.rapport.example\"\n"
    "Content-Transfer-Encoding: 8bit\n"
    "Message-Id: <20261201020544.9B8C7D6E5F@mx.rapport.example>\n"
    "\n"
    "This is a MIME-encapsulated message.\n"
    "\n"
    "--9B8C7D6E5F.1764554744/mx.rapport.example\n"
    "Content-Description: Notification\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
    "This is the mail system at host mx.rapport.example.\n"
    "\n"
    "####################################################################\n"
    "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n"
    "####################################################################\n"
    "\n"
    "Your message could not be delivered for more than 4 hour(s).\n"
    "It will be retried until it is 5 day(s) old.\n"
    "\n"
    "                   The mail system\n"
    "\n"
    "<tomasz@slowmail.example.net>: connect to mx.slowmail.example.net[203.0.113.250]:25:\n"
    "    Connection timed out\n"
    "\n"
    "--9B8C7D6E5F.1764554744/mx.rapport.example\n"
    "Content-Description: Delivery report\n"
    "Content-Type: message/delivery-status\n"
    "\n"
    "Reporting-MTA: dns; mx.rapport.example\n"
    "X-Postfix-Queue-ID: 2C3D4E5F6A\n"
    "X-Postfix-Sender: rfc822; loans@rapport.example\n"
    "Arrival-Date: Mon, 30 Nov 2026 22:05:40 +0000 (UTC)\n"
    "\n"
    "Final-Recipient: rfc822; tomasz@slowmail.example.net\n"
    "Original-Recipient: rfc822;tomasz@slowmail.example.net\n"
    "Action: delayed\n"
    "Status: 4.4.1\n"
    "Diagnostic-Code: X-Postfix; connect to mx.slowmail.example.net[203.0.113.250]:25:\n"
    "    Connection timed out\n"
    "Will-Retry-Until: Sat,  5 Dec 2026 22:05:40 +0000 (UTC)\n"
    "\n"
    "--9B8C7D6E5F.1764554744/mx.rapport.example\n"
    "Content-Description: Undelivered Message Headers\n"
    "Content-Type: text/rfc822-headers\n"
    "\n") + RETURNED_43 + crlf(
    "\n"
    "--9B8C7D6E5F.1764554744/mx.rapport.example--\n"),
    "Postfix delayed-delivery warning: Action: delayed, Status: 4.4.1, returned headers attached",
    subject="Delayed Mail (still being retried)",
    **{"from": addr("Mail Delivery System", "MAILER-DAEMON@mx.rapport.example")},
    to=["loans@rapport.example"],
    message_id="20261201020544.9B8C7D6E5F@mx.rapport.example",
    text_contains=["THIS IS A WARNING ONLY", "retried until it is 5 day(s) old"],
    attachments=[att(None, "text/rfc822-headers", RETURNED_43)],
    auto_reply=True,
    bounce={"recipient": "tomasz@slowmail.example.net", "status": "4.4.1", "action": "delayed"},
)


# 44-57. broken messages

CSV_44 = crlf("order_id,sku,qty,unit_price\nORD-7801,SX-200,40,212.00\nORD-7801,CB-10,40,9.50\nORD-7801,PSU-4,10,31.00\n")
case("44-broken-no-closing-boundary.eml", crlf(
    received("smtp.northwind.example", "198.51.100.23", "4Qm01a1Pq1z9u2", "Tue,  1 Dec 2026 19:00:31 +0000 (UTC)",
             "orders@rapport.example")
    + "Date: Tue, 1 Dec 2026 20:00:27 +0100\n"
    "From: Mark Hansen <mark.hansen@northwind.example>\n"
    "To: orders@rapport.example\n"
    "Subject: Order lines for ORD-7801\n"
    "Message-ID: <20261201190027.GB4471@smtp.northwind.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"nw-7801-boundary\"\n"
    "\n"
    "--nw-7801-boundary\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "\n"
    "Hello, the order lines for ORD-7801 are in the attached CSV.\n"
    "Mark\n"
    "\n"
    "--nw-7801-boundary\n"
    "Content-Type: text/csv; name=\"ORD-7801.csv\"\n"
    "Content-Disposition: attachment; filename=\"ORD-7801.csv\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n" + b64(CSV_44) + "\n"),
    "multipart/mixed whose closing boundary never comes: the parts are read, the message is malformed",
    subject="Order lines for ORD-7801",
    **{"from": addr("Mark Hansen", "mark.hansen@northwind.example")},
    to=["orders@rapport.example"],
    message_id="20261201190027.GB4471@smtp.northwind.example",
    text_contains=["order lines for ORD-7801 are in the attached CSV"],
    attachments=[att("ORD-7801.csv", "text/csv", CSV_44)],
    malformed=True,
)

case("45-broken-multipart-without-boundary.eml", crlf(
    received("relay.legacy-erp.example", "192.0.2.150", "4Qm02b2Qr2z9u3", "Tue,  1 Dec 2026 19:10:02 +0000 (UTC)",
             "billing@rapport.example")
    + "Date: Tue, 1 Dec 2026 19:10:00 +0000\n"
    "From: ERP Notifications <erp@legacy-erp.example>\n"
    "To: billing@rapport.example\n"
    "Subject: Payment reminder PR-5531\n"
    "Message-ID: <PR-5531.1764616200@legacy-erp.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed\n"
    "\n"
    "--=_erp_part\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "\n"
    "Payment reminder PR-5531: invoice INV-2026-0388 of EUR 2,410.00 is 14 days overdue.\n"
    "\n"
    "--=_erp_part--\n"),
    "multipart/mixed with no boundary parameter: read as text (whatever part-looking lines it holds), malformed",
    subject="Payment reminder PR-5531",
    **{"from": addr("ERP Notifications", "erp@legacy-erp.example")},
    to=["billing@rapport.example"],
    message_id="PR-5531.1764616200@legacy-erp.example",
    text_contains=["invoice INV-2026-0388 of EUR 2,410.00 is 14 days overdue"],
    malformed=True,
)

PDF_46 = fake_pdf(3000, seed=46)
_b64_46 = b64(PDF_46).split("\n")
# Characters outside the base64 alphabet in three lines (a relay that mangled the text): skipped
# when decoding, so the decoded bytes are the original ones, but the encoding is damaged.
_b64_46[3] = _b64_46[3][:20] + "*!" + _b64_46[3][20:]
_b64_46[10] = _b64_46[10][:40] + "#" + _b64_46[10][40:]
_b64_46[17] = "%%" + _b64_46[17]
case("46-broken-base64-invalid-characters.eml", crlf(
    RECEIVED_OUTLOOK
    + "From: Sabine Brandt <s.brandt@contoso.com>\n"
    "To: billing@rapport.example\n"
    "Subject: Credit note CN-2026-0051\n"
    "Date: Tue, 1 Dec 2026 19:20:11 +0000\n"
    "Message-ID: <VI1PR08MB31015A6B7C8D9E0F1A2B3C4D5E6F@VI1PR08MB3101.eurprd08.prod.outlook.com>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"_004_cn2026_0051_\"\n"
    "\n"
    "--_004_cn2026_0051_\n"
    "Content-Type: text/plain; charset=\"us-ascii\"\n"
    "\n"
    "Please find credit note CN-2026-0051 attached (refund for damaged pallets).\n"
    "\n"
    "--_004_cn2026_0051_\n"
    "Content-Type: application/pdf; name=\"CN-2026-0051.pdf\"\n"
    "Content-Disposition: attachment; filename=\"CN-2026-0051.pdf\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n" + "\n".join(_b64_46) + "\n"
    "\n"
    "--_004_cn2026_0051_--\n"),
    "base64 attachment with characters outside the alphabet (*, !, #, %) in some lines: they are skipped (size is the original's), malformed",
    subject="Credit note CN-2026-0051",
    **{"from": addr("Sabine Brandt", "s.brandt@contoso.com")},
    to=["billing@rapport.example"],
    message_id="VI1PR08MB31015A6B7C8D9E0F1A2B3C4D5E6F@VI1PR08MB3101.eurprd08.prod.outlook.com",
    text_contains=["credit note CN-2026-0051 attached"],
    attachments=[att("CN-2026-0051.pdf", "application/pdf", PDF_46)],
    malformed=True,
)

case("47-broken-header-line-without-colon.eml", crlf(
    received("smtp.crm-import.example", "198.51.100.201", "4Qm03c3Rs3z9u4", "Tue,  1 Dec 2026 19:31:45 +0000 (UTC)",
             "sales@rapport.example")
    + "Date: Tue, 1 Dec 2026 19:31:40 +0000\n"
    "From: Import Bot <bot@crm-import.example>\n"
    "X-Import-Batch: 20261201-7\n"
    "this line lost its header name during an export\n"
    "To: sales@rapport.example\n"
    "Subject: Lead import finished: 312 new leads\n"
    "Message-ID: <import-20261201-7@crm-import.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "\n"
    "The lead import batch 20261201-7 finished: 312 new leads, 4 duplicates skipped.\n"),
    "a line without a colon between header fields: the fields after it are still read, malformed",
    subject="Lead import finished: 312 new leads",
    **{"from": addr("Import Bot", "bot@crm-import.example")},
    to=["sales@rapport.example"],
    message_id="import-20261201-7@crm-import.example",
    text_contains=["312 new leads, 4 duplicates skipped"],
    text_excludes=["lost its header name"],
    malformed=True,
)

case("48-broken-headers-only-no-final-newline.eml", crlf(
    "Date: Tue, 1 Dec 2026 19:40:00 +0000\n"
    "From: Ticket System <tickets@helpdesk.example>\n"
    "To: support@rapport.example\n"
    "Subject: Ticket #55120 closed\n"
    "Message-ID: <ticket-55120.closed@helpdesk.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=us-ascii"),
    "headers only, no blank line, no body, and the last header line has no line break (cut off): malformed",
    subject="Ticket #55120 closed",
    **{"from": addr("Ticket System", "tickets@helpdesk.example")},
    to=["support@rapport.example"],
    message_id="ticket-55120.closed@helpdesk.example",
    malformed=True,
)

case("49-headers-only-ending-with-newline.eml", crlf(
    "Date: Tue, 1 Dec 2026 19:41:00 +0000\n"
    "From: Ticket System <tickets@helpdesk.example>\n"
    "To: support@rapport.example\n"
    "Subject: Ticket #55121 reopened\n"
    "Message-ID: <ticket-55121.reopened@helpdesk.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=us-ascii\n"),
    "headers only, no blank line and no body, but the file ends with a line break: an empty body, NOT malformed",
    subject="Ticket #55121 reopened",
    **{"from": addr("Ticket System", "tickets@helpdesk.example")},
    to=["support@rapport.example"],
    message_id="ticket-55121.reopened@helpdesk.example",
    malformed=False,
)

case("50-empty.eml", b"",
     "an empty file: no headers, no body, malformed",
     malformed=True)

PNG_51 = tiny_png()
case("51-bare-lf-line-endings.eml", (
    "Return-Path: <ops@fjordline-cargo.example>\n"
    "Received: from localhost (localhost [127.0.0.1])\n"
    "\tby cargo-01.fjordline-cargo.example (Postfix) with ESMTP id 7C2D1E0F9A\n"
    "\tfor <logistics@rapport.example>; Tue,  1 Dec 2026 20:02:11 +0100 (CET)\n"
    "Date: Tue, 1 Dec 2026 20:02:11 +0100\n"
    "From: Fjordline Cargo Ops <ops@fjordline-cargo.example>\n"
    "To: logistics@rapport.example\n"
    "Subject: =?UTF-8?Q?Shipment_FC-6120_arrived_in_Bergen_=E2=9C=93?=\n"
    "Message-ID: <fc-6120.arrived.1764615731@fjordline-cargo.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"----lf-only-6120\"\n"
    "\n"
    "------lf-only-6120\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "Shipment FC-6120 (14 pallets) arrived in Bergen at 18:40 and cleared cust=\n"
    "oms. Photo of the seal attached.\n"
    "\n"
    "--=20\n"
    "Fjordline Cargo Operations\n"
    "\n"
    "------lf-only-6120\n"
    "Content-Type: image/png; name=\"seal-FC-6120.png\"\n"
    "Content-Disposition: attachment; filename=\"seal-FC-6120.png\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n" + b64(PNG_51) + "\n"
    "------lf-only-6120--\n").encode("ascii"),
    "every line ends with a bare LF (a Unix tool's output): parses normally, NOT malformed",
    subject="Shipment FC-6120 arrived in Bergen \u2713",
    **{"from": addr("Fjordline Cargo Ops", "ops@fjordline-cargo.example")},
    to=["logistics@rapport.example"],
    message_id="fc-6120.arrived.1764615731@fjordline-cargo.example",
    text_contains=["arrived in Bergen at 18:40 and cleared customs", "Photo of the seal attached"],
    text_excludes=["Fjordline Cargo Operations"],
    signature_contains=["Fjordline Cargo Operations"],
    attachments=[att("seal-FC-6120.png", "image/png", PNG_51)],
    malformed=False,
)

case("52-broken-nul-bytes.eml", crlf(
    b"Return-Path: <scanner@print-room.example>\n"
    b"Received: from scanner.print-room.example (scanner.print-room.example [192.0.2.77])\n"
    b"\tby mx.rapport.example (Postfix) with ESMTP id 4Qm04d4St4z9u5\n"
    b"\tfor <claims@rapport.example>; Tue,  1 Dec 2026 20:15:08 +0000 (UTC)\n"
    b"Date: Tue, 1 Dec 2026 20:15:05 +0000\n"
    b"From: Claims Scanner <scanner@print-room.example>\n"
    b"To: claims@rapport.example\n"
    b"Subject: Scanned claim form CL-77310\n"
    b"Message-ID: <scan.77310.1764620105@print-room.example>\n"
    b"MIME-Version: 1.0\n"
    b"Content-Type: text/plain; charset=us-ascii\n"
    b"Content-Transfer-Encoding: 7bit\n"
    b"X-Mailer: ScanToMail 2.1\n"
    b"\n"
    b"Scanned claim form CL-77310, 3 pages.\n"
    b"\x00\x00\x00\x00\n"
    b"Claimant: Ingrid Halvorsen\x00\x00\n"
    b"Amount claimed: NOK 18,400\n"),
    "NUL bytes in a text body: the text around them is kept, malformed",
    subject="Scanned claim form CL-77310",
    **{"from": addr("Claims Scanner", "scanner@print-room.example")},
    to=["claims@rapport.example"],
    message_id="scan.77310.1764620105@print-room.example",
    text_contains=["Scanned claim form CL-77310, 3 pages.", "Claimant: Ingrid Halvorsen", "Amount claimed: NOK 18,400"],
    text_excludes=["\u0000"],
    malformed=True,
)

case("53-unknown-charset-utf8-bytes.eml", crlf(
    received("smtp.obscure-mailer.example", "203.0.113.90", "4Qm05e5Tu5z9u6", "Tue,  1 Dec 2026 20:25:40 +0000 (UTC)",
             "support@rapport.example")
    + "Date: Tue, 1 Dec 2026 21:25:36 +0100\n"
    "From: Ren\u00e9 Fischer <rene.fischer@obscure-mailer.example>\n"
    "To: support@rapport.example\n"
    "Subject: =?x-unknown-charset?Q?Anfrage_Ratenkredit?=\n"
    "Message-ID: <obscure.5512.1764620736@obscure-mailer.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=x-unknown-charset\n"
    "Content-Transfer-Encoding: 8bit\n"
    "X-Mailer: ObscureMailer 0.9 beta\n"
    "\n"
    "Guten Abend,\n"
    "\n"
    "ich interessiere mich f\u00fcr einen Ratenkredit \u00fcber 15.000 \u20ac mit 48 Monaten Laufzeit.\n"
    "\n"
    "Ren\u00e9 Fischer\n"),
    "charset label x-unknown-charset on UTF-8 bytes (also in the Subject's encoded word): read as UTF-8, NOT malformed",
    subject="Anfrage Ratenkredit",
    **{"from": addr("Ren\u00e9 Fischer", "rene.fischer@obscure-mailer.example")},
    to=["support@rapport.example"],
    message_id="obscure.5512.1764620736@obscure-mailer.example",
    text_contains=["Ratenkredit \u00fcber 15.000 \u20ac", "48 Monaten Laufzeit"],
    malformed=False,
)

PDF_54 = fake_pdf(9000, seed=54)
_b64_54 = b64(PDF_54)
_cut_54 = 77 * 60 + 40  # characters of encoded text kept (line breaks included)
_kept_54 = _b64_54[:_cut_54]
assert len(_kept_54.replace("\n", "")) % 4 == 0  # cut between quanta, in the middle of a line
TRUNC_54 = base64.b64decode(_kept_54.replace("\n", ""))
case("54-broken-truncated-base64-attachment.eml", crlf(
    received("smtp.hotel-alpenrose.example", "192.0.2.190", "4Qm06f6Uv6z9u7", "Tue,  1 Dec 2026 20:40:22 +0000 (UTC)",
             "reservations@rapport.example")
    + "Date: Tue, 1 Dec 2026 21:40:18 +0100\n"
    "From: Hotel Alpenrose <reservierung@hotel-alpenrose.example>\n"
    "To: reservations@rapport.example\n"
    "Subject: Rechnung Aufenthalt AR-3390\n"
    "Message-ID: <ar-3390.invoice.1764621618@hotel-alpenrose.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"alpenrose-3390\"\n"
    "\n"
    "--alpenrose-3390\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
    "Sehr geehrte Damen und Herren,\n"
    "anbei die Rechnung f\u00fcr den Aufenthalt AR-3390 (3 N\u00e4chte).\n"
    "\n"
    "--alpenrose-3390\n"
    "Content-Type: application/pdf; name=\"Rechnung-AR-3390.pdf\"\n"
    "Content-Disposition: attachment; filename=\"Rechnung-AR-3390.pdf\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n" + _kept_54),
    "the connection dropped in the middle of a base64 attachment (cut mid-line between 4-character groups, no closing boundary): what arrived is kept, malformed",
    subject="Rechnung Aufenthalt AR-3390",
    **{"from": addr("Hotel Alpenrose", "reservierung@hotel-alpenrose.example")},
    to=["reservations@rapport.example"],
    message_id="ar-3390.invoice.1764621618@hotel-alpenrose.example",
    text_contains=["Rechnung f\u00fcr den Aufenthalt AR-3390"],
    attachments=[att("Rechnung-AR-3390.pdf", "application/pdf", TRUNC_54)],
    malformed=True,
)

_long_55 = "X-MS-Exchange-AntiSpam-MessageData-0: " + base64.b64encode(pattern_bytes(7500, 55)).decode("ascii")
_long_55 = _long_55[:10000]
assert len(_long_55) == 10000
case("55-header-line-10000-characters.eml", crlf(
    RECEIVED_OUTLOOK
    + "From: Peter Novak <peter.novak@contoso.com>\n"
    "To: Lisa Chen <lisa.chen@rapport.example>\n"
    + _long_55 + "\n"
    "Subject: Hotel block for the Lisbon conference\n"
    "Date: Tue, 1 Dec 2026 20:55:03 +0000\n"
    "Message-ID: <DB9PR08MB6617C0D1E2F3A4B5C6D7E8F9A0B1@DB9PR08MB6617.eurprd08.prod.outlook.com>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=\"us-ascii\"\n"
    "\n"
    "Lisa, please hold 18 rooms at the Lisbon conference hotel for 9-12 March.\n"
    "Peter\n"),
    "one unfolded header line of exactly 10,000 characters (over RFC 5322's 998) before Subject: read, NOT malformed",
    subject="Hotel block for the Lisbon conference",
    **{"from": addr("Peter Novak", "peter.novak@contoso.com")},
    to=["lisa.chen@rapport.example"],
    message_id="DB9PR08MB6617C0D1E2F3A4B5C6D7E8F9A0B1@DB9PR08MB6617.eurprd08.prod.outlook.com",
    text_contains=["hold 18 rooms at the Lisbon conference hotel"],
    malformed=False,
)


def nested_56(levels):
    """`levels` multipart/mixed entities inside one another; the outermost also holds the text."""
    inner = ("Content-Type: text/plain; charset=us-ascii\n\nDEEPEST-PART-TEXT at level %d\n" % levels)
    for level in range(levels, 1, -1):
        boundary = "nest-%02d" % level
        inner = ("Content-Type: multipart/mixed; boundary=\"%s\"\n\n--%s\n%s\n--%s--\n"
                 % (boundary, boundary, inner, boundary))
    return inner


case("56-broken-50-nested-multiparts.eml", crlf(
    received("fuzz.mail-tester.example", "198.51.100.250", "4Qm07g7Vw7z9u8", "Tue,  1 Dec 2026 21:05:44 +0000 (UTC)",
             "support@rapport.example")
    + "Date: Tue, 1 Dec 2026 21:05:40 +0000\n"
    "From: Mail Tester <probe@mail-tester.example>\n"
    "To: support@rapport.example\n"
    "Subject: Nesting probe\n"
    "Message-ID: <nesting-probe-50@mail-tester.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"nest-01\"\n"
    "\n"
    "--nest-01\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "\n"
    "Nesting probe: the first part is readable text.\n"
    "\n"
    "--nest-01\n"
    + nested_56(50) +
    "\n"
    "--nest-01--\n"),
    "50 multipart/mixed levels inside one another (the outermost also has a text part): parts deeper than 32 are dropped, malformed",
    subject="Nesting probe",
    **{"from": addr("Mail Tester", "probe@mail-tester.example")},
    to=["support@rapport.example"],
    message_id="nesting-probe-50@mail-tester.example",
    text_contains=["the first part is readable text"],
    text_excludes=["DEEPEST-PART-TEXT"],
    attachments=[],
    malformed=True,
)


# ---------------------------------------------------------------------------

def main():
    os.makedirs(OUT, exist_ok=True)
    names = set()
    total = 0
    for name, raw, _ in CASES:
        assert name not in names, name
        names.add(name)
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(raw)
        total += len(raw)
    # Files from an earlier run that are no longer cases.
    for existing in os.listdir(OUT):
        if existing.endswith(".eml") and existing not in names:
            os.remove(os.path.join(OUT, existing))
    with open(os.path.join(OUT, "expectations.json"), "w", encoding="utf-8") as f:
        json.dump([exp for _, _, exp in CASES], f, ensure_ascii=False, indent=2)
        f.write("\n")
    assert total < 1_000_000, total
    print("wrote %d messages, %d bytes, to %s" % (len(CASES), total, os.path.relpath(OUT, ROOT)))


if __name__ == "__main__":
    main()
