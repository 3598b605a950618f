// Files picked in a form, as the API takes them: read to base64, and their sizes said plainly.

import { formatNumber, t } from '../i18n.js';

/** Resolves with {filename, content_type, content_base64}; rejects with an Error naming the file. */
export function readFile(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.addEventListener('load', () => {
      const url = String(reader.result ?? '');
      resolve({
        filename: file.name,
        content_type: /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+$/.test(file.type) ? file.type : 'application/octet-stream',
        content_base64: url.slice(url.indexOf(',') + 1),
      });
    });
    reader.addEventListener('error', () => reject(Object.assign(new Error('unreadable'), { fileName: file.name })));
    reader.readAsDataURL(file);
  });
}

/** "512 bytes", "1.5 KB", "2.3 MB" in the page's language. */
export function sizeText(size) {
  if (typeof size !== 'number') return '?';
  if (size < 1024) return t('mail.bytes', { n: formatNumber(size) });
  if (size < 1024 * 1024) return t('mail.kilobytes', { n: formatNumber(Math.round(size / 102.4) / 10) });
  return t('mail.megabytes', { n: formatNumber(Math.round(size / (1024 * 102.4)) / 10) });
}
