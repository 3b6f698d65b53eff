import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { type DynamicModule, Global, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyMultipart, { type MultipartFile } from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Handlebars from 'handlebars';
import helmet from 'helmet';
import { CommonErrors } from '@eks-info/contracts';
import {
  type Identity,
  NestPinoLogger,
  PlatformModule,
  type ProcessRuntime,
  type RunningApp,
  installHttpMetrics,
  sanitizeRequestId,
  startProcessMetrics,
} from '@eks-info/platform';
import { GatewayModule } from './gateway.module';
import type { GatewayConfig } from './gateway.config';
import { GatewayExceptionFilter } from './http/gateway-exception.filter';
import { installRequestContext } from './http/request-context';
import { registerBusPages, registerBusReads } from './http/bus-routes';
import { ENVIRONMENT_PAGES, ENVIRONMENT_READS } from './environment/environment.routes';
import { EnvironmentModule } from './environment/environment.module';
import { PageService } from './views/page.service';
import { installAccessEvents } from './http/access-events';
import { envelope } from './http/error-envelope';
import { createAuthHook } from './security/auth.hook';
import { createHostAllowlistHook } from './security/host-allowlist';
import { isApi, isNotAView } from './http/route-classes';
import { SAFE_METHODS, installMutationGuard } from './security/mutation-guard';
import { registerHelpers } from './views/helpers';
import { ViewRenderer } from './views/view-renderer';

/** Templates are named from the source root: `views/…` (layout, partials) and `<area>/views/…`. */
export const TEMPLATES_DIR = __dirname;
export const VIEWS_DIR = path.join(__dirname, 'views');
export const PUBLIC_DIR = path.join(__dirname, 'public');
/** Browser code lives with its feature (`<area>/assets/`) and is served under /static/js/. */
export const AREA_ASSET_DIRS = ['environment', 'storage', 'stress', 'scaling']
  .map((area) => path.join(__dirname, area, 'assets'))
  .filter((dir) => existsSync(dir));

@Module({})
class GatewayRootModule {}

/** The gateway's Handlebars instance as a provider, for pages that render parts themselves. */
@Global()
@Module({})
class ViewsModule {
  static forRoot(renderer: ViewRenderer): DynamicModule {
    return { module: ViewsModule, providers: [{ provide: ViewRenderer, useValue: renderer }], exports: [ViewRenderer] };
  }
}

/**
 * Where a vendored browser library's files are: copied next to the bundle in the production
 * build (which ships no node_modules), else the package's own dist folder.
 */
export function vendorDir(name: string, pkg: string): string {
  const bundled = path.join(__dirname, 'vendor', name);
  return existsSync(bundled) ? bundled : path.dirname(require.resolve(pkg));
}

export interface GatewayAppOptions {
  identity: Identity;
  runtime: ProcessRuntime;
  config: GatewayConfig;
  /** Extra feature modules (tests); the real pages come from GatewayModule. */
  modules?: Array<Type | DynamicModule>;
}

/**
 * Shared partials by file name (`section`, `problem`, …), and each feature's live sections as
 * `<area>/live/<name>` (from `<area>/views/live/<name>.hbs`): the page shows them and the live
 * stream renders the same partials.
 */
function loadPartials(hbs: typeof Handlebars): void {
  const register = (dir: string, prefix: string) => {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.hbs'))) {
      hbs.registerPartial(`${prefix}${file.replace(/\.hbs$/, '')}`, readFileSync(path.join(dir, file), 'utf8'));
    }
  };
  register(path.join(VIEWS_DIR, 'partials'), '');
  for (const area of readdirSync(TEMPLATES_DIR, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    const live = path.join(TEMPLATES_DIR, area.name, 'views', 'live');
    if (existsSync(live)) register(live, `${area.name}/live/`);
  }
}

/**
 * The gateway: Fastify + Handlebars pages and the JSON API, rendering only what services return
 * over the bus. Security is wired here once so every page inherits it: authentication, helmet
 * with a CSP that allows no inline script, CSRF for forms, same-origin JSON mutations, body
 * limits (413) and rate limits on mutations (429).
 */
/** The running gateway, and the HTTP routes it registered (checked against the API catalogue). */
export interface GatewayApp extends RunningApp {
  routes: Array<{ method: string; url: string }>;
}

export async function createGatewayApp(options: GatewayAppOptions): Promise<GatewayApp> {
  const { identity, runtime, config } = options;
  startProcessMetrics();
  const hbs = Handlebars.create();
  registerHelpers(hbs);
  loadPartials(hbs);

  const adapter = new FastifyAdapter({
    logger: false,
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    genReqId: (req: IncomingMessage) => sanitizeRequestId(req.headers['x-request-id']),
    return503OnClosing: true,
    // No Nest middleware here (hooks do that work): without middie, one hook less per request.
    skipMiddie: true,
  });
  const routes: GatewayApp['routes'] = [];
  adapter.getInstance().addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    {
      module: GatewayRootModule,
      imports: [
        PlatformModule.forRoot({ identity, runtime, config, managementRoutes: true }),
        ViewsModule.forRoot(new ViewRenderer(hbs, TEMPLATES_DIR)),
        GatewayModule,
        ...(options.modules ?? []),
      ],
    },
    adapter,
    { logger: new NestPinoLogger(runtime.logger), abortOnError: false },
  );
  const fastify = app.getHttpAdapter().getInstance();

  // Hooks every request passes are callback-style and return at once on their common path: an
  // async hook costs a promise and a microtask per request, on the page path's budget.
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  fastify.addHook('onRequest', createHostAllowlistHook(config.ALLOWED_HOSTS.split(',').map((h) => h.trim())));
  if (config.AUTH_MODE !== 'none') fastify.addHook('onRequest', createAuthHook(config, runtime.logger));
  // helmet's middleware is built once: @fastify/helmet rebuilds it (re-parsing the CSP) per request.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    // HSTS belongs to the TLS terminator (the ALB); the app is often reached over plain HTTP locally.
    strictTransportSecurity: false,
    // Same-origin requests keep their Origin (no-referrer would make form posts send "null").
    referrerPolicy: { policy: 'same-origin' },
  });
  // JSON is never rendered as a document: the API gets the header set OWASP's REST Security Cheat
  // Sheet lists for API responses (no document-only headers), five headers instead of eleven to
  // validate and write per response.
  const apiSecurityHeaders = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xFrameOptions: { action: 'deny' },
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
  fastify.addHook('onRequest', (request, reply, done) => (isApi(request.url) ? apiSecurityHeaders : securityHeaders)(request.raw, reply.raw, () => done()));
  await app.register(fastifyCookie);
  await app.register(fastifyCsrf, { cookieOpts: { httpOnly: true, sameSite: 'strict', path: '/', signed: false } });
  // Uploads (the /s3 form and API) arrive as multipart/form-data. Fields are attached to the body
  // as values, so a form's `_csrf` field is checked like any form post; the file is buffered up
  // to UPLOAD_LIMIT_BYTES (413 beyond) and handed on with its name and type.
  // The app never calls request.formData(); declaring it keeps the plugin from reading
  // globalThis.FormData to decide, which loads Node's fetch (~17 MiB; scripts/bundle.mjs).
  fastify.decorateRequest('formData', function formData(): never {
    throw new Error('request.formData() is not available: multipart fields are in request.body');
  });
  await app.register(fastifyMultipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: config.UPLOAD_LIMIT_BYTES, files: 1, fields: 10, parts: 12, fieldSize: 1024 * 1024 },
    async onFile(part: MultipartFile) {
      const data = await part.toBuffer();
      (part as MultipartFile & { value: unknown }).value = { filename: part.filename, mimetype: part.mimetype, data };
    },
  });
  // Per client (its address, see TRUST_PROXY): mutations and reads counted apart. Probes, assets
  // and live streams (which have their own slots) are not counted.
  const reads = config.READ_RATE_LIMIT_PER_MINUTE;
  await app.register(fastifyRateLimit, {
    max: (request) => (SAFE_METHODS.has(request.method) ? reads : config.MUTATION_RATE_LIMIT_PER_MINUTE),
    keyGenerator: (request) => `${SAFE_METHODS.has(request.method) ? 'read' : 'change'}|${request.ip}`,
    timeWindow: 60_000,
    allowList: (request) => (SAFE_METHODS.has(request.method) && reads === 0) || isNotAView(request.url),
    errorResponseBuilder: (request, context) => ({
      statusCode: 429,
      ...envelope(
        SAFE_METHODS.has(request.method)
          ? {
              code: CommonErrors.RATE_LIMITED.code,
              message: `Too many requests: ${context.max} per minute per client.`,
              fix: 'Slow down; the pages refresh themselves.',
            }
          : { code: CommonErrors.RATE_LIMITED.code, message: `Too many changes: ${context.max} per minute per client.`, fix: 'Wait a minute and try again.' },
        request.id,
      ),
    }),
  });
  installMutationGuard(fastify);
  installHttpMetrics(fastify, 'gateway');
  installAccessEvents(fastify, runtime.bus, identity);
  installRequestContext(fastify);

  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/static/', maxAge: '1h', decorateReply: false });
  await app.register(fastifyStatic, { root: [path.join(PUBLIC_DIR, 'js'), ...AREA_ASSET_DIRS], prefix: '/static/js/', maxAge: '1h', decorateReply: false });
  // Vendored browser libraries, served from beside the bundle (or node_modules): no CDN, works offline.
  await app.register(fastifyStatic, { root: vendorDir('chartjs', 'chart.js'), prefix: '/static/vendor/chartjs/', maxAge: '1d', decorateReply: false });
  await app.register(fastifyStatic, { root: vendorDir('htmx', 'htmx.org'), prefix: '/static/vendor/htmx/', maxAge: '1d', decorateReply: false });
  await app.register(fastifyStatic, {
    root: vendorDir('htmx-ext-sse', 'htmx-ext-sse'),
    prefix: '/static/vendor/htmx-ext-sse/',
    maxAge: '1d',
    decorateReply: false,
  });
  app.setViewEngine({
    engine: { handlebars: hbs },
    templates: TEMPLATES_DIR,
    layout: 'views/layouts/main.hbs',
    includeViewExtension: false,
    production: process.env.NODE_ENV !== 'development',
  });

  const errors = new GatewayExceptionFilter(runtime.logger);
  app.useGlobalFilters(errors);
  registerBusReads(fastify, runtime.bus, errors, ENVIRONMENT_READS);
  registerBusPages(fastify, app.select(EnvironmentModule).get(PageService), errors, ENVIRONMENT_PAGES);
  await app.listen(config.PORT, config.HOST);
  const url = await app.getUrl();
  runtime.logger.info({ url, transport: runtime.transport.kind, auth: config.AUTH_MODE }, 'gateway listening');
  return { app, url, routes, close: () => app.close() };
}
