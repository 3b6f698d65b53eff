/**
 * Serialises a reply once per object: coalesced reads hand the same object to every concurrent
 * caller, so under load the JSON is encoded once per upstream answer instead of once per
 * response. Entries vanish with their objects (WeakMap).
 */
const encoded = new WeakMap<object, Buffer>();

export function jsonBody(value: object): Buffer {
  let body = encoded.get(value);
  if (!body) {
    body = Buffer.from(JSON.stringify(value));
    encoded.set(value, body);
  }
  return body;
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
