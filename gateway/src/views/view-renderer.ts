import { readFileSync } from 'node:fs';
import path from 'node:path';
import type Handlebars from 'handlebars';

/**
 * Renders a view to a string with the gateway's Handlebars instance (helpers and partials),
 * compiling each template once. Pages use it to render their body once per upstream answer.
 */
export class ViewRenderer {
  private readonly compiled = new Map<string, Handlebars.TemplateDelegate>();

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
}
