import { readFileSync } from 'node:fs';
import path from 'node:path';
import type Handlebars from 'handlebars';

/**
 * Renders a view to a string with the gateway's Handlebars instance (helpers and partials),
 * compiling each template once. Pages use it to render their body once per upstream answer,
 * and live sections (registered partials such as `scaling/live/summary`) to render each section
 * once per change for the page and the live stream alike.
 */
export class ViewRenderer {
  private readonly compiled = new Map<string, Handlebars.TemplateDelegate>();
  private readonly partials = new Map<string, Handlebars.TemplateDelegate>();

  constructor(
    private readonly hbs: typeof Handlebars,
    private readonly dir: string,
  ) {}

  render(name: string, context: object): string {
    let template = this.compiled.get(name);
    if (!template) {
      template = this.hbs.compile(readFileSync(path.join(this.dir, `${name}.hbs`), 'utf8'));
      this.compiled.set(name, template);
    }
    return template(context);
  }

  /** Renders the registered partial `name` on its own, as `{{> name}}` inside a page would. */
  renderPartial(name: string, context: object): string {
    let template = this.partials.get(name);
    if (!template) {
      const source: unknown = this.hbs.partials[name];
      if (source === undefined) throw new Error(`no partial named ${name}`);
      template = typeof source === 'function' ? (source as Handlebars.TemplateDelegate) : this.hbs.compile(String(source));
      this.partials.set(name, template);
    }
    return template(context);
  }
}
