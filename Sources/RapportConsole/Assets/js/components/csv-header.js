// The header of a CSV file picked for an import, read in the browser before anything is sent: the
// first 64 KiB of the file (never all of it) decoded as UTF-8 and its first record parsed as the
// server's reader does (RFC 4180: fields may be quoted, hold commas, line breaks and doubled quotes;
// lines end with CRLF or LF; a byte order mark and blank lines before the header are skipped; a
// quote inside an unquoted field is text).

export const HEAD_BYTES = 64 * 1024;

/** A problem with the header: `reason` is 'empty', 'unclosed' (a quoted name never ends),
 * 'tooLong' (no whole header in the first 64 KiB) or 'unreadable'. */
export class HeaderProblem extends Error {
  constructor(reason) {
    super(`CSV header: ${reason}`);
    this.name = 'HeaderProblem';
    this.reason = reason;
  }
}

/** Resolves with the column names of `file`'s header, as they are written (not trimmed). */
export async function readCsvHeader(file) {
  let text;
  try {
    const head = file.slice(0, HEAD_BYTES);
    text = new TextDecoder('utf-8').decode(await head.arrayBuffer()); // drops a byte order mark
  } catch {
    throw new HeaderProblem('unreadable');
  }
  const record = firstRecord(text, file.size <= HEAD_BYTES);
  if (record) return record;
  if (file.size > HEAD_BYTES) throw new HeaderProblem('tooLong');
  throw new HeaderProblem(text.trim() ? 'unclosed' : 'empty');
}

/** The fields of the first record of `text` that is not a blank line, or null when `text` holds
 * none that is complete (`whole`: the text is the whole file, so its end ends the last record). */
export function firstRecord(text, whole) {
  let index = 0;
  while (text[index] === '\r' || text[index] === '\n') index += 1;
  if (index >= text.length) return null;
  const fields = [];
  let field = '';
  let state = 'start'; // start | plain | quoted | afterQuote
  for (; index < text.length; index += 1) {
    const char = text[index];
    if (state === 'quoted') {
      if (char === '"') state = 'afterQuote';
      else field += char;
      continue;
    }
    if (state === 'afterQuote' && char === '"') {
      field += '"';
      state = 'quoted';
      continue;
    }
    if (char === ',') {
      fields.push(field);
      field = '';
      state = 'start';
    } else if (char === '\n' || char === '\r') {
      fields.push(field);
      return fields;
    } else if (char === '"' && state === 'start') {
      state = 'quoted';
    } else {
      field += char; // (text after a closing quote is kept here; the server refuses such a header)
      state = 'plain';
    }
  }
  if (!whole || state === 'quoted') return null;
  fields.push(field);
  return fields;
}
