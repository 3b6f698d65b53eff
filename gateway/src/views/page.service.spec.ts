import type { Identity, MessageBus } from '@eks-info/platform';
import type { ViewRenderer } from './view-renderer';
import { type Outcome, PageService } from './page.service';

describe('PageService.body', () => {
  const renders: string[] = [];
  const views = { render: (name: string, ctx: { n?: number }) => (renders.push(name), `<p>${name}:${ctx.n}</p>`) } as unknown as ViewRenderer;
  const pages = new PageService({} as MessageBus, {} as Identity, views);

  beforeEach(() => (renders.length = 0));

  it('renders a body once per upstream answer, shared by every view of that answer', () => {
    const answer: Outcome<object> = { ok: true, data: { n: 1 } };
    const a = pages.body('environment/views/home', answer, { n: 1 });
    const b = pages.body('environment/views/home', answer, { n: 1 });
    expect(a).toBe('<p>environment/views/home:1</p>');
    expect(b).toBe(a);
    expect(renders).toEqual(['environment/views/home']);
  });

  it('renders again for a new answer and per template', () => {
    pages.body('environment/views/home', { ok: true, data: { n: 1 } }, { n: 1 });
    pages.body('environment/views/home', { ok: true, data: { n: 2 } }, { n: 2 });
    const shared = { ok: true as const, data: { n: 3 } };
    pages.body('environment/views/home', shared, { n: 3 });
    pages.body('environment/views/resources', shared, { n: 3 });
    expect(renders).toEqual(['environment/views/home', 'environment/views/home', 'environment/views/home', 'environment/views/resources']);
  });

  it('never keeps an error body', () => {
    const failed: Outcome<object> = { ok: false, error: { code: 'TRANSPORT.UNAVAILABLE', message: 'down', status: 503 } };
    pages.body('environment/views/home', failed, {});
    pages.body('environment/views/home', failed, {});
    expect(renders).toHaveLength(2);
  });
});
