/**
 * How a variant's case is matched across the columns of a variant matrix: by its name without the
 * `[variant] ` tag. Its own module (no imports) so that the browser page imports it without the
 * matrix's statistics and collection code.
 */

/** The name a case is matched by across columns: without its `[variant] ` prefix. */
export function matchName(name: string, variant: string | undefined | null): string {
  if (variant === undefined || variant === null) return name
  const tag = `[${variant}] `
  const cut = name.lastIndexOf(' > ')
  const head = cut < 0 ? '' : name.slice(0, cut + 3)
  const last = cut < 0 ? name : name.slice(cut + 3)
  return last.startsWith(tag) ? head + last.slice(tag.length) : name
}
