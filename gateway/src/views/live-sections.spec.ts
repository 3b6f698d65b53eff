import Handlebars from 'handlebars';
import { EventStream } from '../http/event-stream';
import { LiveSections } from './live-sections';
import { ViewRenderer } from './view-renderer';

/** A browser's end of a stream: the frames it was sent, parsed back into events. */
class FakeStream {
  readonly frames: string[] = [];
  private handlers: Array<() => void> = [];
  isClosed = false;

  sendFrames(frames: string): void {
    this.frames.push(frames);
  }
  onClose(handler: () => void): void {
    this.handlers.push(handler);
  }
  close(): void {
    this.isClosed = true;
    for (const h of this.handlers.splice(0)) h();
  }
  /** Event names received, in order. */
  events(): string[] {
    return [...this.frames.join('').matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
  }
  take(): string[] {
    const events = this.events();
    this.frames.length = 0;
    return events;
  }
}

function renderer(): ViewRenderer {
  const hbs = Handlebars.create();
  hbs.registerPartial('t/a', '<p id="a">{{a}}</p>');
  hbs.registerPartial('t/b', '<ul>\n{{#each b}}<li>{{this}}</li>\n{{/each}}</ul>');
  return new ViewRenderer(hbs, '/nowhere');
}

type Model = { a: string; b: string[] };

describe('EventStream.htmlFrame', () => {
  it('sends every line of a fragment as a data line (CR, LF and CRLF alike), with the id when given', () => {
    expect(EventStream.htmlFrame('s', '<p>\n1\r\n2\r3</p>', 'v1')).toBe('event: s\nid: v1\ndata: <p>\ndata: 1\ndata: 2\ndata: 3</p>\n\n');
    expect(EventStream.htmlFrame('s', 'x')).toBe('event: s\ndata: x\n\n');
  });
});

describe('LiveSections', () => {
  let built: Model | undefined;
  let sections: LiveSections<Model>;
  let watching: boolean[];

  beforeEach(() => {
    jest.useFakeTimers();
    built = undefined;
    watching = [];
    sections = new LiveSections<Model>(renderer(), {
      name: 'test',
      sections: { a: 't/a', b: 't/b' },
      minIntervalMs: 1000,
      build: () => built,
      onWatch: (on) => watching.push(on),
    });
  });
  afterEach(() => {
    sections.close();
    jest.useRealTimers();
  });

  const connect = (known?: string) => {
    const stream = new FakeStream();
    sections.connect(stream as unknown as EventStream, known);
    return stream;
  };

  it('escapes what it renders and names the version after the content', () => {
    const first = sections.publish({ a: '<script>', b: ['x'] });
    expect(first.html.a).toBe('<p id="a">&lt;script&gt;</p>');
    expect(sections.publish({ a: '<script>', b: ['x'] }).version).toBe(first.version);
    expect(sections.publish({ a: 'other', b: ['x'] }).version).not.toBe(first.version);
  });

  it('pushes only the sections whose HTML changed, closing each push with the new version as its id', () => {
    const v1 = sections.publish({ a: '1', b: ['x'] }).version;
    const browser = connect(v1);
    expect(browser.take()).toEqual([]);
    const v2 = sections.publish({ a: '2', b: ['x'] }).version;
    const frames = browser.frames.join('');
    expect(browser.take()).toEqual(['a', 'live-version']);
    expect(frames).toContain(`event: live-version\nid: ${v2}\n`);
    // Nothing changed: nothing sent.
    sections.publish({ a: '2', b: ['x'] });
    expect(browser.take()).toEqual([]);
  });

  it('gives a browser whose page shows another version every section once, then only changes', () => {
    sections.publish({ a: '1', b: ['x'] });
    const late = connect('an-older-version');
    expect(late.take()).toEqual(['a', 'b', 'live-version']);
    sections.publish({ a: '1', b: ['x', 'y'] });
    expect(late.take()).toEqual(['b', 'live-version']);
  });

  it('renders at most once per interval however often it is told of changes, and the last state wins', async () => {
    sections.publish({ a: '0', b: [] });
    const browser = connect(sections.latest!.rendering.version);
    const renders = jest.spyOn(sections, 'publish');
    for (let i = 1; i <= 50; i++) {
      built = { a: String(i), b: [] };
      sections.invalidate();
      await jest.advanceTimersByTimeAsync(20);
    }
    // 50 changes over one second: the one render it may do in that second, with the newest state.
    expect(renders).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1000);
    expect(renders).toHaveBeenCalledTimes(1);
    expect(sections.latest!.model.a).toBe('50');
    expect(browser.take()).toEqual(['a', 'live-version']);
  });

  it('tells its source when the first browser comes and the last one leaves', () => {
    const one = connect();
    const two = connect();
    one.close();
    expect(watching).toEqual([true]);
    two.close();
    expect(watching).toEqual([true, false]);
  });
});
