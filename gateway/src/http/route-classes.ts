/**
 * The kinds of request the cross-cutting hooks treat apart, named once. Every hook answers the
 * same question from these lists: is this a page or API view (access log, rate limits), a probe
 * (no auth, any Host), an asset, or a live stream (bounded by its own slots)?
 */
const PROBES = [/^\/health$/, /^\/ready$/, /^\/metrics$/];
const ASSETS = [/^\/static\//, /^\/favicon\.ico$/];
/** The JSON streams of the API and the HTML streams of the live pages. */
const STREAMS = [/^\/api\/v1\/stream\//, /^\/(scaling|scaling\/history|stress|environment)\/live$/];

const pathOf = (url: string) => url.split('?')[0];
const matches = (list: RegExp[], url: string) => {
  const path = pathOf(url);
  return list.some((re) => re.test(path));
};

/** The JSON API (and its streams): answers that are never rendered as a document. */
export const isApi = (url: string): boolean => url.startsWith('/api/');

/** Kubelet, ALB and Prometheus requests: they carry no credentials and the pod IP as Host. */
export const isProbe = (url: string): boolean => matches(PROBES, url);

/** Open without sign-in: probes (not /metrics, which shows internals) and static assets. */
export const isPublic = (url: string): boolean => matches([/^\/health$/, /^\/ready$/, ...ASSETS], url);

/** Not a page or API view: no access record, no rate-limit count. */
export const isNotAView = (url: string): boolean => matches([...PROBES, ...ASSETS, ...STREAMS], url);
