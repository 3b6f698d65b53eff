/**
 * Sets `key` as the newest entry of an insertion-ordered Map and drops the oldest entries beyond
 * `max`: the bound every "last answer per key" map keeps, so a caller that varies its keys cannot
 * grow it without limit.
 */
export function setNewest<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value as K);
}
