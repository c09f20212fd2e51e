// HTTP helpers for the end-to-end tests.
//
// fetchRecord() uses Node's fetch for ordinary requests. rawRequest() uses node:http for what
// fetch will not send (a body on GET, a huge header) and to see every header line as sent,
// duplicates included. Both return the same record: { method, path, status, headers, body },
// with headers as [name, value] pairs and body as text; the validator in openapi.mjs takes it.
import http from 'node:http';

const TIMEOUT_MS = 15_000;

export async function fetchRecord(base, path, { method = 'GET', headers = {} } = {}) {
  const url = new URL(path, base);
  let response;
  let body;
  try {
    response = await fetch(url, { method, headers, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
    body = await response.text();
  } catch (e) {
    const why = e.cause?.code ?? e.cause?.message ?? e.message;
    throw new Error(`${method} ${url}: ${why}${/ECONNREFUSED|ECONNRESET|SOCKET/.test(why) ? ' (is the service up? did it crash? see its log)' : ''}`);
  }
  return { method, path, status: response.status, headers: [...response.headers.entries()], body };
}

// One request on a fresh connection. `body` (string or Buffer) is sent with Content-Length
// whatever the method. The server may answer before it has read the body and close (a 413);
// the answer still counts when it came whole.
export function rawRequest(base, path, { method = 'GET', headers = {}, body } = {}) {
  const url = new URL(base);
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (fn, value) => {
      if (!settled) {
        settled = true;
        fn(value);
      }
    };
    const req = http.request({
      host: url.hostname,
      port: url.port,
      method,
      path,
      agent: false,
      headers: {
        ...(payload ? { 'Content-Length': String(payload.length) } : {}),
        ...headers,
      },
    });
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`no answer to ${method} ${path} within ${TIMEOUT_MS} ms`)));
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const pairs = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i], res.rawHeaders[i + 1]]);
        done(resolve, { method, path, status: res.statusCode, headers: pairs, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (e) => done(reject, e));
    });
    // EPIPE/ECONNRESET while still sending a body the server refused: wait for its answer.
    req.on('error', (e) => {
      if (['EPIPE', 'ECONNRESET'].includes(e.code) && req.res) return;
      const hint = ['ECONNREFUSED', 'ECONNRESET'].includes(e.code) ? ' (is the service up? did it crash? see its log)' : '';
      done(reject, new Error(`${method} ${new URL(path, base)}: ${e.message}${hint}`));
    });
    if (payload) req.write(payload);
    req.end();
  });
}

// The values of one header (case-insensitive) in a record.
export function headerValues(record, name) {
  const lower = name.toLowerCase();
  return record.headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

export function header(record, name) {
  const values = headerValues(record, name);
  return values.length ? values.join(', ') : undefined;
}

// A JSON API call: `json` (when given) is sent as the body; the record is checked against
// `contract` (lib/openapi.mjs) and gains `json`, the parsed body (null when empty).
export async function apiCall(contract, base, path, { method = 'GET', json, headers = {} } = {}) {
  const res = await rawRequest(base, path, {
    method,
    headers: { ...(json === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  contract.validateResponse(res);
  res.json = res.body ? JSON.parse(res.body) : null;
  return res;
}
