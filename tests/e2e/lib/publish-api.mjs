// The publish API through the front door: call(method, route, { json, headers }) with route
// below /api/publish/v1; the record gains `json`, the parsed body (null when empty or not
// JSON). An answer is checked against proto/publish.yaml wherever the contract documents the
// route (contract.test.mjs checks that it documents every route the service serves); a route it
// does not document is only parsed, so that the contract's gaps are that test's to report.
import { frontDoorUrl } from './env.mjs';
import { header, rawRequest } from './http.mjs';
import { loadContract } from './openapi.mjs';

export const PUBLISH_API = '/api/publish/v1';

export function publishClient(base = frontDoorUrl()) {
  const contract = loadContract('publish.yaml');
  return async (method, route, { json, headers = {} } = {}) => {
    const path = `${PUBLISH_API}${route}`;
    const res = await rawRequest(base, path, {
      method,
      headers: { ...(json === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    if (contract.findOperation(method, path)) contract.validateResponse(res);
    res.json = res.body && /json/.test(header(res, 'Content-Type') ?? '') ? JSON.parse(res.body) : null;
    return res;
  };
}
